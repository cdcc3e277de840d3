"""Fixtures for the persistence tests: one rolled-back transaction per test, on both backends.

The pattern is Netflix/dispatch's: a connection begins a transaction that the test never
sees end; sessions join it through SAVEPOINTs (``join_transaction_mode="create_savepoint"``),
so a unit of work may commit and roll back as in production, and the fixture's final
rollback leaves the shared database as it found it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.model import (
    LearningPreferences,
    Profile,
    RefreshToken,
    Role,
    User,
)
from persistence.cache import create_redis
from persistence.engine import create_engine
from persistence.unit_of_work import SqlUnitOfWork
from tests.conftest import NOW, TEST_REDIS_URL, needs_redis, unique_email

CONTROL_STATEMENTS = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA")


def _sqlite_own_transactions(engine: AsyncEngine) -> None:
    """Let SQLAlchemy, not the ``sqlite3`` module, emit BEGIN (SQLAlchemy's documented recipe).

    In its legacy transaction mode ``sqlite3`` only opens a transaction before DML, so a
    SAVEPOINT issued first becomes the outermost transaction and RELEASE commits for real:
    a unit of work's ``commit()`` would then escape the test's rollback.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def create_test_engine(url: str) -> AsyncEngine:
    """The production engine for ``url``, made savepoint-safe on SQLite."""
    engine = create_engine(url, pool_size=2)
    if engine.dialect.name == "sqlite":
        _sqlite_own_transactions(engine)
    return engine


@pytest.fixture(scope="session")
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    """One engine per backend for the whole run."""
    engine = create_test_engine(migrated_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def rolled_back(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that join one connection's transaction, which is rolled back at the end."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        factory = async_sessionmaker(
            bind=connection,
            class_=AsyncSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            yield factory
        finally:
            await transaction.rollback()


@pytest.fixture
async def session_factory(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions inside the test's transaction (each one a SAVEPOINT); rolled back afterwards."""
    async with rolled_back(engine) as factory:
        yield factory


@pytest.fixture
def uow(session_factory: async_sessionmaker[AsyncSession]) -> SqlUnitOfWork:
    """The production unit of work, running inside the test's transaction."""
    return SqlUnitOfWork(session_factory)


@contextlib.contextmanager
def recorded_queries(engine: AsyncEngine) -> Iterator[list[str]]:
    """Collect the SQL the engine sends, leaving out transaction control statements."""
    statements: list[str] = []

    def _record(*args: Any) -> None:
        statement = str(args[2]).strip()
        if not statement.upper().startswith(CONTROL_STATEMENTS):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", _record)


def make_user(
    *,
    email: str | None = None,
    role: Role = Role.LEARNER,
    profile: Profile | None = None,
    preferences: LearningPreferences | None = None,
) -> User:
    """A new user created at ``NOW``."""
    email = email or unique_email()
    return User(
        id=uuid.uuid4(),
        email=email,
        password_hash="$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        role=role,
        profile=profile or Profile(display_name=email.split("@", 1)[0]),
        preferences=preferences or LearningPreferences(),
        created_at=NOW,
        updated_at=NOW,
    )


def make_token(
    user_id: uuid.UUID, *, family_id: uuid.UUID | None = None, **overrides: Any
) -> RefreshToken:
    """An active refresh token issued at ``NOW`` for 30 days."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "user_id": user_id,
        "family_id": family_id or uuid.uuid4(),
        "token_hash": uuid.uuid4().hex + uuid.uuid4().hex,
        "issued_at": NOW,
        "expires_at": NOW + timedelta(days=30),
        "user_agent": "pytest",
        "ip": "203.0.113.7",
    }
    values.update(overrides)
    return RefreshToken(**values)


async def add_users(uow: SqlUnitOfWork, *users: User) -> None:
    """Store ``users`` in one committed unit of work."""
    async with uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()


STORES = [
    pytest.param("embedded", id="embedded"),
    pytest.param("redis", id="redis", marks=pytest.mark.redis),
]
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest) -> str | None:
    """``None`` for the embedded store (fakeredis), else the real Redis of TEST_REDIS_URL."""
    if request.param == "embedded":
        return None
    needs_redis()
    return TEST_REDIS_URL


async def delete_matching(url: str | None, pattern: str) -> None:
    """Delete the keys matching ``pattern`` (a pattern naming one test's unique key)."""
    if url is None:
        return
    client = create_redis(url)
    try:
        keys = [key async for key in client.scan_iter(match=pattern)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
