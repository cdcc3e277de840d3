"""``authenticate``: a bearer token becomes a viewer with the account's current role."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from domain.accounts.model import AccessClaims, Role, User, Viewer
from domain.accounts.services import logout_everywhere
from domain.errors import Unauthenticated
from tests.services.support import (
    ACCESS_TTL,
    ALICE_ID,
    FAMILY_A,
    FAMILY_B,
    META,
    NOW,
    Env,
    make_token,
    make_user,
    viewer_of,
)

ALICE = make_user(session_version=4)
CLAIMS = AccessClaims(
    user_id=ALICE_ID,
    role=Role.LEARNER,
    session_version=4,
    token_id="jti-7",
    family_id=FAMILY_A,
    issued_at=NOW,
    expires_at=NOW + ACCESS_TTL,
)
NO_LONGER_VALID = "Access token is no longer valid; log in again."


async def test_authenticate_returns_the_viewer(env: Env) -> None:
    env.uow.seed(ALICE)
    token = env.codec.issue(CLAIMS)

    viewer = await env.authenticate(token)

    assert viewer == Viewer(
        user_id=ALICE_ID,
        role=Role.LEARNER,
        token_id="jti-7",
        family_id=FAMILY_A,
        expires_at=NOW + ACCESS_TTL,
    )


async def test_the_role_comes_from_the_account_not_the_token(env: Env) -> None:
    env.uow.seed(replace(ALICE, role=Role.AUTHOR))
    token = env.codec.issue(CLAIMS)

    viewer = await env.authenticate(token)

    assert (viewer.role, viewer.is_admin) == (Role.AUTHOR, False)


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        pytest.param([replace(ALICE, session_version=5)], NO_LONGER_VALID, id="stale-version"),
        pytest.param([], NO_LONGER_VALID, id="deleted-user"),
    ],
)
async def test_a_token_of_an_old_session_or_a_gone_account_is_refused(
    env: Env, stored: list[User], message: str
) -> None:
    env.uow.seed(*stored)
    token = env.codec.issue(CLAIMS)

    with pytest.raises(Unauthenticated) as caught:
        await env.authenticate(token)

    assert (caught.value.code, caught.value.message) == ("UNAUTHENTICATED", message)


@pytest.mark.parametrize(
    ("family", "refused"), [(FAMILY_A, True), (FAMILY_B, False)], ids=["own", "another"]
)
async def test_a_revoked_session_refuses_its_tokens_only(
    env: Env, family: UUID, refused: bool
) -> None:
    env.uow.seed(ALICE, tokens=[make_token("refresh-0", family_id=family, revoked_at=NOW)])
    token = env.codec.issue(CLAIMS)

    if refused:
        with pytest.raises(
            Unauthenticated, match=r"^Access token was revoked: its session has ended\.$"
        ):
            await env.authenticate(token)
    else:
        assert (await env.authenticate(token)).family_id == FAMILY_A


async def test_the_codecs_refusal_passes_through(env: Env) -> None:
    env.uow.seed(ALICE)
    token = env.codec.issue(CLAIMS)
    env.clock.advance(minutes=15)

    with pytest.raises(Unauthenticated, match=r"^Access token has expired; refresh it\.$"):
        await env.authenticate(token)


async def test_logout_stops_the_sessions_access_tokens_at_once(env: Env) -> None:
    env.uow.seed(ALICE, tokens=[make_token("refresh-0")])
    token = env.codec.issue(CLAIMS)

    await env.logout("refresh-0", viewer=viewer_of(ALICE))

    with pytest.raises(Unauthenticated, match="its session has ended"):
        await env.authenticate(token)


async def test_logout_everywhere_stops_every_access_token_at_once(env: Env) -> None:
    env.uow.seed(ALICE)
    token = env.codec.issue(CLAIMS)

    await logout_everywhere(viewer_of(ALICE), meta=META, uow=env.uow, clock=env.clock)

    with pytest.raises(Unauthenticated, match="no longer valid"):
        await env.authenticate(token)
