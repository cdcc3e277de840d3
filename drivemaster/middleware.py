"""Pure ASGI middleware: request ids, security headers, body size limit, HTTP metrics.

Pure ASGI (not ``BaseHTTPMiddleware``) so that it costs microseconds and never buffers
streaming responses or WebSockets.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from typing import Any

import orjson
from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from drivemaster.logs import request_id_var
from graph.metrics import LabelChildren

log = logging.getLogger("drivemaster.http")

HTTP_SECONDS = Histogram(
    "drivemaster_http_request_seconds",
    "HTTP request latency by route and status.",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# GraphiQL loads its scripts and styles from unpkg; everything else is JSON or text.
GRAPHIQL_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://unpkg.com; img-src 'self' data: https:; "
    "font-src https://unpkg.com data:; connect-src 'self' ws: wss:; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# On every response: OWASP's set for APIs (REST Security Cheat Sheet), with the CSP above.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
)
# Only on HTML (GraphiQL): they govern what a rendered document may do (send referrers,
# share a browsing context group, use device features); JSON and text answers are never
# rendered as documents with links, windows or scripts, so they would only cost bytes and
# the server's per-header checks on every API answer.
DOCUMENT_HEADERS = (
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
SET_HERE = frozenset(
    {name for name, _ in (*SECURITY_HEADERS, *DOCUMENT_HEADERS, HSTS)}
    | {b"x-request-id", b"content-security-policy"}
)
# Generated request ids: a random per-process prefix and a counter (unique without a
# system call per request; ids are correlation handles, not secrets).
_ID_PREFIX = secrets.token_hex(8)
_id_counter = itertools.count(1)


class BodyTooLarge(Exception):
    """Raised inside ``receive`` when a request body passes the limit."""


class RequestContextMiddleware:
    """Gives every request an id, guards the body size, adds security headers, times it."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, hsts: bool) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        fixed = (*SECURITY_HEADERS, HSTS) if hsts else SECURITY_HEADERS
        self._api_headers = (*fixed, (b"content-security-policy", API_CSP.encode()))
        self._html_headers = (
            *fixed,
            *DOCUMENT_HEADERS,
            (b"content-security-policy", GRAPHIQL_CSP.encode()),
        )
        self._timers = LabelChildren(HTTP_SECONDS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        try:
            if scope["type"] == "http":
                await self._http(scope, receive, send, request_id)
            else:
                await self.app(scope, receive, send)
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _request_id(scope: Scope) -> str:
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                candidate = bytes(value).decode("latin-1")
                if REQUEST_ID.match(candidate):
                    return candidate
        return f"{_ID_PREFIX}{next(_id_counter):016x}"  # 32 hex digits, like a UUID

    async def _http(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = time.perf_counter()
        status = 500
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                await self._too_large(send, request_id)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self._secure(message, request_id)
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            await self._too_large(send, request_id)
            status = 413
        finally:
            self._timer(scope, status).observe(time.perf_counter() - started)

    def _timer(self, scope: Scope, status: int) -> Any:
        """The histogram child for this route, method and status."""
        path = scope.get("path", "")
        return self._timers.get(
            path if path in ROUTES else "other", scope.get("method", ""), str(status)
        )

    def _secure(self, message: Message, request_id: str) -> None:
        """Set the security headers and the request id, replacing any the app set."""
        headers: list[tuple[bytes, bytes]] = []
        fixed = self._api_headers
        for header in message.get("headers", ()):
            name = header[0].lower()
            if name in SET_HERE:
                continue
            if name == b"content-type" and header[1].startswith(b"text/html"):
                fixed = self._html_headers
            headers.append(header)
        headers += fixed
        headers.append((b"x-request-id", request_id.encode("latin-1")))
        message["headers"] = headers

    async def _too_large(self, send: Send, request_id: str) -> None:
        body: dict[str, Any] = {
            "errors": [
                {
                    "message": f"Request body exceeds {self.max_body_bytes} bytes.",
                    "extensions": {"code": "VALIDATION_ERROR", "retryable": False},
                }
            ]
        }
        start: Message = {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
        self._secure(start, request_id)
        await send(start)
        await send({"type": "http.response.body", "body": orjson.dumps(body)})
