"""The per-request context: who is asking, the ports resolvers call, and the DataLoaders."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from domain.accounts.model import AccessClaims, RequestMeta, User, Viewer
from domain.accounts.ports import (
    AccessTokenCodec,
    PasswordHasher,
    RateLimiter,
    SessionReader,
    UnitOfWork,
)
from domain.accounts.services import SessionIssuer, authenticate
from domain.clock import Clock
from domain.errors import Unauthenticated

MAX_USER_AGENT = 300  # characters of the User-Agent header kept for the audit log


@dataclass(frozen=True, kw_only=True)
class Ports:
    """The adapters the composition root wires in; shared by every request."""

    uow: Callable[[], UnitOfWork]
    clock: Clock
    hasher: PasswordHasher
    codec: AccessTokenCodec
    sessions: SessionIssuer
    limiter: RateLimiter
    session_reader: SessionReader


class VerifiedTokens:
    """An ``AccessTokenCodec`` that remembers the tokens it has verified, per process.

    Decoding (signature, issuer, audience, claims) is the same work for every request that
    carries the same token: with PyJWT some 70-90 µs of CPU, a tenth of a small query
    (``benchmarks/README.md``). Only tokens the wrapped codec accepted are kept, bounded
    (oldest first out), and a remembered token is answered from memory only between its
    ``iat`` and ``exp``, where the wrapped codec, with the same key, would return the very
    same claims; outside that window (and for every unknown token) the codec decides.
    Revocation and the session-version check still run on every request.
    """

    def __init__(self, codec: AccessTokenCodec, *, size: int = 10_000) -> None:
        self._codec = codec
        self._size = size
        self._claims: dict[str, AccessClaims] = {}

    def issue(self, claims: AccessClaims) -> str:
        return self._codec.issue(claims)

    def decode(self, token: str, *, now: datetime) -> AccessClaims:
        claims = self._claims.get(token)
        if claims is not None and claims.issued_at <= now < claims.expires_at:
            return claims
        claims = self._codec.decode(token, now=now)
        if len(self._claims) >= self._size:
            del self._claims[next(iter(self._claims))]
        self._claims[token] = claims
        return claims


@dataclass(frozen=True, kw_only=True)
class Loaders:
    """DataLoaders, created fresh for every request (never shared between requests)."""

    user: DataLoader[UUID, User | None]


@dataclass(kw_only=True)
class Context:
    """What every resolver gets as ``info.context``."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    request_id: str
    ports: Ports
    make_loaders: Callable[[], Loaders]
    bearer: str | None = None
    connection_params: dict[str, Any] | None = None
    _checked: bool = field(default=False, repr=False)
    _viewer: Viewer | None = field(default=None, repr=False)
    _account: User | None = field(default=None, repr=False)
    _failure: Exception | None = field(default=None, repr=False)
    _loaders: Loaders | None = field(default=None, repr=False)

    @functools.cached_property
    def meta(self) -> RequestMeta:
        """Where the request came from (for rate limits and the audit log)."""
        client = self.request.client
        user_agent = self.request.headers.get("user-agent") or ""
        return RequestMeta(
            ip=client.host if client else None,
            user_agent=user_agent[:MAX_USER_AGENT] or None,
            request_id=self.request_id,
        )

    @property
    def loaders(self) -> Loaders:
        """This request's DataLoaders, created when first used."""
        if self._loaders is None:
            self._loaders = self.make_loaders()
        return self._loaders

    async def authenticate(self) -> None:
        """Work out who is asking, once, before the operation runs.

        Resolvers and permission classes then read the caller synchronously (``viewer``),
        so fields that only need the caller resolve without awaiting. A token that is not
        acceptable is kept as a failure and raised to whatever asks for the caller: a bad
        token is never silently treated as anonymous, and an operation that does not need
        the caller (``login`` with a stale header) is not refused for it.
        """
        if not self._checked:
            self._viewer, self._account, self._failure = await self._outcome()
            self._checked = True

    async def _outcome(self) -> tuple[Viewer | None, User | None, Exception | None]:
        """The caller, their account as read with the session, or why the token failed;
        computed without touching the context, so it can be swapped in at once."""
        if self.bearer is None:
            return None, None, None
        ports = self.ports
        try:
            viewer, account = await authenticate(
                self.bearer,
                codec=ports.codec,
                read_session=ports.session_reader.session,
                clock=ports.clock,
            )
        except Exception as error:  # noqa: BLE001 - raised again to whoever asks for the caller
            return None, None, error
        return viewer, account, None

    async def begin_operation(self) -> None:
        """Called as each operation starts: authenticates. A WebSocket keeps one context for
        its whole life, so every operation on it gets fresh DataLoaders (no stale reads) and
        authenticates again (a logout, password change or expiry ends access on open sockets
        too). The new outcome replaces the old one in one step, after the read: operations
        still running on the socket never see the caller unset."""
        if self._checked and isinstance(self.request, WebSocket):
            self._loaders = None
            self._viewer, self._account, self._failure = await self._outcome()
            return
        await self.authenticate()

    def viewer(self) -> Viewer | None:
        """The caller, or ``None`` for an anonymous request.

        Raises:
            Unauthenticated: when a token was sent but is not acceptable.
            RuntimeError: when called before ``authenticate`` (a bug, not a client error).
        """
        if not self._checked:
            raise RuntimeError("the caller is read before authentication ran")
        if self._failure is not None:
            raise self._failure
        return self._viewer

    def require_viewer(self) -> Viewer:
        """The caller; raises ``Unauthenticated`` for anonymous requests."""
        viewer = self.viewer()
        if viewer is None:
            raise Unauthenticated("Authentication required: send 'Authorization: Bearer <token>'.")
        return viewer

    def require_account(self) -> User:
        """The caller's account as this request's authentication read it."""
        viewer = self.require_viewer()
        if self._account is None or self._account.id != viewer.user_id:
            raise RuntimeError("the caller's account was not read with the session")
        return self._account


Info = strawberry.Info[Context, None]
