"""UTCDateTime on SQLite and PostgreSQL: aware UTC in, the same instant in UTC out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.model import AuditAction, AuditEntry
from persistence.tables import AuditLogRow
from persistence.types import UTCDateTime
from persistence.unit_of_work import SqlUnitOfWork
from tests.persistence.conftest import add_users, make_token, make_user

INSTANTS = [
    pytest.param(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), id="utc"),
    pytest.param(datetime(2026, 3, 29, 1, 30, 15, 123_456, tzinfo=UTC), id="microseconds"),
    pytest.param(
        datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1))), id="plus-one-hour"
    ),
    pytest.param(
        datetime(2026, 12, 31, 20, 0, tzinfo=timezone(timedelta(hours=-5))), id="next-utc-year"
    ),
    pytest.param(datetime(1970, 1, 1, tzinfo=UTC), id="epoch"),
]


@pytest.mark.parametrize("instant", INSTANTS)
async def test_aware_datetimes_come_back_as_the_same_instant_in_utc(
    uow: SqlUnitOfWork, instant: datetime
) -> None:
    user = make_user()
    await add_users(uow, user)
    token = make_token(user.id, issued_at=instant, expires_at=instant + timedelta(days=1))

    async with uow:
        await uow.refresh_tokens.add(token)
        await uow.commit()
    async with uow:
        stored = await uow.refresh_tokens.get_by_hash(token.token_hash)

    assert stored is not None
    assert stored.issued_at == instant
    assert stored.issued_at.utcoffset() == timedelta(0)
    assert stored.issued_at.tzinfo is UTC
    assert stored.issued_at.replace(tzinfo=None) == instant.astimezone(UTC).replace(tzinfo=None)
    assert stored.used_at is None


async def test_naive_datetimes_are_refused(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    request_id = uuid.uuid4().hex
    naive = datetime(2026, 11, 23, 9, 0)  # noqa: DTZ001 - the point of the test

    async with uow:
        with pytest.raises(StatementError, match="naive datetimes are not stored") as raised:
            await uow.audit.append(
                AuditEntry(
                    action=AuditAction.LOGIN_FAILED, occurred_at=naive, request_id=request_id
                )
            )
    assert isinstance(raised.value.orig, ValueError)

    async with session_factory() as session:
        statement = select(AuditLogRow).where(AuditLogRow.request_id == request_id)
        assert (await session.exec(statement)).all() == []


BERLIN_WINTER = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=1)))
DIALECTS: dict[str, Dialect] = {
    "sqlite": SQLiteDialect_aiosqlite(),
    "postgres": PGDialect_asyncpg(),  # type: ignore[no-untyped-call]
}


@pytest.mark.parametrize(
    ("dialect", "stored"),
    [
        ("sqlite", datetime(2026, 11, 23, 8, 0)),  # noqa: DTZ001 - SQLite keeps naive UTC
        ("postgres", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
    ],
)
def test_values_are_bound_in_utc(dialect: str, stored: datetime) -> None:
    bound = UTCDateTime().process_bind_param(BERLIN_WINTER, DIALECTS[dialect])

    assert bound == stored
    assert bound is not None
    assert bound.tzinfo == stored.tzinfo


@pytest.mark.parametrize(
    ("dialect", "stored"),
    [
        ("sqlite", datetime(2026, 11, 23, 8, 0)),  # noqa: DTZ001 - SQLite keeps naive UTC
        ("postgres", BERLIN_WINTER),
    ],
)
def test_results_come_back_aware_in_utc(dialect: str, stored: datetime) -> None:
    result = UTCDateTime().process_result_value(stored, DIALECTS[dialect])

    assert result == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert result is not None
    assert result.tzinfo is UTC


@pytest.mark.parametrize("dialect", DIALECTS)
def test_none_passes_through(dialect: str) -> None:
    assert UTCDateTime().process_bind_param(None, DIALECTS[dialect]) is None
    assert UTCDateTime().process_result_value(None, DIALECTS[dialect]) is None


@pytest.mark.parametrize("dialect", DIALECTS)
def test_naive_values_are_refused_before_reaching_the_driver(dialect: str) -> None:
    naive = datetime(2026, 11, 23, 9, 0)  # noqa: DTZ001 - the point of the test

    with pytest.raises(ValueError, match="naive datetimes are not stored"):
        UTCDateTime().process_bind_param(naive, DIALECTS[dialect])
