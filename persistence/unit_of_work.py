"""The SQL unit of work: one session, one transaction, per use case."""

from __future__ import annotations

from types import TracebackType
from typing import Self

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
    """

    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    audit: AuditLog

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        self.users = SqlUserRepository(self._session)
        self.refresh_tokens = SqlRefreshTokenRepository(self._session)
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

    async def rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()
