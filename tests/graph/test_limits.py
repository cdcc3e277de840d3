"""Abuse limits, transport rules, production defaults, rate limits and masked errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from drivemaster.settings import Environment
from tests.conftest import GraphQLClient, make_settings, serve_app, unique_email


@pytest.fixture
async def strict(migrated_url: str, redis_url: str | None) -> AsyncIterator[GraphQLClient]:
    """An app with small limits, to test each of them."""
    settings = make_settings(
        migrated_url,
        redis_url,
        max_depth=3,
        max_aliases=2,
        max_tokens=60,
        max_list_size=3,
        max_batch_operations=2,
        max_body_bytes=2000,
    )
    async with serve_app(settings) as client:
        yield client


def first_error(body: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = body["errors"][0]
    return error


async def test_depth_limit(migrated_url: str) -> None:
    """Depth counts from 0 at the root field, as in Strawberry's QueryDepthLimiter."""
    async with serve_app(make_settings(migrated_url, max_depth=1)) as client:
        assert "errors" not in await client("{ _service { sdl } }")
        body = await client("{ me { learningPreferences { sessionLength } } }")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "'anonymous' exceeds maximum operation depth of 1",
                "locations": [{"line": 1, "column": 30}],
                "extensions": {"code": "VALIDATION_ERROR", "retryable": False},
            }
        ],
    }


async def test_depth_counts_through_fragments(migrated_url: str) -> None:
    query = (
        "query Deep { me { ...A } } fragment A on User { learningPreferences { ...B } } "
        "fragment B on LearningPreferences { sessionLength }"
    )
    async with serve_app(make_settings(migrated_url, max_depth=1)) as client:
        body = await client(query)
    assert first_error(body)["message"] == "'Deep' exceeds maximum operation depth of 1"


async def test_too_many_aliases(strict: GraphQLClient) -> None:
    body = await strict("{ a: me { id } b: me { id } c: me { id } }")
    assert body["errors"] == [
        {
            "message": "3 aliases found. Allowed: 2",
            "extensions": {"code": "VALIDATION_ERROR", "retryable": False},
        }
    ]


async def test_too_many_tokens(strict: GraphQLClient) -> None:
    body = await strict("{ " + "me { id } " * 30 + "}")
    assert first_error(body)["message"] == (
        "Syntax Error: Document contains more than 60 tokens. Parsing aborted."
    )
    assert first_error(body)["extensions"]["code"] == "VALIDATION_ERROR"


async def test_oversized_lists(strict: GraphQLClient) -> None:
    literal = await strict(
        '{ _entities(representations: [{__typename: "User", id: "1"}, {}, {}, {}]) { __typename } }'
    )
    assert first_error(literal)["message"] == "Lists may hold at most 3 items."
    variables = await strict(
        "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
        {"r": [{"__typename": "User", "id": "x"}] * 4},
    )
    assert first_error(variables)["message"] == "Variables may hold lists of at most 3 items."


async def test_body_too_large(strict: GraphQLClient) -> None:
    response = await strict.http.post("/graphql", json={"query": "{ me { id } }" + " " * 3000})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_batch_operation_limit(strict: GraphQLClient) -> None:
    operation = {"query": "{ _service { sdl } }"}
    ok = await strict.http.post("/graphql", json=[operation, operation])
    assert ok.status_code == 200
    assert len(ok.json()) == 2
    refused = await strict.http.post("/graphql", json=[operation] * 3)
    assert refused.status_code == 400


async def test_get_allows_queries_and_refuses_mutations(gql: GraphQLClient) -> None:
    query = await gql.http.get("/graphql", params={"query": "{ _service { sdl } }"})
    assert query.status_code == 200
    assert "@key" in query.json()["data"]["_service"]["sdl"]
    mutation = await gql.http.get(
        "/graphql", params={"query": 'mutation { logout(refreshToken: "x") { __typename } }'}
    )
    assert mutation.status_code == 400
    assert "mutations are not allowed when using GET" in mutation.text


