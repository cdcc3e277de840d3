"""The whole HTTP surface over real TCP: sessions, GET reads, GraphiQL, probes and metrics."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import PASSWORD, TEST_SECRET, unique_email
from tests.e2e.conftest import LiveServer, post_graphql

pytestmark = pytest.mark.e2e

ACCESS_TTL = timedelta(seconds=900)  # AuthSettings.access_token_ttl_seconds default
REFRESH_TTL = timedelta(days=30)  # AuthSettings.refresh_token_ttl_days default
CLOCK_SLACK = timedelta(seconds=60)

AUTH_SUCCESS = """
    __typename
    ... on AuthSuccess {
      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
      user { id email displayName role }
    }
    ... on Error { code message field }
"""
REGISTER = f"""
mutation Register($input: RegisterInput!) {{ register(input: $input) {{ {AUTH_SUCCESS} }} }}
"""
LOGIN = f"""
mutation Login($input: LoginInput!) {{ login(input: $input) {{ {AUTH_SUCCESS} }} }}
"""
REFRESH = f"""
mutation Refresh($token: String!) {{ refreshTokens(refreshToken: $token) {{ {AUTH_SUCCESS} }} }}
"""
LOGOUT = """
mutation Logout($token: String!) {
  logout(refreshToken: $token) {
    __typename
    ... on LogoutSuccess { revokedSessions }
    ... on Error { code message field }
  }
}
"""
ME = "query Me { me { id email displayName role } }"
SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")


class AccessToken:
    """Equal to an HS256 access token of the test secret whose subject is ``user_id``."""

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        claims = jwt.decode(
            other,
            TEST_SECRET,
            algorithms=["HS256"],
            audience="drivemaster-api",
            issuer="drivemaster",
        )
        return bool(claims["sub"] == self.user_id)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<access token of {self.user_id}>"


class OpaqueToken:
    """Equal to a URL-safe opaque token of at least 32 characters (a refresh token)."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return re.fullmatch(r"[A-Za-z0-9_-]{32,}", other) is not None

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<opaque token>"


