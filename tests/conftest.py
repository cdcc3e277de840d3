"""Shared fixtures: real databases (SQLite always, PostgreSQL and Redis when configured).

``TEST_DATABASE_URL`` (an asyncpg URL) names a server where a fresh database is created for
the run and dropped afterwards; ``TEST_REDIS_URL`` names a Redis whose database is flushed
before use. Without them, the PostgreSQL and Redis legs are skipped (``.ci/run`` sets both
and fails when any test was skipped).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from domain.clock import FixedClock
from drivemaster.app import DriveMasterApp, create_app
from drivemaster.settings import (
    AuthSettings,
    DatabaseSettings,
    GraphQLSettings,
    RateLimitSettings,
    RedisSettings,
    Settings,
)
from graph.extensions import Limits
from persistence.migrate import upgrade

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-signing"
# Schema limits for tests that build a schema without the app's settings.
LIMITS = Limits(
    max_depth=10,
    max_aliases=15,
    max_tokens=2000,
    max_list_size=100,
    introspection=False,
    cache_size=10,
)


def needs_postgres() -> None:
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")


def needs_redis() -> None:
    if not TEST_REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set")


async def admin_execute(url: str, statement: str) -> None:
    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test run."""
    needs_postgres()
    assert TEST_DATABASE_URL is not None
    name = f"drivemaster_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin_execute(TEST_DATABASE_URL, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'drivemaster.db'}"


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def migrated_url(backend: str, request: pytest.FixtureRequest) -> str:
    """A migrated database of the current backend, shared by the session's tests."""
    url: str = request.getfixturevalue(f"{backend}_url")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url(backend: str) -> str | None:
    """The PostgreSQL leg runs with real Redis; the SQLite leg with the embedded store."""
    if backend != "postgres":
        return None
    needs_redis()
    return TEST_REDIS_URL


def make_settings(
    database_url: str,
    redis_url: str | None = None,
    *,
    key_file: Path | None = None,
    rate_limits: dict[str, str] | None = None,
    **graphql: Any,
) -> Settings:
    """Settings for tests: cheap argon2, a fixed secret, generous rate limits."""
    return Settings(
        database=DatabaseSettings(url=database_url),
        redis=RedisSettings(url=redis_url),
        auth=AuthSettings(
            jwt_secret=TEST_SECRET,
            key_file=key_file,
            argon2_time_cost=1,
            argon2_memory_cost_kib=1024,
            argon2_parallelism=1,
        ),
        rate_limits=RateLimitSettings(
            **(
                rate_limits
                or {
                    "login_ip": "10000/minute",
                    "login_email": "10000/minute",
                    "register_ip": "10000/minute",
                    "register_email": "10000/minute",
                }
            )
        ),
        graphql=GraphQLSettings(**graphql),
    )


@dataclass
class GraphQLClient:
    """Posts operations to the app over HTTP and returns the decoded JSON body."""

    http: httpx.AsyncClient
    app: DriveMasterApp

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        all_headers = dict(headers or {})
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    @property
    def settings(self) -> Settings:
        settings: Settings = self.app.state.resources.settings
        return settings

    async def register(self, email: str | None = None, password: str = PASSWORD) -> dict[str, Any]:
        """Register a fresh account; returns the AuthSuccess payload."""
        email = email or unique_email()
        body = await self(REGISTER, {"input": {"email": email, "password": password}})
        payload: dict[str, Any] = body["data"]["register"]
        assert payload["__typename"] == "AuthSuccess", payload
        return payload

    async def register_login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """Log in an existing account; returns the AuthSuccess payload."""
        body = await self(
            "mutation($i: LoginInput!) { login(input: $i) { __typename "
            "... on AuthSuccess { accessToken refreshToken user { id email } } } }",
            {"i": {"email": email, "password": password}},
        )
        payload: dict[str, Any] = body["data"]["login"]
        assert payload["__typename"] == "AuthSuccess", payload
        return payload


REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    __typename
    ... on AuthSuccess { accessToken refreshToken accessTokenExpiresAt
                         user { id email displayName role } }
    ... on Error { code message field }
    ... on ValidationError { issues { field message } }
  }
}
"""


def unique_email(prefix: str = "learner") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


@contextlib.asynccontextmanager
async def serve_app(
    settings: Settings, *, clock: FixedClock | None = None
) -> AsyncIterator[GraphQLClient]:
    """Run the app's lifespan and hand out an HTTP client bound to it."""
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        # A fresh documentation-range IPv6 address per app: rate-limit counters kept in Redis
        # by earlier tests or runs never leak into this one.
        client_ip = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
        transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http=http, app=app)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def gql(
    migrated_url: str, redis_url: str | None, clock: FixedClock
) -> AsyncIterator[GraphQLClient]:
    """A client of the app on the current backend, with a fixed clock."""
    async with serve_app(make_settings(migrated_url, redis_url), clock=clock) as client:
        yield client