async def test_production_turns_developer_aids_off(migrated_url: str) -> None:
    settings = make_settings(migrated_url).model_copy(update={"env": Environment.PRODUCTION})
    async with serve_app(settings) as client:
        introspection = await client("{ __schema { types { name } } }")
        assert first_error(introspection)["extensions"]["code"] == "VALIDATION_ERROR"
        assert "introspection" in first_error(introspection)["message"].lower()
        suggestion = await client("{ mee { id } }")
        assert first_error(suggestion)["message"] == "Cannot query field 'mee' on type 'Query'."
        page = await client.http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 404
        headers = (await client.http.get("/healthz")).headers
        assert headers["strict-transport-security"].startswith("max-age=")


async def test_development_keeps_suggestions_and_introspection(gql: GraphQLClient) -> None:
    suggestion = await gql("{ mee { id } }")
    assert first_error(suggestion)["message"] == (
        "Cannot query field 'mee' on type 'Query'. Did you mean 'me'?"
    )
    assert "errors" not in await gql("{ __schema { queryType { name } } }")


async def test_rate_limits_login_per_email(migrated_url: str, redis_url: str | None) -> None:
    limits = {
        "login_ip": "100/minute",
        "login_email": "2/minute",
        "register_ip": "100/minute",
        "register_email": "100/minute",
    }
    async with serve_app(make_settings(migrated_url, redis_url, rate_limits=limits)) as client:
        email = unique_email()
        await client.register(email)
        login = (
            "mutation($i: LoginInput!) { login(input: $i) { __typename } }",
            {"i": {"email": email, "password": "wrong password here"}},
        )
        for _ in range(2):
            assert (await client(*login))["data"]["login"]["__typename"] == (
                "InvalidCredentialsError"
            )
        body = await client(*login)
        error = first_error(body)
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryable"] is True
        assert 1 <= error["extensions"]["retryAfter"] <= 60
        # Another email from the same IP is not affected.
        other = {"i": {"email": unique_email(), "password": "wrong password here"}}
        assert (await client(login[0], other))["data"]["login"]["__typename"] == (
            "InvalidCredentialsError"
        )


async def test_rate_limits_register_per_ip(migrated_url: str, redis_url: str | None) -> None:
    limits = {
        "login_ip": "100/minute",
        "login_email": "100/minute",
        "register_ip": "1/minute",
        "register_email": "100/minute",
    }
    async with serve_app(make_settings(migrated_url, redis_url, rate_limits=limits)) as client:
        await client.register()
        body = await client(
            "mutation($i: RegisterInput!) { register(input: $i) { __typename } }",
            {"i": {"email": unique_email(), "password": "correct horse battery"}},
        )
        assert first_error(body)["extensions"]["code"] == "RATE_LIMITED"


async def test_unexpected_errors_are_masked_and_logged(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    auth = await gql.register()

    class Exploding:
        async def load(self, key: Any) -> Any:
            raise RuntimeError("secret internals: password=hunter2")

    endpoint = gql.app.graphql
    assert endpoint is not None
    original = endpoint._make_loaders

    def make() -> Any:
        loaders = original()
        object.__setattr__(loaders, "user", Exploding())
        return loaders

    endpoint._make_loaders = make
    with caplog.at_level(logging.ERROR, logger="drivemaster.graphql"):
        response = await gql.http.post(
            "/graphql",
            json={
                "query": "query($id: ID!) { user(id: $id) { id } }",
                "variables": {"id": auth["user"]["id"]},
            },
            headers={"authorization": f"Bearer {auth['accessToken']}", "x-request-id": "req-42"},
        )
    body = response.json()
    assert response.status_code == 200
    assert (
        body["errors"][0]["message"] == "Internal error; quote request id req-42 when reporting it."
    )
    assert body["errors"][0]["extensions"] == {
        "code": "INTERNAL",
        "retryable": False,
        "requestId": "req-42",
    }
    assert "hunter2" not in response.text
    assert response.headers["x-request-id"] == "req-42"
    record = next(r for r in caplog.records if r.name == "drivemaster.graphql")
    assert record.request_id == "req-42"  # type: ignore[attr-defined]
    assert record.exc_info is not None


async def test_malformed_bodies_are_400s(gql: GraphQLClient) -> None:
    for body in (
        '"x"',
        "[1, 2]",
        "42",
        '{"query": 5}',
        '{"query": "{ me { id } }", "variables": []}',
    ):
        response = await gql.http.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, body
    broken = await gql.http.post(
        "/graphql", content="{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
