"""The fakes behave like the adapters they stand for, or the service tests prove nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.accounts.errors import EmailTaken
from domain.accounts.model import AccessClaims, AuditAction, AuditEntry, Role
from domain.errors import Unauthenticated
from tests.services.fakes import (
    FakeAccessTokenCodec,
    FakePasswordHasher,
    FakeRateLimiter,
    FakeUnitOfWork,
    SequentialSecrets,
    fake_hash,
)
from tests.services.support import (
    ALICE_ID,
    BOB_ID,
    FAMILY_A,
    FAMILY_B,
    NOW,
    PASSWORD,
    make_token,
    make_user,
)

ALICE = make_user()


async def test_staged_changes_are_discarded_without_commit() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        await uow.users.add(ALICE)
        await uow.audit.append(AuditEntry(action=AuditAction.REGISTERED, occurred_at=NOW))
        assert await uow.users.get(ALICE.id) == ALICE
    assert (uow.committed.users, uow.committed.audit, uow.commits) == ({}, [], 0)
    async with uow:
        assert await uow.users.get(ALICE.id) is None


async def _add_then_fail(uow: FakeUnitOfWork) -> None:
    async with uow:
        await uow.users.add(ALICE)
        raise LookupError


async def test_staged_changes_are_discarded_when_the_block_raises() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(LookupError):
        await _add_then_fail(uow)
    assert uow.committed.users == {}


async def test_commit_publishes_and_later_changes_still_need_a_commit() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        await uow.users.add(ALICE)
        await uow.commit()
        await uow.users.update(replace(ALICE, session_version=5))
    assert (uow.committed.users, uow.commits) == ({ALICE.id: ALICE}, 1)


async def test_rollback_discards_what_was_staged() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        await uow.users.add(ALICE)
        await uow.rollback()
        assert await uow.users.get(ALICE.id) is None


async def test_storage_and_commit_outside_the_unit_of_work_fail() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(RuntimeError, match="outside of the unit of work"):
        await uow.users.get(ALICE.id)
    with pytest.raises(RuntimeError, match=r"commit\(\) outside"):
        await uow.commit()
    async with uow:
        with pytest.raises(RuntimeError, match="already entered"):
            await uow.__aenter__()


async def test_user_emails_are_unique_in_any_letter_case() -> None:
    uow = FakeUnitOfWork()
    uow.seed(ALICE)
    async with uow:
        assert await uow.users.get_by_email(" ALICE@Example.com ") == ALICE
        assert await uow.users.get_many([BOB_ID, ALICE.id]) == [None, ALICE]
        with pytest.raises(EmailTaken):
            await uow.users.add(make_user(user_id=BOB_ID, email="Alice@EXAMPLE.com"))


async def test_tokens_are_used_once_and_revoked_by_family_or_user() -> None:
    active, other = make_token("a", token_id=1), make_token("b", token_id=2, family_id=FAMILY_B)
    uow = FakeUnitOfWork()
    uow.seed(tokens=[active, other])
    async with uow:
        assert await uow.refresh_tokens.mark_used(active.id, at=NOW) is True
        assert await uow.refresh_tokens.mark_used(active.id, at=NOW) is False
        assert await uow.refresh_tokens.revoke_family(FAMILY_A, at=NOW) == 1
        assert await uow.refresh_tokens.revoke_all_for_user(ALICE.id, at=NOW) == 1
        assert await uow.refresh_tokens.revoke_all_for_user(ALICE.id, at=NOW) == 0
        assert await uow.refresh_tokens.get_by_hash(active.token_hash) == replace(
            active, used_at=NOW, revoked_at=NOW
        )


async def test_password_hasher_is_deterministic_and_knows_old_parameters() -> None:
    hasher = FakePasswordHasher()
    password_hash = await hasher.hash(PASSWORD)
    assert password_hash == fake_hash(PASSWORD) == await hasher.hash(PASSWORD)
    assert await hasher.verify(password_hash, PASSWORD) is True
    assert await hasher.verify(password_hash, "wrong password") is False
    assert await hasher.verify(None, PASSWORD) is False
    assert hasher.needs_rehash(password_hash) is False
    hasher.change_parameters("v2")
    assert hasher.needs_rehash(password_hash) is True
    assert await hasher.verify(password_hash, PASSWORD) is True
    assert hasher.verified == [
        (password_hash, PASSWORD),
        (password_hash, "wrong password"),
        (None, PASSWORD),
        (password_hash, PASSWORD),
    ]


def test_codec_round_trips_and_refuses_expired_and_unknown_tokens() -> None:
    codec = FakeAccessTokenCodec()
    claims = AccessClaims(
        user_id=ALICE_ID,
        role=Role.LEARNER,
        session_version=0,
        token_id="jti",
        family_id=FAMILY_A,
        issued_at=NOW,
        expires_at=NOW + timedelta(minutes=15),
    )
    token = codec.issue(claims)
    assert (token, codec.decode(token, now=NOW)) == ("access-1", claims)
    with pytest.raises(Unauthenticated, match="expired"):
        codec.decode(token, now=NOW + timedelta(minutes=15))
    with pytest.raises(Unauthenticated, match="unknown token"):
        codec.decode("forged", now=NOW)


async def test_rate_limiter_allows_its_allowance_per_key() -> None:
    limiter = FakeRateLimiter({"login_ip": 2}, retry_after=12)
    answers = [await limiter.hit("login_ip", "a") for _ in range(3)]
    assert answers == [None, None, 12]
    assert await limiter.hit("login_ip", "b") is None
    assert await limiter.hit("unconfigured", "a") is None


def test_secrets_are_sequential() -> None:
    secrets = SequentialSecrets()
    assert [secrets.token(), secrets.token()] == ["refresh-1", "refresh-2"]
