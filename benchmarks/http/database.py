"""A throw-away PostgreSQL database for one benchmark run: created, migrated, dropped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator

import asyncpg
from sqlalchemy.engine import make_url

from persistence.migrate import upgrade

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CONNECT_TIMEOUT_SECONDS = 10


def admin_url() -> str:
    """``BENCH_DATABASE_URL`` (any PostgreSQL URL of an existing admin database) or the default."""
    url = make_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_ADMIN_URL)
    if url.get_backend_name() != "postgresql":
        raise SystemExit("BENCH_DATABASE_URL must be a PostgreSQL URL")
    return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


async def _execute(url: str, statement: str) -> None:
    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
        timeout=CONNECT_TIMEOUT_SECONDS,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_database(admin: str) -> Iterator[str]:
    """Create and migrate a new database beside ``admin``; drop it on exit (even on errors)."""
    name = f"drivemaster_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_execute(admin, f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        asyncio.run(_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
