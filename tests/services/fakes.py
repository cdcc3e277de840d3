"""In-memory fakes of every port in ``domain.accounts.ports``.

``FakeUnitOfWork`` keeps a committed state and, while entered, a staged copy of it: the
repositories read and write the staged copy, ``commit()`` publishes it, and leaving without a
commit throws it away, as ``persistence.unit_of_work.SqlUnitOfWork`` does with its
transaction. Repositories used outside ``async with uow`` raise, so a service that touches
storage outside its unit of work fails loudly.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self
from uuid import UUID

from domain.accounts.errors import EmailTaken
from domain.accounts.model import AccessClaims, AuditEntry, RefreshToken, SessionState, User
from domain.accounts.ports import AuditLog, RefreshTokenRepository, UserRepository
from domain.errors import Unauthenticated


@dataclass(kw_only=True)
class State:
    """Everything the fake storage holds; values are frozen dataclasses."""

    users: dict[UUID, User] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)

    def copy(self) -> State:
        return State(
            users=dict(self.users),
            refresh_tokens=dict(self.refresh_tokens),
            audit=list(self.audit),
        )


class FakeUnitOfWork:
    """Implements ``UnitOfWork``; ``committed`` is what a later transaction would see."""

    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    audit: AuditLog

    def __init__(self) -> None:
        self.committed = State()
        self.commits = 0
        self.locked: set[UUID] = set()  # users read with for_update, in any unit of work
        self._staged: State | None = None
        self.users = FakeUserRepository(self)
        self.refresh_tokens = FakeRefreshTokenRepository(self)
        self.audit = FakeAuditLog(self)

    def seed(self, *users: User, tokens: Sequence[RefreshToken] = ()) -> None:
        """Put rows in committed storage, as if an earlier use case had stored them."""
        self.committed.users.update({user.id: user for user in users})
        self.committed.refresh_tokens.update({token.id: token for token in tokens})

    @property
    def staged(self) -> State:
        if self._staged is None:
            raise RuntimeError("storage used outside of the unit of work")
        return self._staged

    async def __aenter__(self) -> Self:
        if self._staged is not None:
            raise RuntimeError("the unit of work is already entered")
        self._staged = self.committed.copy()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._staged = None

    async def commit(self) -> None:
        if self._staged is None:
            raise RuntimeError("commit() outside of the unit of work")
        self.committed = self._staged.copy()
        self.commits += 1

    async def rollback(self) -> None:
        if self._staged is not None:
            self._staged = self.committed.copy()


def _email_key(email: str) -> str:
    return email.strip().casefold()


class FakeUserRepository:
    """Implements ``UserRepository``; emails are unique whatever their letter case."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(self, user: User) -> None:
        users = self._uow.staged.users
        if user.id in users:
            raise ValueError(f"user {user.id} already exists")
        if any(_email_key(other.email) == _email_key(user.email) for other in users.values()):
            raise EmailTaken("An account with this email already exists.", field="email")
        users[user.id] = user

    async def get(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        if for_update:
            self._uow.locked.add(user_id)
        return self._uow.staged.users.get(user_id)

    async def get_many(self, user_ids: Sequence[UUID]) -> list[User | None]:
        users = self._uow.staged.users
        return [users.get(user_id) for user_id in user_ids]

    async def get_by_email(self, email: str) -> User | None:
        key = _email_key(email)
        users = self._uow.staged.users.values()
        return next((user for user in users if _email_key(user.email) == key), None)

    async def update(self, user: User) -> None:
        users = self._uow.staged.users
        if user.id in users:  # like SQL UPDATE: a missing row is left alone
            users[user.id] = user


class FakeRefreshTokenRepository:
    """Implements ``RefreshTokenRepository`` with the SQL adapter's conditional updates."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def add(self, token: RefreshToken) -> None:
        tokens = self._uow.staged.refresh_tokens
        if token.id in tokens or any(t.token_hash == token.token_hash for t in tokens.values()):
            raise ValueError("refresh token id and hash must be unique")
        tokens[token.id] = token

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        tokens = self._uow.staged.refresh_tokens.values()
        return next((token for token in tokens if token.token_hash == token_hash), None)

    async def mark_used(self, token_id: UUID, *, at: datetime) -> bool:
        tokens = self._uow.staged.refresh_tokens
        token = tokens.get(token_id)
        if token is None or token.used_at is not None or token.revoked_at is not None:
            return False
        tokens[token_id] = replace(token, used_at=at)
        return True

    async def _revoke(self, *, at: datetime, family_id: UUID | None, user_id: UUID | None) -> int:
        tokens = self._uow.staged.refresh_tokens
        chosen = [
            token
            for token in tokens.values()
            if token.revoked_at is None
            and (family_id is None or token.family_id == family_id)
            and (user_id is None or token.user_id == user_id)
        ]
        for token in chosen:
            tokens[token.id] = replace(token, revoked_at=at)
        return len(chosen)

    async def revoke_family(self, family_id: UUID, *, at: datetime) -> int:
        return await self._revoke(at=at, family_id=family_id, user_id=None)

    async def revoke_all_for_user(self, user_id: UUID, *, at: datetime) -> int:
        return await self._revoke(at=at, family_id=None, user_id=user_id)


class FakeAuditLog:
    """Implements ``AuditLog``: appends only."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def append(self, entry: AuditEntry) -> None:
        self._uow.staged.audit.append(entry)


def fake_hash(password: str, parameters: str = "v1") -> str:
    """The hash ``FakePasswordHasher`` makes of ``password`` with ``parameters``."""
    return f"fake${parameters}${hashlib.sha256(password.encode()).hexdigest()}"


class FakePasswordHasher:
    """Implements ``PasswordHasher`` deterministically; ``verified`` records every check.

    ``change_parameters`` plays the role of raising argon2's cost: hashes made before it
    then need a rehash.
    """

    def __init__(self, parameters: str = "v1") -> None:
        self.parameters = parameters
        self.verified: list[tuple[str | None, str]] = []

    def change_parameters(self, parameters: str) -> None:
        self.parameters = parameters

    async def hash(self, password: str) -> str:
        return fake_hash(password, self.parameters)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.verified.append((password_hash, password))
        if password_hash is None:
            return False
        parameters = password_hash.split("$")[1] if password_hash.count("$") == 2 else ""
        return password_hash == fake_hash(password, parameters)

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"fake${self.parameters}$")


