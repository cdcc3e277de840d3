"""What the accounts use cases need from the outside world."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from domain.accounts.model import AccessClaims, AuditEntry, RefreshToken, SessionState, User


class UserRepository(Protocol):
    """Users by id and by email (matched case-insensitively)."""

    async def add(self, user: User) -> None:
        """Stage a new user; raises ``EmailTaken`` at flush when the email exists."""
        ...

    async def get(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        """A user; ``for_update`` locks the row until the unit of work ends (read-modify-write
        use cases lock before reading, so a concurrent change is never written back over)."""
        ...

    async def get_many(self, user_ids: Sequence[UUID]) -> list[User | None]:
        """Users in the order of ``user_ids``; ``None`` where one does not exist."""
        ...

    async def get_by_email(self, email: str) -> User | None: ...

    async def update(self, user: User) -> None: ...


class RefreshTokenRepository(Protocol):
    """Refresh tokens, looked up by the hash of their secret."""

    async def add(self, token: RefreshToken) -> None: ...

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def mark_used(self, token_id: UUID, *, at: datetime) -> bool:
        """Mark an active token used; ``False`` when another request used it first."""
        ...

    async def revoke_family(self, family_id: UUID, *, at: datetime) -> int: ...

    async def revoke_all_for_user(self, user_id: UUID, *, at: datetime) -> int: ...


class AuditLog(Protocol):
    """The append-only audit trail."""

    async def append(self, entry: AuditEntry) -> None: ...


class UnitOfWork(Protocol):
    """One transaction for one use case: commit explicitly, roll back on exit otherwise."""

    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    audit: AuditLog

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id in production)."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash, spend the same time and return ``False``."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class AccessTokenCodec(Protocol):
    """Signs and verifies short-lived access tokens."""

    def issue(self, claims: AccessClaims) -> str: ...

    def decode(self, token: str, *, now: datetime) -> AccessClaims:
        """Verify a token; raises ``Unauthenticated`` saying why it is not acceptable."""
        ...


class SessionReader(Protocol):
    """The per-request read behind authentication, outside any unit of work."""

    async def session(self, user_id: UUID, family_id: UUID) -> SessionState:
        """The account ``user_id`` and whether the session ``family_id`` was revoked, read
        together (one statement, so one snapshot)."""
        ...


class RateLimiter(Protocol):
    """Counts attempts per named limit and key."""

    async def hit(self, limit: str, key: str) -> int | None:
        """Count one attempt; return the seconds to wait when over the limit, else ``None``."""
        ...


class SecretSource(Protocol):
    """Randomness as a port: unpredictable opaque tokens, and new entity ids."""

    def token(self) -> str:
        """A new high-entropy, URL-safe secret."""
        ...

    def new_id(self) -> UUID:
        """A new unique id (UUID4 in production)."""
        ...


__all__ = [
    "AccessTokenCodec",
    "AuditLog",
    "PasswordHasher",
    "RateLimiter",
    "RefreshTokenRepository",
    "SecretSource",
    "SessionReader",
    "UnitOfWork",
    "UserRepository",
]
