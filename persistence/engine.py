"""The async SQL engine: one code path for SQLite (aiosqlite) and PostgreSQL (asyncpg).

The PostgreSQL pool is tuned for many short statements (``benchmarks/README.md`` has the
figures):

* connections are checked before use only when they have been idle for a while
  (``PING_AFTER_IDLE_SECONDS``), not on every checkout: ``pool_pre_ping`` on asyncpg costs
  three round trips (BEGIN, ping, ROLLBACK) per checkout, more than the one query a request
  usually runs. A connection that broke while in constant use is still caught: the failing
  statement raises (reported as UNAVAILABLE, retryable) and the pool is invalidated;
* the overflow connections are kept once opened instead of being closed on return.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_SECONDS = 10.0
_RETURNED_AT = "drivemaster_returned_at"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection on checkout when it has been idle longer than the limit.

    A failed ping is handled as ``pool_pre_ping`` handles it: on a disconnect the pool is
    invalidated and the checkout retried on a new connection.
    """
    dialect: Dialect = engine.dialect

    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError from error
            raise

    event.listen(engine.sync_engine, "checkin", returned)
    event.listen(engine.sync_engine, "checkout", checkout)


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """Create the engine for ``url``; SQLite gets WAL and enforced foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        # ``pool_size`` connections, and as many again under load: all are kept once open.
        # A QueuePool overflow connection is closed as soon as it comes back, so a load
        # hovering above ``pool_size`` concurrent statements reconnected constantly (TLS
        # probe, authentication, SQLAlchemy's per-connection setup), at a CPU cost above
        # that of the queries themselves (``benchmarks/README.md``).
        pool_size=2 * pool_size,
        max_overflow=0,
        pool_use_lifo=True,  # idle connections stay idle (and may time out); hot ones stay hot
        pool_recycle=1800,
    )
    _ping_when_idle(engine)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (domain objects are built from them)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
