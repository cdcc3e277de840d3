"""``logout`` ends one session; ``logout_everywhere`` ends them all."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.accounts.errors import InvalidRefreshToken
from domain.accounts.model import AuditAction
from domain.accounts.services import logout_everywhere
from domain.errors import Unauthenticated
from tests.services.support import (
    ALICE_ID,
    BOB_ID,
    FAMILY_A,
    FAMILY_B,
    META,
    NOW,
    Env,
    audited,
    make_token,
    make_user,
    viewer_of,
)

ALICE = make_user(session_version=2)
BOB = make_user(user_id=BOB_ID, email="bob@example.com")
SPENT = make_token("refresh-0", token_id=1, used_at=NOW)
CURRENT = make_token("refresh-1", token_id=2)
OTHER_DEVICE = make_token("other-device", token_id=3, family_id=FAMILY_B)
BOBS = make_token("bobs", token_id=4, user_id=BOB_ID, family_id=BOB_ID)
ALL_TOKENS = [SPENT, CURRENT, OTHER_DEVICE, BOBS]


@pytest.mark.parametrize("as_viewer", [True, False], ids=["signed-in", "refresh-token-only"])
async def test_logout_revokes_the_family(env: Env, as_viewer: bool) -> None:
    env.uow.seed(ALICE, BOB, tokens=ALL_TOKENS)

    await env.logout("refresh-1", viewer=viewer_of(ALICE) if as_viewer else None)

    assert env.uow.committed.refresh_tokens == {
        SPENT.id: replace(SPENT, revoked_at=NOW),
        CURRENT.id: replace(CURRENT, revoked_at=NOW),
        OTHER_DEVICE.id: OTHER_DEVICE,
        BOBS.id: BOBS,
    }
    assert env.uow.committed.audit == [
        audited(
            AuditAction.LOGGED_OUT, actor_id=ALICE_ID, subject_id=ALICE_ID, family_id=str(FAMILY_A)
        )
    ]
    assert env.uow.commits == 1


@pytest.mark.parametrize("secret", ["bobs", "never-issued"], ids=["other-user", "unknown"])
async def test_logout_refuses_another_users_or_an_unknown_token(env: Env, secret: str) -> None:
    env.uow.seed(ALICE, BOB, tokens=ALL_TOKENS)

    with pytest.raises(InvalidRefreshToken) as caught:
        await env.logout(secret, viewer=viewer_of(ALICE))

    assert (caught.value.code, caught.value.message) == (
        "INVALID_REFRESH_TOKEN",
        "Refresh token is not valid for this session.",
    )
    assert env.uow.committed.refresh_tokens == {token.id: token for token in ALL_TOKENS}
    assert (env.uow.committed.audit, env.uow.commits) == ([], 0)


async def test_logout_everywhere_moves_the_session_version_and_revokes_all(env: Env) -> None:
    env.uow.seed(ALICE, BOB, tokens=ALL_TOKENS)

    revoked = await logout_everywhere(viewer_of(ALICE), meta=META, uow=env.uow, clock=env.clock)

    assert revoked == 3
    assert env.uow.committed.users == {
        ALICE_ID: replace(ALICE, session_version=3, updated_at=NOW),
        BOB_ID: BOB,
    }
    assert env.uow.committed.refresh_tokens == {
        SPENT.id: replace(SPENT, revoked_at=NOW),
        CURRENT.id: replace(CURRENT, revoked_at=NOW),
        OTHER_DEVICE.id: replace(OTHER_DEVICE, revoked_at=NOW),
        BOBS.id: BOBS,
    }
    assert env.uow.committed.audit == [
        audited(
            AuditAction.LOGGED_OUT_EVERYWHERE, actor_id=ALICE_ID, subject_id=ALICE_ID, revoked=3
        )
    ]


async def test_logout_everywhere_counts_only_tokens_not_yet_revoked(env: Env) -> None:
    already = make_token("old", token_id=9, family_id=FAMILY_B, revoked_at=NOW)
    env.uow.seed(ALICE, tokens=[CURRENT, already])

    revoked = await logout_everywhere(viewer_of(ALICE), meta=META, uow=env.uow, clock=env.clock)

    assert revoked == 1
    assert env.uow.committed.refresh_tokens[already.id] == already


async def test_logout_everywhere_of_a_deleted_account_is_unauthenticated(env: Env) -> None:
    env.uow.seed(tokens=[CURRENT])

    with pytest.raises(Unauthenticated, match=r"^The account no longer exists\.$"):
        await logout_everywhere(viewer_of(ALICE), meta=META, uow=env.uow, clock=env.clock)

    assert env.uow.committed.refresh_tokens == {CURRENT.id: CURRENT}
    assert (env.uow.committed.audit, env.uow.commits) == ([], 0)
