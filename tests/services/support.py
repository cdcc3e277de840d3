"""Fixed values, builders and a bundle of fakes shared by the service tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.accounts.commands import ChangePassword, Login, Logout, RefreshTokens, Register
from domain.accounts.model import (
    AuditAction,
    AuditEntry,
    LearningPreferences,
    Profile,
    RefreshToken,
    RequestMeta,
    Role,
    User,
    Viewer,
)
from domain.accounts.services import (
    AuthResult,
    SessionIssuer,
    TokenPolicy,
    authenticate,
    change_password,
    login,
    logout,
    refresh_tokens,
    register,
)
from domain.accounts.services.tokens import hash_refresh_token
from domain.clock import FixedClock
from tests.services.fakes import (
    FakeAccessTokenCodec,
    FakePasswordHasher,
    FakeRateLimiter,
    FakeSessionReader,
    FakeUnitOfWork,
    SequentialSecrets,
    fake_hash,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CREATED = NOW - timedelta(days=30)
ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=30)
PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
META = RequestMeta(ip="203.0.113.7", user_agent="pytest/9", request_id="req-1")

ALICE_ID = UUID("00000000-0000-4000-8000-00000000a11c")
BOB_ID = UUID("00000000-0000-4000-8000-000000000b0b")
ADMIN_ID = UUID("00000000-0000-4000-8000-0000000ad111")
FAMILY_A = UUID("00000000-0000-4000-8000-0000000fa001")
FAMILY_B = UUID("00000000-0000-4000-8000-0000000fa002")


def make_user(
    *,
    user_id: UUID = ALICE_ID,
    email: str = "alice@example.com",
    password: str = PASSWORD,
    role: Role = Role.LEARNER,
    session_version: int = 0,
    profile: Profile | None = None,
    preferences: LearningPreferences | None = None,
) -> User:
    """A stored account, created a month before ``NOW``, hashed with today's parameters."""
    return User(
        id=user_id,
        email=email,
        password_hash=fake_hash(password),
        role=role,
        profile=profile or Profile(display_name=email.split("@", maxsplit=1)[0].title()),
        preferences=preferences or LearningPreferences(),
        created_at=CREATED,
        updated_at=CREATED,
        session_version=session_version,
    )


def make_token(
    secret: str,
    *,
    user_id: UUID = ALICE_ID,
    family_id: UUID = FAMILY_A,
    token_id: int = 1,
    issued_at: datetime = NOW - timedelta(days=1),
    used_at: datetime | None = None,
    revoked_at: datetime | None = None,
) -> RefreshToken:
    """A stored refresh token whose secret is ``secret``, valid for the refresh lifetime."""
    return RefreshToken(
        id=UUID(int=token_id),
        user_id=user_id,
        family_id=family_id,
        token_hash=hash_refresh_token(secret),
        issued_at=issued_at,
        expires_at=issued_at + REFRESH_TTL,
        used_at=used_at,
        revoked_at=revoked_at,
    )


def audited(
    action: AuditAction,
    *,
    actor_id: UUID | None = None,
    subject_id: UUID | None = None,
    meta: RequestMeta = META,
    **details: Any,
) -> AuditEntry:
    """The audit entry a use case writes at ``NOW`` for a request with ``meta``."""
    return AuditEntry(
        action=action,
        occurred_at=NOW,
        actor_id=actor_id,
        subject_id=subject_id,
        ip=meta.ip,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        details=details,
    )


def viewer_of(user: User, *, family_id: UUID = FAMILY_A) -> Viewer:
    """The viewer an access token of ``user`` in ``family_id`` authenticates as."""
    return Viewer(
        user_id=user.id,
        role=user.role,
        token_id="jti-1",
        family_id=family_id,
        expires_at=NOW + ACCESS_TTL,
    )


@dataclass(kw_only=True)
class Env:
    """The fakes of one test, and the auth use cases called with them."""

    clock: FixedClock
    uow: FakeUnitOfWork
    hasher: FakePasswordHasher
    codec: FakeAccessTokenCodec
    secrets: SequentialSecrets
    limiter: FakeRateLimiter
    policy: TokenPolicy

    @classmethod
    def create(cls) -> Env:
        clock = FixedClock(NOW)
        return cls(
            clock=clock,
            uow=FakeUnitOfWork(),
            hasher=FakePasswordHasher(),
            codec=FakeAccessTokenCodec(),
            secrets=SequentialSecrets(),
            limiter=FakeRateLimiter(),
            policy=TokenPolicy(access_ttl=ACCESS_TTL, refresh_ttl=REFRESH_TTL),
        )

    @property
    def sessions(self) -> SessionIssuer:
        return SessionIssuer(codec=self.codec, secrets=self.secrets, policy=self.policy)

    async def register(self, command: Register) -> AuthResult:
        return await register(
            command,
            uow=self.uow,
            hasher=self.hasher,
            sessions=self.sessions,
            limiter=self.limiter,
            clock=self.clock,
        )

    async def login(self, command: Login) -> AuthResult:
        return await login(
            command,
            uow=self.uow,
            hasher=self.hasher,
            sessions=self.sessions,
            limiter=self.limiter,
            clock=self.clock,
        )

    async def refresh(self, secret: str) -> AuthResult:
        return await refresh_tokens(
            RefreshTokens(refresh_token=secret, meta=META),
            uow=self.uow,
            sessions=self.sessions,
            clock=self.clock,
        )

    async def logout(self, secret: str, *, viewer: Viewer | None) -> None:
        await logout(
            Logout(refresh_token=secret, meta=META),
            viewer=viewer,
            uow=self.uow,
            clock=self.clock,
        )

    async def change_password(self, command: ChangePassword, *, viewer: Viewer) -> AuthResult:
        return await change_password(
            command,
            viewer=viewer,
            uow=self.uow,
            hasher=self.hasher,
            sessions=self.sessions,
            limiter=self.limiter,
            clock=self.clock,
        )

    async def authenticate(self, token: str) -> Viewer:
        viewer, account = await authenticate(
            token,
            codec=self.codec,
            read_session=FakeSessionReader(self.uow).session,
            clock=self.clock,
        )
        assert account.id == viewer.user_id
        return viewer
