"""SqlRefreshTokenRepository on SQLite and PostgreSQL: lookup by hash, single use, revocation."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest

from domain.accounts.model import User
from persistence.unit_of_work import SqlUnitOfWork
from tests.conftest import NOW
from tests.persistence.conftest import add_users, make_token, make_user

LATER = NOW + timedelta(minutes=5)


@pytest.fixture
async def user(uow: SqlUnitOfWork) -> User:
    user = make_user()
    await add_users(uow, user)
    return user


async def test_add_then_get_by_hash_returns_an_equal_token(uow: SqlUnitOfWork, user: User) -> None:
    token = make_token(user.id)

    async with uow:
        await uow.refresh_tokens.add(token)
        await uow.commit()

    async with uow:
        assert await uow.refresh_tokens.get_by_hash(token.token_hash) == token
        assert await uow.refresh_tokens.get_by_hash("0" * 64) is None


async def test_add_truncates_the_user_agent_to_its_column(uow: SqlUnitOfWork, user: User) -> None:
    token = make_token(user.id, user_agent="Mozilla/5.0 " + "x" * 400, ip=None)

    async with uow:
        await uow.refresh_tokens.add(token)
        await uow.commit()

    async with uow:
        stored = await uow.refresh_tokens.get_by_hash(token.token_hash)
    assert stored == dataclasses.replace(token, user_agent=token.user_agent[:300])  # type: ignore[index]


async def test_mark_used_succeeds_once(uow: SqlUnitOfWork, user: User) -> None:
    token = make_token(user.id)

    async with uow:
        await uow.refresh_tokens.add(token)
        assert await uow.refresh_tokens.mark_used(token.id, at=LATER) is True
        assert await uow.refresh_tokens.mark_used(token.id, at=LATER) is False
        await uow.commit()

    async with uow:
        assert await uow.refresh_tokens.get_by_hash(token.token_hash) == dataclasses.replace(
            token, used_at=LATER
        )


async def test_mark_used_refuses_revoked_and_unknown_tokens(uow: SqlUnitOfWork, user: User) -> None:
    token = make_token(user.id)

    async with uow:
        await uow.refresh_tokens.add(token)
        assert await uow.refresh_tokens.revoke_family(token.family_id, at=LATER) == 1
        assert await uow.refresh_tokens.mark_used(token.id, at=LATER) is False
        assert await uow.refresh_tokens.mark_used(uuid.uuid4(), at=LATER) is False


async def test_revoke_family_counts_only_active_tokens_of_that_family(
    uow: SqlUnitOfWork, user: User
) -> None:
    family, other_family = uuid.uuid4(), uuid.uuid4()
    tokens = [make_token(user.id, family_id=family) for _ in range(3)]
    already_revoked = make_token(user.id, family_id=family)
    elsewhere = make_token(user.id, family_id=other_family)

    async with uow:
        await uow.refresh_tokens.add(already_revoked)
        assert await uow.refresh_tokens.revoke_family(family, at=NOW) == 1
        for token in [*tokens, elsewhere]:
            await uow.refresh_tokens.add(token)
        assert await uow.refresh_tokens.revoke_family(family, at=LATER) == 3
        assert await uow.refresh_tokens.revoke_family(family, at=LATER) == 0
        await uow.commit()

    async with uow:
        for token in tokens:
            stored = await uow.refresh_tokens.get_by_hash(token.token_hash)
            assert stored == dataclasses.replace(token, revoked_at=LATER)
        stored = await uow.refresh_tokens.get_by_hash(already_revoked.token_hash)
        assert stored == dataclasses.replace(already_revoked, revoked_at=NOW)
        assert await uow.refresh_tokens.get_by_hash(elsewhere.token_hash) == elsewhere


async def test_revoke_all_for_user_counts_every_active_family_of_that_user(
    uow: SqlUnitOfWork, user: User
) -> None:
    someone_else = make_user()
    await add_users(uow, someone_else)
    mine = [make_token(user.id, family_id=uuid.uuid4()) for _ in range(4)]
    theirs = make_token(someone_else.id)

    async with uow:
        for token in [*mine, theirs]:
            await uow.refresh_tokens.add(token)
        assert await uow.refresh_tokens.mark_used(mine[0].id, at=LATER) is True
        assert await uow.refresh_tokens.revoke_all_for_user(user.id, at=LATER) == 4
        assert await uow.refresh_tokens.revoke_all_for_user(user.id, at=LATER) == 0
        assert await uow.refresh_tokens.revoke_all_for_user(uuid.uuid4(), at=LATER) == 0
        await uow.commit()

    async with uow:
        assert await uow.refresh_tokens.get_by_hash(theirs.token_hash) == theirs
        stored = await uow.refresh_tokens.get_by_hash(mine[0].token_hash)
    assert stored == dataclasses.replace(mine[0], used_at=LATER, revoked_at=LATER)


async def test_add_keeps_used_at_and_revoked_at(uow: SqlUnitOfWork, user: User) -> None:
    token = make_token(user.id, used_at=NOW, revoked_at=LATER)

    async with uow:
        await uow.refresh_tokens.add(token)
        await uow.commit()

    async with uow:
        assert await uow.refresh_tokens.get_by_hash(token.token_hash) == token
