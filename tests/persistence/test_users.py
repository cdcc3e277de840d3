"""SqlUserRepository on SQLite and PostgreSQL: a user is a ``users`` row plus a ``profiles`` row."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, time, timedelta

import pytest

from domain.accounts.errors import EmailTaken
from domain.accounts.model import LearningPreferences, LicenceCategory, Profile, Role, Visibility
from persistence.unit_of_work import SqlUnitOfWork
from tests.conftest import NOW
from tests.persistence.conftest import add_users, make_user


async def test_add_then_get_returns_an_equal_user(uow: SqlUnitOfWork) -> None:
    user = make_user(
        role=Role.AUTHOR,
        profile=Profile(
            display_name="Ada",
            bio="Writes questions.",
            avatar_url="https://example.com/ada.png",
            locale="en-GB",
            time_zone="Europe/London",
            visibility=Visibility.PUBLIC,
        ),
    )
    await add_users(uow, user)

    async with uow:
        assert await uow.users.get(user.id) == user


async def test_get_unknown_id_returns_none(uow: SqlUnitOfWork) -> None:
    async with uow:
        assert await uow.users.get(uuid.uuid4()) is None


@pytest.mark.parametrize("size", [0, 1, 10])
async def test_get_many_returns_users_in_key_order(uow: SqlUnitOfWork, size: int) -> None:
    users = [make_user() for _ in range(size)]
    await add_users(uow, *users)
    keys = [user.id for user in reversed(users)]

    async with uow:
        assert await uow.users.get_many(keys) == list(reversed(users))


async def test_get_many_puts_none_where_a_user_is_missing(uow: SqlUnitOfWork) -> None:
    first, second = make_user(), make_user()
    await add_users(uow, first, second)
    missing = uuid.uuid4()

    async with uow:
        found = await uow.users.get_many([second.id, missing, first.id, second.id])

    assert found == [second, None, first, second]


async def test_get_by_email_ignores_letter_case_and_surrounding_space(
    uow: SqlUnitOfWork,
) -> None:
    user = make_user(email=f"Mixed.Case-{uuid.uuid4().hex[:8]}@Example.com")
    await add_users(uow, user)

    async with uow:
        assert await uow.users.get_by_email(user.email) == user
        assert await uow.users.get_by_email(user.email.upper()) == user
        assert await uow.users.get_by_email(f"  {user.email.lower()} ") == user
        assert await uow.users.get_by_email("nobody-" + user.email) is None


async def test_get_by_email_ignores_case_of_non_ascii_letters(uow: SqlUnitOfWork) -> None:
    user = make_user(email=f"Ünal-{uuid.uuid4().hex[:8]}@example.com")
    await add_users(uow, user)

    async with uow:
        assert await uow.users.get_by_email(user.email.lower()) == user


async def test_adding_an_email_in_another_case_raises_email_taken(uow: SqlUnitOfWork) -> None:
    original = make_user()
    await add_users(uow, original)
    duplicate = make_user(email=original.email.upper())

    async with uow:
        with pytest.raises(EmailTaken) as raised:
            await uow.users.add(duplicate)

    assert raised.value.code == "EMAIL_TAKEN"
    async with uow:
        assert await uow.users.get(duplicate.id) is None
        assert await uow.users.get_by_email(original.email) == original


async def test_email_uniqueness_ignores_case_of_non_ascii_letters(uow: SqlUnitOfWork) -> None:
    original = make_user(email=f"Ünal-{uuid.uuid4().hex[:8]}@example.com")
    await add_users(uow, original)

    async with uow:
        with pytest.raises(EmailTaken):
            await uow.users.add(make_user(email=original.email.lower()))


async def test_update_round_trips_profile_and_preferences(uow: SqlUnitOfWork) -> None:
    user = make_user()
    await add_users(uow, user)
    changed = dataclasses.replace(
        user,
        email="Renamed-" + user.email,
        password_hash="$argon2id$v=19$m=1024,t=1,p=1$bmV3c2FsdA$bmV3aGFzaA",
        role=Role.ADMIN,
        session_version=3,
        updated_at=NOW + timedelta(hours=2, microseconds=123_456),
        profile=Profile(
            display_name="Renamed",
            bio="Line one.\nLine two — with “quotes” and ünïcödé.",
            avatar_url="https://example.com/a.png",
            locale="de-DE",
            time_zone="Europe/Berlin",
            visibility=Visibility.FRIENDS,
        ),
        preferences=LearningPreferences(
            licence_category=LicenceCategory.MOTORCYCLE,
            daily_goal_minutes=45,
            session_length=30,
            target_exam_date=date(2027, 2, 28),
            reminders_enabled=False,
            reminder_time=time(7, 30),
            show_explanations=False,
        ),
    )

    async with uow:
        await uow.users.update(changed)
        await uow.commit()

    async with uow:
        assert await uow.users.get(user.id) == changed
        assert await uow.users.get_by_email(changed.email.lower()) == changed


async def test_update_can_clear_optional_fields(uow: SqlUnitOfWork) -> None:
    user = make_user(
        profile=Profile(display_name="Full", bio="bio", avatar_url="https://example.com/x.png"),
        preferences=LearningPreferences(
            target_exam_date=date(2027, 1, 1), reminder_time=time(18, 0)
        ),
    )
    await add_users(uow, user)
    cleared = dataclasses.replace(
        user, profile=Profile(display_name="Full"), preferences=LearningPreferences()
    )

    async with uow:
        await uow.users.update(cleared)
        await uow.commit()

    async with uow:
        assert await uow.users.get(user.id) == cleared


async def test_update_keeps_created_at(uow: SqlUnitOfWork) -> None:
    user = make_user()
    await add_users(uow, user)

    async with uow:
        await uow.users.update(dataclasses.replace(user, created_at=NOW + timedelta(days=1)))
        await uow.commit()

    async with uow:
        stored = await uow.users.get(user.id)
    assert stored is not None
    assert stored.created_at == NOW


async def test_preferences_keep_reminder_seconds(uow: SqlUnitOfWork) -> None:
    user = make_user(preferences=LearningPreferences(reminder_time=time(7, 30, 15)))
    await add_users(uow, user)

    async with uow:
        assert await uow.users.get(user.id) == user
