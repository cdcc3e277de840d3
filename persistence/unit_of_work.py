"""The SQL unit of work: one session, one transaction, per use case."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self
from uuid import UUID

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.ports import AuditLog, RefreshTokenRepository, UserRepository
from persistence.repositories.accounts import (
    SqlAuditLog,
    SqlRefreshTokenRepository,
    SqlUserRepository,
)


class SqlUnitOfWork:
    """Implements ``domain.accounts.ports.UnitOfWork``.

    Entering opens a session; leaving without ``commit()`` rolls back. A unit of work can be
    entered again after it was left (services read, then write, in two short transactions).
    After a commit, ``on_commit`` gets the ids of the accounts whose data or sessions the
    transaction changed (the session cache forgets them).
    """

    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    audit: AuditLog

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        on_commit: Callable[[frozenset[UUID]], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._on_commit = on_commit
        self._changed: set[UUID] = set()

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        self._changed.clear()
        self.users = SqlUserRepository(self._session, changed=self._changed)
        self.refresh_tokens = SqlRefreshTokenRepository(self._session, changed=self._changed)
        self.audit = SqlAuditLog(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            await session.rollback()
        finally:
            await session.close()

    async def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("commit() outside of the unit of work")
        await self._session.commit()
        changed = frozenset(self._changed)
        self._changed.clear()
        if changed and self._on_commit is not None:
            self._on_commit(changed)

    async def rollback(self) -> None:
        self._changed.clear()
        if self._session is not None:
            await self._session.rollback()