class Instant:
    """Equal to an ISO-8601 timestamp (with offset) within ``CLOCK_SLACK`` of ``at``."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        parsed = datetime.fromisoformat(other)
        return parsed.tzinfo is not None and abs(parsed - self.at) <= CLOCK_SLACK

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<instant near {self.at.isoformat()}>"


class Anything:
    """Equal to any value of ``kind``."""

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, self.kind)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<any {self.kind.__name__}>"


def auth_success(user_id: str, email: str) -> dict[str, Any]:
    """The expected ``AuthSuccess`` of a fresh learner session issued now."""
    now = datetime.now(UTC)
    return {
        "__typename": "AuthSuccess",
        "accessToken": AccessToken(user_id),
        "accessTokenExpiresAt": Instant(now + ACCESS_TTL),
        "refreshToken": OpaqueToken(),
        "refreshTokenExpiresAt": Instant(now + REFRESH_TTL),
        "user": {
            "id": user_id,
            "email": email,
            "displayName": email.split("@", maxsplit=1)[0],
            "role": "LEARNER",
        },
    }


async def call(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
) -> dict[str, Any]:
    response = await post_graphql(http, query, variables, token=token)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    return body


def unauthenticated(message: object, column: int = 12) -> dict[str, Any]:
    """The body of ``ME`` refused for ``message``."""
    return {
        "data": None,
        "errors": [
            {
                "message": message,
                "locations": [{"line": 1, "column": column}],
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED", "retryable": False},
            }
        ],
    }


INVALID_REFRESH_TOKEN = {
    "__typename": "InvalidRefreshTokenError",
    "code": "INVALID_REFRESH_TOKEN",
    "message": "Refresh token is invalid or expired; log in again.",
    "field": None,
}


async def test_session_life_cycle(http: httpx.AsyncClient) -> None:
    """register -> login -> me -> refreshTokens -> logout, every response in full."""
    email = unique_email("e2e")

    registered = await call(http, REGISTER, {"input": {"email": email, "password": PASSWORD}})
    user_id = registered["data"]["register"]["user"]["id"]
    assert uuid.UUID(user_id)
    assert registered == {"data": {"register": auth_success(user_id, email)}}
    first = registered["data"]["register"]

    logged_in = await call(http, LOGIN, {"input": {"email": email, "password": PASSWORD}})
    assert logged_in == {"data": {"login": auth_success(user_id, email)}}
    login = logged_in["data"]["login"]
    assert login["accessToken"] != first["accessToken"]
    assert login["refreshToken"] != first["refreshToken"]

    me = {
        "id": user_id,
        "email": email,
        "displayName": email.split("@", maxsplit=1)[0],
        "role": "LEARNER",
    }
    assert await call(http, ME, token=login["accessToken"]) == {"data": {"me": me}}

    refreshed = await call(http, REFRESH, {"token": login["refreshToken"]})
    assert refreshed == {"data": {"refreshTokens": auth_success(user_id, email)}}
    rotated = refreshed["data"]["refreshTokens"]
    assert rotated["refreshToken"] != login["refreshToken"]
    assert rotated["accessToken"] != login["accessToken"]
    assert await call(http, ME, token=rotated["accessToken"]) == {"data": {"me": me}}

    logged_out = await call(http, LOGOUT, {"token": rotated["refreshToken"]})
    assert logged_out == {"data": {"logout": {"__typename": "LogoutSuccess", "revokedSessions": 1}}}

    # That session is over: its refresh token and its access token stop working ...
    again = await call(http, REFRESH, {"token": rotated["refreshToken"]})
    assert again == {"data": {"refreshTokens": INVALID_REFRESH_TOKEN}}
    assert await call(http, ME, token=rotated["accessToken"]) == unauthenticated(
        "Access token was revoked: its session has ended."
    )
    # ... while the session opened by register is untouched.
    assert await call(http, ME, token=first["accessToken"]) == {"data": {"me": me}}


async def test_wrong_password_is_refused(http: httpx.AsyncClient) -> None:
    email = unique_email("e2e")
    await call(http, REGISTER, {"input": {"email": email, "password": PASSWORD}})
    body = await call(http, LOGIN, {"input": {"email": email, "password": PASSWORD + "!"}})
    assert body == {
        "data": {
            "login": {
                "__typename": "InvalidCredentialsError",
                "code": "INVALID_CREDENTIALS",
                "message": Anything(str),
                "field": None,
            }
        }
    }


async def test_me_without_and_with_a_tampered_token(http: httpx.AsyncClient) -> None:
    email = unique_email("e2e")
    registered = await call(http, REGISTER, {"input": {"email": email, "password": PASSWORD}})
    token: str = registered["data"]["register"]["accessToken"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    assert await call(http, ME) == unauthenticated(
        "Authentication required: send 'Authorization: Bearer <token>'."
    )
    assert await call(http, ME, token=tampered) == unauthenticated(
        "Access token is invalid: Signature verification failed."
    )


async def test_get_serves_reads_with_a_token(http: httpx.AsyncClient) -> None:
    email = unique_email("e2e")
    registered = await call(http, REGISTER, {"input": {"email": email, "password": PASSWORD}})
    auth = registered["data"]["register"]

    response = await http.get(
        "/graphql",
        params={"query": "{me{id}}"},
        headers={"authorization": f"Bearer {auth['accessToken']}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"data": {"me": {"id": auth["user"]["id"]}}}


async def test_get_refuses_mutations(http: httpx.AsyncClient) -> None:
    email = unique_email("e2e")
    registered = await call(http, REGISTER, {"input": {"email": email, "password": PASSWORD}})
    token = registered["data"]["register"]["accessToken"]

    response = await http.get(
        "/graphql",
        params={"query": "mutation { logoutEverywhere { revokedSessions } }"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.text == "mutations are not allowed when using GET"
    # The mutation did not run: the session is still alive.
    assert await call(http, "{ me { email } }", token=token) == {"data": {"me": {"email": email}}}


async def test_graphiql_is_served_with_security_headers(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql", headers={"accept": "text/html", "x-request-id": "e2e-graphiql-1"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-request-id"] == "e2e-graphiql-1"
    assert response.headers["referrer-policy"] == "no-referrer"  # document policies: HTML only
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert response.headers["permissions-policy"].startswith("camera=()")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "https://unpkg.com" in csp  # the GraphiQL page's own policy, not the API's


async def test_api_responses_carry_security_headers_and_a_request_id(
    http: httpx.AsyncClient,
) -> None:
    first = await post_graphql(http, "{ __typename }")
    second = await post_graphql(http, "{ __typename }")
    for response in (first, second):
        assert response.status_code == 200
        assert response.json() == {"data": {"__typename": "Query"}}
        for header in SECURITY_HEADERS:
            assert header in response.headers
        assert response.headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_healthz(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"
    assert "x-request-id" in response.headers


async def test_readyz_names_database_and_redis(
    http: httpx.AsyncClient, live_server: LiveServer
) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    redis = "ok" if live_server.backend == "postgres" else "ok (embedded)"
    assert response.json() == {"status": "ready", "database": "ok", "redis": redis}


def sample_value(exposition: str, family: str, sample: str, labels: dict[str, str]) -> float:
    """The value of one sample of ``family`` with exactly ``labels`` (0 when absent)."""
    for metric in text_string_to_metric_families(exposition):
        if metric.name != family:
            continue
        for candidate in metric.samples:
            if candidate.name == sample and candidate.labels == labels:
                return float(candidate.value)
    return 0.0


async def scrape(http: httpx.AsyncClient) -> str:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_metrics_time_named_operations(http: httpx.AsyncClient) -> None:
    labels = {"operation": "E2EMetricsProbe", "type": "query"}
    before = sample_value(
        await scrape(http),
        "drivemaster_graphql_operation_seconds",
        "drivemaster_graphql_operation_seconds_count",
        labels,
    )
    response = await post_graphql(http, "query E2EMetricsProbe { __typename }")
    assert response.json() == {"data": {"__typename": "Query"}}

    exposition = await scrape(http)
    assert (
        'drivemaster_graphql_operation_seconds_count{operation="E2EMetricsProbe",type="query"}'
        in exposition
    )
    after = sample_value(
        exposition,
        "drivemaster_graphql_operation_seconds",
        "drivemaster_graphql_operation_seconds_count",
        labels,
    )
    assert after == before + 1


async def test_metrics_count_errors_by_code(http: httpx.AsyncClient) -> None:
    labels = {"code": "UNAUTHENTICATED"}
    before = sample_value(
        await scrape(http),
        "drivemaster_graphql_errors",
        "drivemaster_graphql_errors_total",
        labels,
    )
    assert await call(http, ME) == unauthenticated(
        "Authentication required: send 'Authorization: Bearer <token>'."
    )
    exposition = await scrape(http)
    assert 'drivemaster_graphql_errors_total{code="UNAUTHENTICATED"}' in exposition
    after = sample_value(
        exposition, "drivemaster_graphql_errors", "drivemaster_graphql_errors_total", labels
    )
    assert after == before + 1
