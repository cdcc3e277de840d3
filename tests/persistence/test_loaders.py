"""SqlBatchLoaders on SQLite and PostgreSQL: key order, and one query per batch (no N+1)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from domain.accounts.model import User
from persistence.loaders import SqlBatchLoaders
from persistence.unit_of_work import SqlUnitOfWork
from tests.persistence.conftest import add_users, make_user, recorded_queries


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
        found = await SqlBatchLoaders(session_factory).users(keys)

    assert found == [None, *reversed(users)]
    assert len(queries) == 1, queries
    assert queries[0].upper().startswith("SELECT")


async def test_users_batch_of_no_keys_is_empty(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    with recorded_queries(engine) as queries:
        found = await SqlBatchLoaders(session_factory).users([])

    assert found == []
    assert len(queries) <= 1, queries


async def test_dataloader_over_users_sends_one_query_for_ten_loads(
    uow: SqlUnitOfWork,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
) -> None:
    users = [make_user() for _ in range(10)]
    await add_users(uow, *users)
    loader: DataLoader[uuid.UUID, User | None] = DataLoader(
        load_fn=SqlBatchLoaders(session_factory).users
    )

    with recorded_queries(engine) as queries:
        found = await asyncio.gather(*(loader.load(user.id) for user in users))

    assert found == users
    assert len(queries) == 1, queries
