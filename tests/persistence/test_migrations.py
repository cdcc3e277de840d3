"""The Alembic migrations on SQLite and PostgreSQL, each run on a fresh, dedicated database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection, make_url
from sqlmodel import SQLModel

import persistence.tables  # noqa: F401 - registers every table's metadata
from persistence.engine import create_engine
from persistence.migrate import downgrade, upgrade
from tests.conftest import TEST_DATABASE_URL, admin_execute, needs_postgres

TABLES = {"roles", "users", "profiles", "refresh_tokens", "audit_log"}


@pytest.fixture
async def fresh_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the current backend, used by one test only."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    needs_postgres()
    assert TEST_DATABASE_URL is not None
    name = f"drivemaster_migrations_{uuid.uuid4().hex[:10]}"
    await admin_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin_execute(TEST_DATABASE_URL, f'DROP DATABASE "{name}" WITH (FORCE)')


async def _on(url: str, function: Any) -> Any:
    """Run a blocking ``function(connection)`` against ``url``."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(function)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


def _roles(connection: Connection) -> list[tuple[str, str]]:
    return [tuple(row) for row in connection.execute(sa.text("SELECT * FROM roles ORDER BY name"))]


def _schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    await asyncio.to_thread(upgrade, fresh_url)
    assert await _on(fresh_url, _tables) == {*TABLES, "alembic_version"}

    await asyncio.to_thread(downgrade, fresh_url)
    assert await _on(fresh_url, _tables) == {"alembic_version"}

    await asyncio.to_thread(upgrade, fresh_url)
    assert await _on(fresh_url, _tables) == {*TABLES, "alembic_version"}
    assert len(await _on(fresh_url, _roles)) == 3


async def test_upgrade_seeds_the_roles(fresh_url: str) -> None:
    await asyncio.to_thread(upgrade, fresh_url)

    assert await _on(fresh_url, _roles) == [
        ("admin", "Manages users, roles and content."),
        ("author", "Writes and reviews questions."),
        ("learner", "Practises and takes mock exams."),
    ]


async def test_migrated_schema_matches_the_table_models(fresh_url: str) -> None:
    await asyncio.to_thread(upgrade, fresh_url)
    assert await _on(fresh_url, _schema_differences) == []


def _email_key_is_unique(connection: Connection) -> bool:
    inspector = sa.inspect(connection)
    unique_sets = [set(c["column_names"]) for c in inspector.get_unique_constraints("users")]
    unique_sets += [set(i["column_names"]) for i in inspector.get_indexes("users") if i["unique"]]
    return {"email_key"} in unique_sets


async def test_email_key_is_unique(fresh_url: str) -> None:
    await asyncio.to_thread(upgrade, fresh_url)
    assert await _on(fresh_url, _email_key_is_unique)
