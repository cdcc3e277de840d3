"""Operational behaviour: audit trail, readiness, degraded Redis, metrics, headers."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from drivemaster.app import create_app
from persistence.migrate import upgrade
from tests.conftest import (
    PASSWORD,
    GraphQLClient,
    admin_execute,
    make_settings,
    serve_app,
    unique_email,
)

LOGIN = "mutation($i: LoginInput!) { login(input: $i) { __typename } }"


async def audit_actions(gql: GraphQLClient, user_id: str) -> list[str]:
    engine = gql.app.state.resources.engine
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.text(
                "SELECT action FROM audit_log WHERE subject_id = :id OR actor_id = :id ORDER BY id"
            ),
            {"id": user_id if engine.dialect.name == "postgresql" else user_id.replace("-", "")},
        )
        return [row[0] for row in rows]


async def test_every_auth_event_is_audited(gql: GraphQLClient) -> None:
    email = unique_email()
    auth = await gql.register(email)
    await gql(LOGIN, {"i": {"email": email, "password": "not my password!"}})
    laptop = await gql.register_login(email)
    refresh = "mutation($t: String!) { refreshTokens(refreshToken: $t) { __typename } }"
    await gql(refresh, {"t": auth["refreshToken"]})
    await gql(refresh, {"t": auth["refreshToken"]})  # reuse: this session's tokens all die
    assert (await gql("{ me { id } }", token=auth["accessToken"]))["errors"]
    await gql("mutation { logoutEverywhere { revokedSessions } }", token=laptop["accessToken"])
    assert await audit_actions(gql, auth["user"]["id"]) == [
        "registered",
        "login_failed",
        "login_succeeded",
        "tokens_refreshed",
        "refresh_token_reused",
        "logged_out_everywhere",
    ]


async def test_password_is_rehashed_when_parameters_change(
    migrated_url: str, redis_url: str | None
) -> None:
    email = unique_email()
    async with serve_app(make_settings(migrated_url, redis_url)) as cheap:
        auth = await cheap.register(email)
    stronger = make_settings(migrated_url, redis_url)
    stronger.auth.argon2_time_cost = 2
    async with serve_app(stronger) as client:
        assert (await client(LOGIN, {"i": {"email": email, "password": PASSWORD}}))["data"][
            "login"
        ]["__typename"] == "AuthSuccess"
        engine = client.app.state.resources.engine
        async with engine.connect() as connection:
            stored = (
                await connection.execute(
                    sa.text("SELECT password_hash FROM users WHERE email_key = :e"),
                    {"e": email},
                )
            ).scalar_one()
        assert ",t=2," in stored
        assert "rehashed" in " ".join(await audit_actions(client, auth["user"]["id"]))


async def test_readiness_and_health(gql: GraphQLClient, redis_url: str | None) -> None:
    assert (await gql.http.get("/healthz")).text == "ok"
    ready = await gql.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "database": "ok",
        "redis": "ok" if redis_url else "ok (embedded)",
    }


async def test_redis_outage_degrades_but_login_still_works(migrated_url: str) -> None:
    settings = make_settings(migrated_url, "redis://127.0.0.1:1/0")
    async with serve_app(settings) as client:
        ready = await client.http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "degraded", "database": "ok", "redis": "unreachable"}
        email = unique_email()
        auth = await client.register(email)  # rate limiter fails open
        me = await client("{ me { email } }", token=auth["accessToken"])
        assert me == {"data": {"me": {"email": email}}}
        logout = await client(
            "mutation($t: String!) { logout(refreshToken: $t) { __typename } }",
            {"t": auth["refreshToken"]},
            token=auth["accessToken"],
        )
        # Sessions live in SQL alone: logout needs no Redis, and takes effect at once.
        assert logout == {"data": {"logout": {"__typename": "LogoutSuccess"}}}
        after = await client("{ me { email } }", token=auth["accessToken"])
        assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_database_outage_is_unavailable() -> None:
    settings = make_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with serve_app(settings) as client:
        ready = await client.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        body = await client(LOGIN, {"i": {"email": unique_email(), "password": PASSWORD}})
        assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        assert body["errors"][0]["message"] == (
            "A service this request needs is unavailable; retry shortly."
        )


async def test_metrics_count_operations_and_errors(gql: GraphQLClient) -> None:
    await gql("query WhoAmI { me { id } }")
    text = (await gql.http.get("/metrics")).text
    assert 'drivemaster_graphql_operation_seconds_count{operation="WhoAmI",type="query"}' in text
    assert 'drivemaster_graphql_errors_total{code="UNAUTHENTICATED"}' in text
    assert 'drivemaster_http_request_seconds_count{method="POST",route="/graphql"' in text


async def test_security_headers_and_request_id(gql: GraphQLClient) -> None:
    response = await gql.http.post("/graphql", json={"query": "{ _service { sdl } }"})
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert headers["cache-control"] == "no-store"
    assert len(headers["x-request-id"]) == 32
    # Document-only policies are for HTML (GraphiQL), not JSON answers.
    assert "referrer-policy" not in headers
    assert "permissions-policy" not in headers
    bogus = await gql.http.get("/healthz", headers={"x-request-id": "bad id with spaces"})
    assert bogus.headers["x-request-id"] != "bad id with spaces"


@pytest.mark.postgres
async def test_pool_recovers_after_postgres_drops_its_connections(
    postgres_url: str, clock: Any
) -> None:
    """Connections killed under the pool (a PostgreSQL restart or failover): at most the
    first request fails, as UNAVAILABLE and retryable, and the next ones are served."""
    await asyncio.to_thread(upgrade, postgres_url)
    async with serve_app(make_settings(postgres_url), clock=clock) as client:
        auth = await client.register()
        me = "{ me { id } }"
        assert "errors" not in await client(me, token=auth["accessToken"])
        database = make_url(postgres_url).database
        terminate = (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 - our test db
            f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
        )
        await admin_execute(postgres_url, terminate)
        first = await client(me, token=auth["accessToken"])
        if "errors" in first:
            assert first["errors"][0]["extensions"] == {
                "code": "UNAVAILABLE",
                "retryable": True,
                "requestId": first["errors"][0]["extensions"]["requestId"],
            }
        for _ in range(3):
            again = await client(me, token=auth["accessToken"])
            assert again == {"data": {"me": {"id": auth["user"]["id"]}}}


async def test_graphql_is_served_only_while_the_lifespan_runs(migrated_url: str) -> None:
    """The endpoint is built by the lifespan and dropped before its resources close: outside
    it, /graphql is Starlette's 404, never a half-built endpoint."""
    app = create_app(make_settings(migrated_url))
    transport = httpx.ASGITransport(app=app)
    operation = {"query": "{ __typename }"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.post("/graphql", json=operation)).status_code == 404
        async with app.router.lifespan_context(app):
            answer = await http.post("/graphql", json=operation)
            assert answer.json() == {"data": {"__typename": "Query"}}
        assert (await http.post("/graphql", json=operation)).status_code == 404
    assert app.graphql is None


async def test_an_operation_refused_for_its_type_is_counted_under_its_name(
    gql: GraphQLClient,
) -> None:
    response = await gql.http.get(
        "/graphql", params={"query": "mutation Sneaky { logoutEverywhere { revokedSessions } }"}
    )
    assert response.status_code == 400
    text = (await gql.http.get("/metrics")).text
    assert 'drivemaster_graphql_operation_seconds_count{operation="Sneaky",type="unknown"}' in text
