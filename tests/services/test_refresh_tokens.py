"""``refresh_tokens``: single-use rotation within a family; a reused token ends the session."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest

from domain.accounts.errors import InvalidRefreshToken
from domain.accounts.model import AccessClaims, AuditAction, RefreshToken, Role, TokenPair
from domain.accounts.services.tokens import hash_refresh_token
from domain.errors import Unauthenticated
from tests.services.support import (
    ACCESS_TTL,
    ALICE_ID,
    FAMILY_A,
    FAMILY_B,
    NOW,
    REFRESH_TTL,
    Env,
    audited,
    make_token,
    make_user,
)

ALICE = make_user()
CURRENT = make_token("refresh-0", token_id=1)
OTHER_DEVICE = make_token("other-device", token_id=2, family_id=FAMILY_B)
REJECTED = "Refresh token is invalid or expired; log in again."
REUSED = "Refresh token was already used; the session is revoked."


async def test_refresh_spends_the_token_and_issues_one_in_the_same_family(env: Env) -> None:
    env.uow.seed(ALICE, tokens=[CURRENT, OTHER_DEVICE])

    result = await env.refresh("refresh-0")

    assert result.user == ALICE
    assert result.tokens == TokenPair(
        access_token="access-1",
        access_expires_at=NOW + ACCESS_TTL,
        refresh_token="refresh-1",
        refresh_expires_at=NOW + REFRESH_TTL,
    )
    tokens = env.uow.committed.refresh_tokens
    [new_id] = tokens.keys() - {CURRENT.id, OTHER_DEVICE.id}
    assert tokens == {
        CURRENT.id: replace(CURRENT, used_at=NOW),
        OTHER_DEVICE.id: OTHER_DEVICE,
        new_id: RefreshToken(
            id=new_id,
            user_id=ALICE_ID,
            family_id=FAMILY_A,
            token_hash=hash_refresh_token("refresh-1"),
            issued_at=NOW,
            expires_at=NOW + REFRESH_TTL,
            user_agent="pytest/9",
            ip="203.0.113.7",
        ),
    }
    assert env.codec.issued["access-1"].family_id == FAMILY_A
    assert env.uow.committed.audit == [
        audited(AuditAction.TOKENS_REFRESHED, actor_id=ALICE_ID, subject_id=ALICE_ID)
    ]


async def test_reusing_a_spent_token_revokes_its_whole_family(env: Env) -> None:
    env.uow.seed(ALICE, tokens=[CURRENT, OTHER_DEVICE])
    await env.refresh("refresh-0")
    env.clock.advance(minutes=5)
    later = NOW + timedelta(minutes=5)

    with pytest.raises(InvalidRefreshToken) as caught:
        await env.refresh("refresh-0")

    assert (caught.value.code, caught.value.message) == ("INVALID_REFRESH_TOKEN", REUSED)
    tokens = env.uow.committed.refresh_tokens
    [rotated_id] = tokens.keys() - {CURRENT.id, OTHER_DEVICE.id}
    assert tokens[CURRENT.id] == replace(CURRENT, used_at=NOW, revoked_at=later)
    assert tokens[rotated_id].revoked_at == later
    assert tokens[OTHER_DEVICE.id] == OTHER_DEVICE
    assert env.uow.committed.audit[-1] == replace(
        audited(
            AuditAction.REFRESH_TOKEN_REUSED,
            subject_id=ALICE_ID,
            family_id=str(FAMILY_A),
            revoked=2,
        ),
        occurred_at=later,
    )
    with pytest.raises(InvalidRefreshToken, match="invalid or expired"):
        await env.refresh("refresh-1")  # the rotated token died with its family
    # Access tokens of the session (the thief's included) die with the family.
    thiefs = env.codec.issue(
        AccessClaims(
            user_id=ALICE_ID,
            role=Role.LEARNER,
            session_version=0,
            token_id="thief",
            family_id=FAMILY_A,
            issued_at=later,
            expires_at=later + ACCESS_TTL,
        )
    )
    with pytest.raises(Unauthenticated, match="its session has ended"):
        await env.authenticate(thiefs)


async def test_rotation_and_revocations_lock_the_user_row(env: Env) -> None:
    """Refresh, logout and logout-everywhere serialize on the user row, so a rotation can
    never add a token to a session while it is being revoked."""
    env.uow.seed(ALICE, tokens=[CURRENT, OTHER_DEVICE])
    await env.refresh("refresh-0")
    assert env.uow.locked == {ALICE_ID}
    env.uow.locked.clear()
    await env.logout("other-device", viewer=None)
    assert env.uow.locked == {ALICE_ID}


@pytest.mark.parametrize(
    ("stored", "presented", "subject_id"),
    [
        pytest.param([], "never-issued", None, id="unknown"),
        pytest.param(
            [make_token("expired", issued_at=NOW - REFRESH_TTL)], "expired", ALICE_ID, id="expired"
        ),
        pytest.param(
            [make_token("revoked", revoked_at=NOW - timedelta(hours=1))],
            "revoked",
            ALICE_ID,
            id="revoked",
        ),
    ],
)
async def test_unknown_expired_and_revoked_tokens_are_rejected(
    env: Env, stored: list[RefreshToken], presented: str, subject_id: UUID | None
) -> None:
    env.uow.seed(ALICE, tokens=stored)

    with pytest.raises(InvalidRefreshToken) as caught:
        await env.refresh(presented)

    assert (caught.value.message, caught.value.field) == (REJECTED, None)
    assert env.uow.committed.refresh_tokens == {token.id: token for token in stored}
    assert env.uow.committed.audit == [
        audited(AuditAction.REFRESH_TOKEN_REJECTED, subject_id=subject_id)
    ]
    assert (env.codec.issued, env.uow.commits) == ({}, 1)


async def test_a_token_one_second_before_expiry_still_rotates(env: Env) -> None:
    token = make_token("refresh-0", issued_at=NOW - REFRESH_TTL + timedelta(seconds=1))
    env.uow.seed(ALICE, tokens=[token])

    result = await env.refresh("refresh-0")

    assert result.tokens.refresh_token == "refresh-1"


async def test_a_token_of_a_deleted_account_is_refused_and_its_family_revoked(env: Env) -> None:
    env.uow.seed(tokens=[CURRENT])

    with pytest.raises(InvalidRefreshToken):
        await env.refresh("refresh-0")

    assert env.uow.committed.refresh_tokens == {
        CURRENT.id: replace(CURRENT, used_at=NOW, revoked_at=NOW)
    }
    assert env.codec.issued == {}
