"""SqlUnitOfWork on SQLite and PostgreSQL: commit keeps, leaving without commit rolls back."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.accounts.model import User
from persistence.unit_of_work import SqlUnitOfWork
from tests.persistence.conftest import add_users, make_user, rolled_back


async def test_leaving_without_commit_rolls_back(uow: SqlUnitOfWork) -> None:
    user = make_user()

    async with uow:
        await uow.users.add(user)
        assert await uow.users.get(user.id) == user

    async with uow:
        assert await uow.users.get(user.id) is None


async def _add_then_fail(uow: SqlUnitOfWork, user: User) -> None:
    async with uow:
        await uow.users.add(user)
        raise LookupError("boom")


async def test_an_exception_rolls_back_and_propagates(uow: SqlUnitOfWork) -> None:
    user = make_user()

    with pytest.raises(LookupError, match="boom"):
        await _add_then_fail(uow, user)

    async with uow:
        assert await uow.users.get(user.id) is None


async def test_explicit_rollback_discards_the_work(uow: SqlUnitOfWork) -> None:
    user = make_user()

    async with uow:
        await uow.users.add(user)
        await uow.rollback()
        assert await uow.users.get(user.id) is None


async def test_commit_keeps_the_work_for_the_next_unit_of_work(uow: SqlUnitOfWork) -> None:
    kept, dropped = make_user(), make_user()
    await add_users(uow, kept)

    async with uow:
        await uow.users.add(dropped)

    async with uow:
        assert await uow.users.get_many([kept.id, dropped.id]) == [kept, None]


async def test_commit_outside_the_unit_of_work_is_an_error(uow: SqlUnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="outside of the unit of work"):
        await uow.commit()
    await uow.rollback()  # harmless outside


async def test_the_per_test_transaction_hides_committed_work_afterwards(
    engine: AsyncEngine,
) -> None:
    """The fixture itself: what a unit of work commits inside it is gone after it."""
    user = make_user()
    async with rolled_back(engine) as factory:
        await add_users(SqlUnitOfWork(factory), user)
        async with SqlUnitOfWork(factory) as inside:
            assert await inside.users.get(user.id) == user

    async with rolled_back(engine) as factory, SqlUnitOfWork(factory) as after:
        assert await after.users.get(user.id) is None
