"""Issuing token pairs and recording audit entries: steps shared by the auth use cases."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.accounts.model import (
    AccessClaims,
    AuditAction,
    AuditEntry,
    RefreshToken,
    RequestMeta,
    TokenPair,
    User,
)
from domain.accounts.ports import AccessTokenCodec, SecretSource, UnitOfWork


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthResult:
    """The account and the fresh token pair of a successful authentication."""

    user: User
    tokens: TokenPair


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPolicy:
    """Lifetimes of the two tokens."""

    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)


def hash_refresh_token(secret: str) -> str:
    """Refresh tokens are high-entropy, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionIssuer:
    """Mints the token pair of a new session, or of the next turn of a rotated one."""

    codec: AccessTokenCodec
    secrets: SecretSource
    policy: TokenPolicy

    async def issue(
        self,
        user: User,
        *,
        family_id: UUID | None,
        now: datetime,
        meta: RequestMeta,
        uow: UnitOfWork,
    ) -> TokenPair:
        """Stage a refresh token (in ``family_id``, else a new family); sign an access token."""
        family = family_id or self.secrets.new_id()
        secret = self.secrets.token()
        refresh = RefreshToken(
            id=self.secrets.new_id(),
            user_id=user.id,
            family_id=family,
            token_hash=hash_refresh_token(secret),
            issued_at=now,
            expires_at=now + self.policy.refresh_ttl,
            user_agent=meta.user_agent,
            ip=meta.ip,
        )
        await uow.refresh_tokens.add(refresh)
        claims = AccessClaims(
            user_id=user.id,
            role=user.role,
            session_version=user.session_version,
            token_id=self.secrets.new_id().hex,
            family_id=family,
            issued_at=now,
            expires_at=now + self.policy.access_ttl,
        )
        return TokenPair(
            access_token=self.codec.issue(claims),
            access_expires_at=claims.expires_at,
            refresh_token=secret,
            refresh_expires_at=refresh.expires_at,
        )


async def audit(
    uow: UnitOfWork,
    action: AuditAction,
    *,
    at: datetime,
    meta: RequestMeta,
    actor_id: UUID | None = None,
    subject_id: UUID | None = None,
    **details: Any,
) -> None:
    """Append one entry to the audit log inside the current unit of work."""
    await uow.audit.append(
        AuditEntry(
            action=action,
            occurred_at=at,
            actor_id=actor_id,
            subject_id=subject_id if subject_id is not None else actor_id,
            ip=meta.ip,
            user_agent=meta.user_agent,
            request_id=meta.request_id,
            details=details,
        )
    )
