"""``get(for_update=True)`` really locks the user row on PostgreSQL (the session lock that
orders token rotation against logout-everywhere and password changes)."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from persistence.engine import create_engine, create_session_factory
from persistence.migrate import upgrade
from persistence.unit_of_work import SqlUnitOfWork
from tests.persistence.conftest import make_user


@pytest.mark.postgres
async def test_a_locked_user_row_blocks_a_second_locker(postgres_url: str) -> None:
    """SQLite needs no such test: it serializes writers."""
    await asyncio.to_thread(upgrade, postgres_url)  # idempotent
    engine = create_engine(postgres_url)
    try:
        factory = create_session_factory(engine)
        user = make_user()
        async with SqlUnitOfWork(factory) as setup:
            await setup.users.add(user)
            await setup.commit()

        first, second = SqlUnitOfWork(factory), SqlUnitOfWork(factory)
        async with first:
            assert await first.users.get(user.id, for_update=True) == user
            async with second:
                session = second.users._session  # type: ignore[attr-defined]
                await session.exec(sa.text("SET LOCAL lock_timeout = '200ms'"))
                with pytest.raises(sa.exc.DBAPIError, match="lock timeout"):
                    await second.users.get(user.id, for_update=True)
            # A plain read is not blocked.
            async with SqlUnitOfWork(factory) as reader:
                assert await asyncio.wait_for(reader.users.get(user.id), 2) == user
    finally:
        await engine.dispose()
