"""SqlReads on SQLite and PostgreSQL: the session read (on the test's transaction and on the
engine, which on PostgreSQL is the driver path), key order, one query per batch (no N+1)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from domain.accounts.model import SessionState, User
from persistence.engine import create_session_factory
from persistence.loaders import SqlReads, driver_path
from persistence.unit_of_work import SqlUnitOfWork
from tests.conftest import NOW
from tests.persistence.conftest import add_users, make_token, make_user, recorded_queries


async def _user_with_sessions(uow: SqlUnitOfWork) -> tuple[User, uuid.UUID, uuid.UUID]:
    """A user with a revoked session (its whole family revoked) and a live one."""
    user = make_user()
    revoked, live = uuid.uuid4(), uuid.uuid4()
    await add_users(uow, user)
    async with uow:
        await uow.refresh_tokens.add(make_token(user.id, family_id=revoked, used_at=NOW))
        await uow.refresh_tokens.add(make_token(user.id, family_id=revoked))
        await uow.refresh_tokens.add(make_token(user.id, family_id=live, used_at=NOW))
        await uow.refresh_tokens.add(make_token(user.id, family_id=live))
        await uow.refresh_tokens.revoke_family(revoked, at=NOW)
        await uow.commit()
    return user, revoked, live


async def _check_sessions(reads: SqlReads, uow: SqlUnitOfWork) -> None:
    user, revoked, live = await _user_with_sessions(uow)
    stranger = make_user()  # never stored

    assert await reads.session(user.id, live) == SessionState(user=user, revoked=False)
    assert await reads.session(user.id, revoked) == SessionState(user=user, revoked=True)
    assert await reads.session(user.id, uuid.uuid4()) == SessionState(user=user, revoked=False)
    assert await reads.session(stranger.id, revoked) == SessionState(user=None, revoked=False)


async def test_session_reads_the_account_and_its_revocation_in_one_query(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    reads = SqlReads(session_factory)
    user, revoked, _ = await _user_with_sessions(uow)

    with recorded_queries(engine) as queries:
        state = await reads.session(user.id, revoked)

    assert state == SessionState(user=user, revoked=True)
    assert len(queries) == 1, queries
    await _check_sessions(reads, uow)


async def test_session_on_the_engine_takes_the_driver_path_on_postgresql(
    engine: AsyncEngine,
) -> None:
    """Committed rows, read the way the app reads them (the engine, nobody listening)."""
    factory = create_session_factory(engine)
    assert driver_path(engine) is (engine.dialect.name == "postgresql")

    await _check_sessions(SqlReads(factory), SqlUnitOfWork(factory))


@pytest.mark.parametrize("size", [1, 10])
async def test_users_batch_is_one_query_in_key_order(
    uow: SqlUnitOfWork,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    size: int,
) -> None:
    users = [make_user() for _ in range(size)]
    await add_users(uow, *users)
    missing = uuid.uuid4()
    keys = [missing, *(user.id for user in reversed(users))]

    with recorded_queries(engine) as queries:
        found = await SqlReads(session_factory).users(keys)

    assert found == [None, *reversed(users)]
    assert len(queries) == 1, queries
    assert queries[0].upper().startswith("SELECT")


async def test_users_batch_of_no_keys_is_empty(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    with recorded_queries(engine) as queries:
        found = await SqlReads(session_factory).users([])

    assert found == []
    assert len(queries) <= 1, queries


async def test_dataloader_over_users_sends_one_query_for_ten_loads(
    uow: SqlUnitOfWork,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
) -> None:
    users = [make_user() for _ in range(10)]
    await add_users(uow, *users)
    loader: DataLoader[uuid.UUID, User | None] = DataLoader(load_fn=SqlReads(session_factory).users)

    with recorded_queries(engine) as queries:
        found = await asyncio.gather(*(loader.load(user.id) for user in users))

    assert found == users
    assert len(queries) == 1, queries
