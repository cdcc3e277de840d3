"""End-to-end fixtures: the app served by a real uvicorn server on a free local port.

The server runs as a task in the test session's event loop (``asyncio_default_*_loop_scope``
is ``session``), so the app's engine and Redis client live on the same loop as the tests,
and it is shut down cleanly (``should_exit``) when the backend's tests are done.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from drivemaster.app import create_app
from tests.conftest import PASSWORD, REGISTER, make_settings, unique_email

STARTUP_TIMEOUT_SECONDS = 10.0
SHUTDOWN_TIMEOUT_SECONDS = 10.0


@contextlib.asynccontextmanager
async def run_uvicorn(app: Starlette) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a free port); yields the base URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="on",
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="uvicorn")
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
            while not server.started:
                if task.done():
                    task.result()  # re-raise a startup failure
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.01)
        (listener,) = server.servers
        host, port = listener.sockets[0].getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        async with asyncio.timeout(SHUTDOWN_TIMEOUT_SECONDS):
            await task


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL (``http://``) and WebSocket URL of ``/graphql``."""

    url: str
    app: Starlette
    backend: str

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def ws_url(self) -> str:
        return self.graphql_url.replace("http://", "ws://", 1)


@pytest.fixture(scope="session")
async def live_server(
    backend: str, migrated_url: str, redis_url: str | None
) -> AsyncIterator[LiveServer]:
    """The app on the current backend (the PostgreSQL leg with real Redis), over real TCP."""
    app = create_app(make_settings(migrated_url, redis_url))
    async with run_uvicorn(app) as url:
        yield LiveServer(url=url, app=app, backend=backend)


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the live server (a real socket, closed after the test)."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10.0) as client:
        yield client


async def post_graphql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    operation_name: str | None = None,
) -> httpx.Response:
    """POST one operation to ``/graphql`` of the live server."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    payload: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation_name is not None:
        payload["operationName"] = operation_name
    return await http.post("/graphql", json=payload, headers=headers)


async def register_user(http: httpx.AsyncClient, email: str | None = None) -> dict[str, Any]:
    """Register a fresh learner over HTTP; returns the ``AuthSuccess`` payload."""
    response = await post_graphql(
        http, REGISTER, {"input": {"email": email or unique_email("e2e"), "password": PASSWORD}}
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["register"]
    assert payload["__typename"] == "AuthSuccess", payload
    return payload
