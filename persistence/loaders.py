"""Reads outside units of work: the session check and the per-request DataLoaders' batches.

``session`` runs on every authenticated request, so the reads skip what one SELECT does not
need; ``benchmarks/README.md`` has the figures.

* No ORM session and no transaction: one statement is atomic on its own.
* On PostgreSQL the statement goes straight to the asyncpg connection that SQLAlchemy's
  pool lends (SQLAlchemy's per-statement work costs several times the query itself); the
  SQL is SQLAlchemy's own rendering of the Core statement, its values pass through the
  columns' result processors, and driver errors are raised as ``DBAPIError`` (on a broken
  connection the pool is invalidated), as they are on the SQLAlchemy path.
* Elsewhere (SQLite, or sessions bound to a caller's connection as in the persistence
  tests) it is the same Core statement, executed by SQLAlchemy.

A row has the attribute names of ``UserRow`` and ``ProfileRow`` (the tables share no column
name), so the repository's ``user_from_rows`` maps it to the domain ``User`` unchanged.
"""

from __future__ import annotations

import asyncio
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlalchemy.util import greenlet_spawn
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.model import SessionState, User
from persistence.repositories.accounts import user_from_rows
from persistence.tables.accounts import ProfileRow, RefreshTokenRow, UserRow

USERS: sa.Table = UserRow.__table__  # type: ignore[attr-defined]
PROFILES: sa.Table = ProfileRow.__table__  # type: ignore[attr-defined]
USERS_WITH_PROFILES = sa.select(USERS, PROFILES).join_from(
    USERS, PROFILES, PROFILES.c.user_id == USERS.c.id
)
USERS_BY_ID = USERS_WITH_PROFILES.where(USERS.c.id.in_(sa.bindparam("ids", expanding=True)))
USERS_BY_ID_ARRAY = USERS_WITH_PROFILES.where(
    USERS.c.id == sa.any_(sa.bindparam("ids", type_=postgresql.ARRAY(USERS.c.id.type)))
)
REFRESH_TOKENS: sa.Table = RefreshTokenRow.__table__  # type: ignore[attr-defined]
# The caller's account and whether the token's session (refresh-token family) was revoked,
# in one statement: no row when the account is gone.
SESSION = USERS_WITH_PROFILES.add_columns(
    sa.exists()
    .where(
        REFRESH_TOKENS.c.family_id
        == sa.bindparam("family_id", type_=REFRESH_TOKENS.c.family_id.type),
        REFRESH_TOKENS.c.revoked_at.is_not(None),
    )
    .label("session_revoked")
).where(USERS.c.id == sa.bindparam("user_id", type_=USERS.c.id.type))
DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
)


@dataclass(frozen=True)
class DriverQuery:
    """A Core SELECT rendered once for a dialect, with what turns driver rows into rows."""

    sql: str
    parameters: tuple[str, ...]  # bind parameter names, in the order of ``$1, $2, ...``
    row: Callable[..., Any]
    processors: tuple[Callable[[Any], Any] | None, ...]

    @classmethod
    def render(cls, statement: sa.Select[Any], dialect: Dialect) -> DriverQuery:
        columns = list(statement.selected_columns)
        compiled = statement.compile(dialect=dialect)
        return cls(
            sql=str(compiled),
            parameters=tuple(compiled.positiontup or ()),
            row=namedtuple("Row", [column.name for column in columns]),
            processors=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            ),
        )

    def rows(self, records: Sequence[Sequence[Any]]) -> list[Any]:
        return [
            self.row(
                *(
                    value if process is None else process(value)
                    for process, value in zip(self.processors, record, strict=True)
                )
            )
            for record in records
        ]

    async def fetch(self, engine: AsyncEngine, **values: Any) -> list[Any]:
        """Run on a pooled connection's asyncpg driver connection, outside any transaction."""
        args = [values[name] for name in self.parameters]
        connection = await engine.raw_connection()
        driver: Any = connection.driver_connection
        try:
            records = await driver.fetch(self.sql, *args)
        except DRIVER_ERRORS as error:
            closed = driver.is_closed()
            if closed:  # as SQLAlchemy does on a disconnect: drop this and every idle connection
                await greenlet_spawn(connection.invalidate, error)
                await engine.dispose()
            # A lost connection is an outage (OperationalError, like SQLAlchemy's own wrapping
            # of a disconnect); anything else is an error of the statement.
            wrapper = OperationalError if closed else DBAPIError
            raise wrapper(self.sql, args, error, connection_invalidated=closed) from error
        except asyncio.CancelledError:
            await asyncio.shield(greenlet_spawn(connection.invalidate))  # state unknown
            raise
        finally:
            await greenlet_spawn(connection.close)
        return self.rows(records)


_driver_queries: dict[tuple[str, str], DriverQuery] = {}  # rendered on first use


def driver_path(engine: AsyncEngine) -> bool:
    """Whether reads may bypass SQLAlchemy's execution: asyncpg, and nobody watching it.

    Statement events (``before_cursor_execute``: query counting in the tests, tracing) and
    ``echo`` only see statements that SQLAlchemy executes, so with any of them present the
    reads go through SQLAlchemy.
    """
    sync = engine.sync_engine
    return (
        engine.dialect.driver == "asyncpg"
        and not sync.echo
        and not sync.dispatch.before_cursor_execute
        and not sync.dispatch.after_cursor_execute
    )


def _driver_query(name: str, statement: sa.Select[Any], dialect: Dialect) -> DriverQuery:
    key = (name, dialect.name)
    query = _driver_queries.get(key)
    if query is None:
        query = _driver_queries[key] = DriverQuery.render(statement, dialect)
    return query


class SqlReads:
    """Implements ``SessionReader``, and reads for DataLoaders: each one statement on a
    briefly borrowed connection. One per process; holds no state of a request."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        bind = session_factory.kw.get("bind")
        if not isinstance(bind, AsyncEngine | AsyncConnection):
            raise TypeError("SqlReads needs sessions bound to an engine or a connection")
        self._bind = bind

    async def _select(
        self, name: str, statement: sa.Select[Any], driver_statement: sa.Select[Any], **values: Any
    ) -> Sequence[Any]:
        bind = self._bind
        if isinstance(bind, AsyncConnection):
            return list((await bind.execute(statement, values)).all())
        if driver_path(bind):
            return await _driver_query(name, driver_statement, bind.dialect).fetch(bind, **values)
        async with bind.connect() as connection:
            return list((await connection.execute(statement, values)).all())

    async def session(self, user_id: UUID, family_id: UUID) -> SessionState:
        rows = await self._select("session", SESSION, SESSION, user_id=user_id, family_id=family_id)
        if not rows:
            return SessionState(user=None, revoked=False)
        row = rows[0]
        user = user_from_rows(cast(UserRow, row), cast(ProfileRow, row))
        return SessionState(user=user, revoked=bool(row.session_revoked))

    async def users(self, user_ids: Sequence[UUID]) -> list[User | None]:
        if not user_ids:
            return []
        rows = await self._select("users", USERS_BY_ID, USERS_BY_ID_ARRAY, ids=list(user_ids))
        found = {row.id: user_from_rows(cast(UserRow, row), cast(ProfileRow, row)) for row in rows}
        return [found.get(user_id) for user_id in user_ids]
