"""Batch functions for the per-request DataLoaders: one query per batch, results in key order."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.model import User
from persistence.repositories.accounts import SqlUserRepository


class SqlBatchLoaders:
    """Reads for DataLoaders, each in its own short session."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def users(self, user_ids: Sequence[UUID]) -> list[User | None]:
        async with self._session_factory() as session:
            return await SqlUserRepository(session).get_many(user_ids)