class FakeAccessTokenCodec:
    """Implements ``AccessTokenCodec``: tokens are ``access-<n>``, claims kept in ``issued``."""

    def __init__(self) -> None:
        self.issued: dict[str, AccessClaims] = {}

    def issue(self, claims: AccessClaims) -> str:
        token = f"access-{len(self.issued) + 1}"
        self.issued[token] = claims
        return token

    def decode(self, token: str, *, now: datetime) -> AccessClaims:
        claims = self.issued.get(token)
        if claims is None:
            raise Unauthenticated("Access token is invalid: unknown token.")
        if now >= claims.expires_at:
            raise Unauthenticated("Access token has expired; refresh it.")
        return claims


class FakeSessionReader:
    """Implements ``SessionReader`` over what a ``FakeUnitOfWork`` has committed."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def session(self, user_id: UUID, family_id: UUID) -> SessionState:
        state = self._uow.committed
        return SessionState(
            user=state.users.get(user_id),
            revoked=any(
                token.family_id == family_id and token.revoked_at is not None
                for token in state.refresh_tokens.values()
            ),
        )


class FakeRateLimiter:
    """Implements ``RateLimiter``: ``allowance`` maps a limit name to the attempts allowed.

    A limit without an allowance is not enforced (like an unconfigured limit in production);
    an attempt beyond the allowance answers ``retry_after``. ``hits`` records every attempt.
    """

    def __init__(self, allowance: Mapping[str, int] | None = None, *, retry_after: int = 30):
        self.allowance = dict(allowance or {})
        self.retry_after = retry_after
        self.hits: list[tuple[str, str]] = []
        self._counts: Counter[tuple[str, str]] = Counter()

    async def hit(self, limit: str, key: str) -> int | None:
        self.hits.append((limit, key))
        self._counts[limit, key] += 1
        allowed = self.allowance.get(limit)
        if allowed is None or self._counts[limit, key] <= allowed:
            return None
        return self.retry_after


class SequentialSecrets:
    """Implements ``SecretSource``: ``refresh-1``, ``refresh-2``, ..."""

    def __init__(self, prefix: str = "refresh") -> None:
        self._prefix = prefix
        self._issued = 0
        self._ids = 0

    def token(self) -> str:
        self._issued += 1
        return f"{self._prefix}-{self._issued}"

    def new_id(self) -> UUID:
        """Ids ``…0001``, ``…0002``, ... in the order the use cases ask for them."""
        self._ids += 1
        return UUID(int=0x5EED_0000_0000_4000_8000_0000_0000_0000 + self._ids)
