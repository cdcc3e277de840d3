"""Session use cases: token rotation, logout, logout everywhere, and authentication.

Security decisions, written down:

* Refresh tokens are opaque, single use and rotated on every refresh. Presenting one that
  was already used means it leaked: the whole family (the session) is revoked, and so are
  its access tokens (the thief may hold the newest one).
* The user row is the session lock: rotation, logout, logout-everywhere and password
  change take it (``for_update``), so a rotation never slips a token past a revocation.
* Access tokens are short-lived JWTs. ``authenticate`` also reads, in one statement, the
  user's current ``session_version`` (moved by password change and logout-everywhere) and
  whether the token's refresh-token family was revoked (by logout or reuse detection), so
  every revocation takes effect at once, and all of it lives in SQL, the source of truth.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from uuid import UUID

from domain.accounts.commands import Logout, RefreshTokens
from domain.accounts.errors import InvalidRefreshToken
from domain.accounts.model import AuditAction, RequestMeta, SessionState, User, Viewer
from domain.accounts.ports import AccessTokenCodec, UnitOfWork
from domain.accounts.services.tokens import (
    AuthResult,
    SessionIssuer,
    audit,
    hash_refresh_token,
)
from domain.clock import Clock
from domain.errors import Unauthenticated

__all__ = ["authenticate", "logout", "logout_everywhere", "refresh_tokens"]


async def refresh_tokens(
    command: RefreshTokens,
    *,
    uow: UnitOfWork,
    sessions: SessionIssuer,
    clock: Clock,
) -> AuthResult:
    """Rotate a refresh token: the presented one is spent, a new pair is returned.

    Raises:
        InvalidRefreshToken: when the token is unknown, expired or revoked, or was already
            used, in which case its whole family is revoked as well.
    """
    now = clock.now()
    token_hash = hash_refresh_token(command.refresh_token)
    async with uow:
        stored = await uow.refresh_tokens.get_by_hash(token_hash)
        if stored is None or stored.revoked_at is not None or now >= stored.expires_at:
            await audit(
                uow,
                AuditAction.REFRESH_TOKEN_REJECTED,
                at=now,
                meta=command.meta,
                subject_id=stored.user_id if stored else None,
            )
            await uow.commit()
            raise InvalidRefreshToken("Refresh token is invalid or expired; log in again.")
        # The user row is the session's lock: logout-everywhere and password changes take it
        # too, so a rotation never slips a new token past their revocation.
        user = await uow.users.get(stored.user_id, for_update=True)
        claimed = await uow.refresh_tokens.mark_used(stored.id, at=now)
        if not claimed or user is None:
            revoked = await uow.refresh_tokens.revoke_family(stored.family_id, at=now)
            await audit(
                uow,
                AuditAction.REFRESH_TOKEN_REUSED,
                at=now,
                meta=command.meta,
                subject_id=stored.user_id,
                family_id=str(stored.family_id),
                revoked=revoked,
            )
            # The thief may hold an access token from the stolen rotation: it dies with the
            # family (``authenticate`` reads the family's revocation).
            await uow.commit()
            raise InvalidRefreshToken("Refresh token was already used; the session is revoked.")
        tokens = await sessions.issue(
            user, family_id=stored.family_id, now=now, meta=command.meta, uow=uow
        )
        await audit(uow, AuditAction.TOKENS_REFRESHED, at=now, meta=command.meta, actor_id=user.id)
        await uow.commit()
    return AuthResult(user=user, tokens=tokens)


async def logout(
    command: Logout,
    *,
    viewer: Viewer | None,
    uow: UnitOfWork,
    clock: Clock,
) -> None:
    """End one session: its refresh-token family and its access tokens stop working.

    Raises:
        InvalidRefreshToken: when the token is unknown or belongs to another user.
    """
    now = clock.now()
    async with uow:
        stored = await uow.refresh_tokens.get_by_hash(hash_refresh_token(command.refresh_token))
        if stored is None or (viewer is not None and stored.user_id != viewer.user_id):
            raise InvalidRefreshToken("Refresh token is not valid for this session.")
        await uow.users.get(stored.user_id, for_update=True)  # orders us with rotations
        await uow.refresh_tokens.revoke_family(stored.family_id, at=now)
        await audit(
            uow,
            AuditAction.LOGGED_OUT,
            at=now,
            meta=command.meta,
            actor_id=stored.user_id,
            family_id=str(stored.family_id),
        )
        await uow.commit()


async def logout_everywhere(
    viewer: Viewer, *, meta: RequestMeta, uow: UnitOfWork, clock: Clock
) -> int:
    """End every session of the viewer; returns how many refresh tokens were revoked."""
    now = clock.now()
    async with uow:
        user = await uow.users.get(viewer.user_id, for_update=True)
        if user is None:
            raise Unauthenticated("The account no longer exists.")
        await uow.users.update(
            replace(user, session_version=user.session_version + 1, updated_at=now)
        )
        revoked = await uow.refresh_tokens.revoke_all_for_user(user.id, at=now)
        await audit(
            uow,
            AuditAction.LOGGED_OUT_EVERYWHERE,
            at=now,
            meta=meta,
            actor_id=user.id,
            revoked=revoked,
        )
        await uow.commit()
    return revoked


async def authenticate(
    token: str,
    *,
    codec: AccessTokenCodec,
    read_session: Callable[[UUID, UUID], Awaitable[SessionState]],
    clock: Clock,
) -> tuple[Viewer, User]:
    """Turn a bearer token into the viewer, with the role the account has now, and that
    account as the session check read it (so the caller's own data needs no second read).

    Raises:
        Unauthenticated: when the token is malformed, forged, expired, logged out, older than
            the account's last password change or logout-everywhere, or its account is gone.
    """
    claims = codec.decode(token, now=clock.now())
    state = await read_session(claims.user_id, claims.family_id)
    user = state.user
    if user is None or user.session_version != claims.session_version:
        raise Unauthenticated("Access token is no longer valid; log in again.")
    if state.revoked:
        raise Unauthenticated("Access token was revoked: its session has ended.")
    viewer = Viewer(
        user_id=user.id,
        role=user.role,
        token_id=claims.token_id,
        family_id=claims.family_id,
        expires_at=claims.expires_at,
    )
    return viewer, user
