"""Batch functions for the per-request DataLoaders: one query per batch, results in key order.

These reads run on every authenticated request (the session-version check loads the
caller), so they skip what a single SELECT does not need (see ``benchmarks/README.md``):

* no ORM session: a Core SELECT over both tables; its rows carry the attribute names of
  ``UserRow`` and ``ProfileRow`` (the tables share no column name), so the repository's
  ``user_from_rows`` maps them to domain users unchanged;
* no transaction on PostgreSQL: one statement is atomic on its own, so the connection is
  borrowed in autocommit mode, sparing the BEGIN and ROLLBACK round trips.

When the sessions are bound to a connection (a caller's transaction, as in the persistence
tests) the read joins that connection instead.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.model import User
from persistence.repositories.accounts import user_from_rows
from persistence.tables.accounts import ProfileRow, UserRow

USERS: sa.Table = UserRow.__table__  # type: ignore[attr-defined]
PROFILES: sa.Table = ProfileRow.__table__  # type: ignore[attr-defined]
USERS_WITH_PROFILES = sa.select(USERS, PROFILES).join_from(
    USERS, PROFILES, PROFILES.c.user_id == USERS.c.id
)

_autocommit: weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine] = weakref.WeakKeyDictionary()


def _read_engine(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` (same pool) handing out connections in autocommit mode on PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return engine
    reader = _autocommit.get(engine)
    if reader is None:
        reader = _autocommit[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return reader


class SqlBatchLoaders:
    """Reads for DataLoaders, each one statement on a briefly borrowed connection."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        bind = session_factory.kw.get("bind")
        if not isinstance(bind, AsyncEngine | AsyncConnection):
            raise TypeError("SqlBatchLoaders needs sessions bound to an engine or a connection")
        self._bind = _read_engine(bind) if isinstance(bind, AsyncEngine) else bind

    async def _rows(self, statement: sa.Select[Any]) -> Sequence[sa.Row[Any]]:
        if isinstance(self._bind, AsyncConnection):
            return (await self._bind.execute(statement)).all()
        async with self._bind.connect() as connection:
            return (await connection.execute(statement)).all()

    async def users(self, user_ids: Sequence[UUID]) -> list[User | None]:
        if not user_ids:
            return []
        rows = await self._rows(USERS_WITH_PROFILES.where(USERS.c.id.in_(user_ids)))
        found = {row.id: user_from_rows(cast(UserRow, row), cast(ProfileRow, row)) for row in rows}
        return [found.get(user_id) for user_id in user_ids]
