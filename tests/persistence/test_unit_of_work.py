"""SqlUnitOfWork on SQLite and PostgreSQL: commit keeps, leaving without commit rolls back;
after a commit, the hook hears which accounts it changed."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.model import AuditAction, AuditEntry, Role, User
from persistence.unit_of_work import SqlUnitOfWork
from tests.conftest import NOW
from tests.persistence.conftest import add_users, make_token, make_user, rolled_back

LATER = NOW + timedelta(minutes=5)


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


# The commit hook: which accounts a committed transaction changed (the session cache forgets
# them). On both backends, since revocation reports its owners through RETURNING.

Changes = list[frozenset[uuid.UUID]]


@pytest.fixture
def changes() -> Changes:
    return []


@pytest.fixture
def hooked(session_factory: async_sessionmaker[AsyncSession], changes: Changes) -> SqlUnitOfWork:
    """A unit of work whose commit hook records what it is told."""
    return SqlUnitOfWork(session_factory, on_commit=changes.append)


async def test_commit_reports_an_added_user(hooked: SqlUnitOfWork, changes: Changes) -> None:
    user = make_user()

    async with hooked:
        await hooked.users.add(user)
        assert changes == []  # not before the commit
        await hooked.commit()

    assert changes == [frozenset({user.id})]


async def test_commit_reports_an_updated_user(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    user = make_user()
    await add_users(uow, user)

    async with hooked:
        await hooked.users.update(dataclasses.replace(user, role=Role.AUTHOR))
        await hooked.commit()

    assert changes == [frozenset({user.id})]
    async with uow:
        assert await uow.users.get(user.id) == dataclasses.replace(user, role=Role.AUTHOR)


async def test_one_commit_reports_every_changed_user_once(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    first, second, untouched = make_user(), make_user(), make_user()
    await add_users(uow, first, untouched)

    async with hooked:
        await hooked.users.update(dataclasses.replace(first, session_version=1))
        await hooked.users.update(dataclasses.replace(first, session_version=2))
        await hooked.users.add(second)
        await hooked.users.get(untouched.id)
        await hooked.commit()

    assert changes == [frozenset({first.id, second.id})]


async def _user_with_tokens(uow: SqlUnitOfWork, *families: uuid.UUID) -> User:
    """A stored user with one active refresh token per family given (repeat to have more)."""
    user = make_user()
    await add_users(uow, user)
    async with uow:
        for family in families:
            await uow.refresh_tokens.add(make_token(user.id, family_id=family))
        await uow.commit()
    return user


async def test_commit_reports_the_owner_of_a_revoked_family(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    family, other_family = uuid.uuid4(), uuid.uuid4()
    user = await _user_with_tokens(uow, family, family, other_family)
    bystander = await _user_with_tokens(uow, uuid.uuid4())

    async with hooked:
        assert await hooked.refresh_tokens.revoke_family(family, at=LATER) == 2
        await hooked.commit()

    assert changes == [frozenset({user.id})]
    assert bystander.id not in changes[0]


async def test_commit_reports_the_user_whose_sessions_were_all_revoked(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    phone, laptop = uuid.uuid4(), uuid.uuid4()
    user = await _user_with_tokens(uow, phone, phone, laptop)
    bystander = await _user_with_tokens(uow, uuid.uuid4())

    async with hooked:
        assert await hooked.refresh_tokens.revoke_all_for_user(user.id, at=LATER) == 3
        await hooked.commit()

    assert changes == [frozenset({user.id})]
    assert bystander.id not in changes[0]


async def test_revoking_nothing_reports_nothing(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    family = uuid.uuid4()
    user = await _user_with_tokens(uow, family)
    async with uow:
        assert await uow.refresh_tokens.revoke_family(family, at=NOW) == 1
        await uow.commit()

    async with hooked:
        assert await hooked.refresh_tokens.revoke_family(family, at=LATER) == 0
        assert await hooked.refresh_tokens.revoke_family(uuid.uuid4(), at=LATER) == 0
        assert await hooked.refresh_tokens.revoke_all_for_user(user.id, at=LATER) == 0
        assert await hooked.refresh_tokens.revoke_all_for_user(uuid.uuid4(), at=LATER) == 0
        await hooked.commit()

    assert changes == []


async def test_commit_of_work_that_changes_no_account_reports_nothing(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    user = make_user()
    await add_users(uow, user)

    async with hooked:
        await hooked.commit()  # nothing at all
    async with hooked:
        token = make_token(user.id)  # a new session is no change to what the cache holds
        await hooked.refresh_tokens.add(token)
        assert await hooked.refresh_tokens.mark_used(token.id, at=LATER) is True
        await hooked.audit.append(
            AuditEntry(action=AuditAction.LOGIN_SUCCEEDED, occurred_at=NOW, subject_id=user.id)
        )
        await hooked.commit()

    assert changes == []


async def test_leaving_without_commit_reports_nothing(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    user = make_user()
    await add_users(uow, user)

    async with hooked:
        await hooked.users.update(dataclasses.replace(user, session_version=1))
    with pytest.raises(LookupError, match="boom"):
        await _add_then_fail(hooked, make_user())

    assert changes == []


async def test_rollback_then_commit_reports_nothing(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    family = uuid.uuid4()
    user = await _user_with_tokens(uow, family)

    async with hooked:
        await hooked.users.update(dataclasses.replace(user, session_version=1))
        assert await hooked.refresh_tokens.revoke_family(family, at=LATER) == 1
        await hooked.rollback()
        await hooked.commit()

    assert changes == []


async def test_rollback_then_new_changes_reports_only_those(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    dropped, kept = make_user(), make_user()
    await add_users(uow, dropped, kept)

    async with hooked:
        await hooked.users.update(dataclasses.replace(dropped, session_version=1))
        await hooked.rollback()
        await hooked.users.update(dataclasses.replace(kept, session_version=1))
        await hooked.commit()

    assert changes == [frozenset({kept.id})]


async def test_changes_left_uncommitted_are_not_reported_by_a_later_commit(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    family = uuid.uuid4()
    user = await _user_with_tokens(uow, family)

    async with hooked:  # rolled back on leaving
        await hooked.users.update(dataclasses.replace(user, session_version=1))
        await hooked.refresh_tokens.revoke_family(family, at=LATER)
    async with hooked:
        await hooked.commit()

    assert changes == []
    async with uow:
        assert await uow.users.get(user.id) == user


async def test_each_commit_reports_its_own_changes(
    uow: SqlUnitOfWork, hooked: SqlUnitOfWork, changes: Changes
) -> None:
    first, second = make_user(), make_user()
    await add_users(uow, first, second)

    async with hooked:
        await hooked.users.update(dataclasses.replace(first, session_version=1))
        await hooked.commit()
        await hooked.users.update(dataclasses.replace(second, session_version=1))
        await hooked.commit()
        await hooked.commit()

    assert changes == [frozenset({first.id}), frozenset({second.id})]
