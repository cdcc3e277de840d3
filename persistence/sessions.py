"""A per-process cache in front of the session read that authenticates every request.

Every authenticated request needs its caller's account and whether its session was revoked
(``SqlReads.session``): one PostgreSQL round trip, the largest cost of a small query, and
load on the database that grows with traffic, not with change. Accounts and sessions
change rarely, so the answer is kept in memory for a short time.

Freshness, written down:

* In this process, a committed change to an account (role, password, session version,
  profile) or a revoked session drops that account's entries as the commit returns
  (``SqlUnitOfWork``'s commit hook, called before the use case answers), so a logout,
  password change or role change holds from the very next request.
* A read that was in flight when an invalidation happened is answered but not kept, so it
  cannot put back what was just dropped (the generation check).
* Changes made by other processes (more workers, the ``drivemaster set-role`` command)
  reach this process's requests within ``ttl`` seconds (``AUTH_SESSION_CACHE_SECONDS``,
  1 s by default; 0 turns the cache off).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from uuid import UUID

from domain.accounts.model import SessionState
from domain.accounts.ports import SessionReader

DEFAULT_MAX_USERS = 50_000
MAX_SESSIONS_PER_USER = 64  # devices signed in at once; more only costs a read


class SessionCache:
    """Implements ``SessionReader`` over another one; entries live ``ttl`` seconds."""

    def __init__(
        self,
        reader: SessionReader,
        *,
        ttl: float,
        max_users: int = DEFAULT_MAX_USERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self._reader = reader
        self._ttl = ttl
        self._max_users = max_users
        self._clock = clock
        # account -> session (refresh-token family) -> (state, expiry on ``clock``)
        self._entries: dict[UUID, dict[UUID, tuple[SessionState, float]]] = {}
        self._generation = 0

    async def session(self, user_id: UUID, family_id: UUID) -> SessionState:
        now = self._clock()
        sessions = self._entries.get(user_id)
        if sessions is not None:
            entry = sessions.get(family_id)
            if entry is not None and now < entry[1]:
                return entry[0]
        generation = self._generation
        state = await self._reader.session(user_id, family_id)
        if generation == self._generation:
            self._keep(user_id, family_id, state, now + self._ttl)
        return state

    def invalidate(self, user_ids: Iterable[UUID]) -> None:
        """Forget what is known of these accounts (their data or sessions changed)."""
        self._generation += 1
        for user_id in user_ids:
            self._entries.pop(user_id, None)

    def _keep(self, user_id: UUID, family_id: UUID, state: SessionState, expiry: float) -> None:
        if user_id not in self._entries and len(self._entries) >= self._max_users:
            self._evict_expired()
        sessions = self._entries.setdefault(user_id, {})
        if len(sessions) >= MAX_SESSIONS_PER_USER:
            sessions.clear()
        sessions[family_id] = (state, expiry)

    def _evict_expired(self) -> None:
        """Drop expired entries; if the cache is still full, start over (bounded memory)."""
        now = self._clock()
        for user_id in list(self._entries):
            sessions = self._entries[user_id]
            for family_id in [f for f, (_, expiry) in sessions.items() if expiry <= now]:
                del sessions[family_id]
            if not sessions:
                del self._entries[user_id]
        if len(self._entries) >= self._max_users:
            self._entries.clear()
