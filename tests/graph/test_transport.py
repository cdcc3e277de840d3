"""The HTTP transport of /graphql: the fast path for one JSON operation and Strawberry's view.

``GraphQLEndpoint`` answers a POST of ``application/json`` holding one well-formed operation
itself; everything else (GET, batches, bodies orjson refuses, malformed operations, other
content types, streaming ``Accept``) is replayed into Strawberry's view. These tests pin that
both paths answer alike: same bytes for the same operation, Strawberry's 400 wording and
plain-text bodies, the middleware's headers and body limit, and the error policy's codes.

A batch of one (``[operation]``) is the way to ask Strawberry's view for the answer to an
operation the fast path would take: its answer is a list holding that answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import strawberry
from starlette.background import BackgroundTask

from domain.clock import SystemClock
from graph.context import Ports
from graph.extensions import DocumentCache, ErrorPolicy
from graph.schema import DriveMasterSchema
from graph.view import GraphQLEndpoint
from tests.conftest import LIMITS, GraphQLClient, make_settings, serve_app

API_CSP = "default-src 'none'; frame-ancestors 'none'"
GENERATED_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
PLAIN_TEXT = "text/plain; charset=utf-8"
ME = "{ me { id email } }"
UPDATE_GOAL = (
    "mutation($input: UpdateLearningPreferencesInput!) "
    "{ updateLearningPreferences(input: $input) { __typename } }"
)
SMALL_BODY_LIMIT = 1_000  # GraphQLSettings.max_body_bytes allows no less


async def post_raw(
    client: GraphQLClient,
    body: bytes | str,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST ``body`` to /graphql exactly as given."""
    return await client.http.post(
        "/graphql", content=body, headers={"content-type": content_type, **(headers or {})}
    )


async def post_operation(
    client: GraphQLClient, operation: Any, *, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST ``operation`` encoded by the standard library (which, unlike orjson, writes
    integers of any size) as ``application/json``: the fast path when it is one operation."""
    return await post_raw(client, json.dumps(operation), headers=headers)


async def fast_and_strawberry(
    client: GraphQLClient, operation: dict[str, Any], *, headers: dict[str, str] | None = None
) -> tuple[httpx.Response, httpx.Response]:
    """``operation`` POSTed alone (the fast path when well-formed) and as a batch of one
    (always Strawberry's view)."""
    single = await post_operation(client, operation, headers=headers)
    batch = await post_operation(client, [operation], headers=headers)
    return single, batch


def assert_secured(response: httpx.Response) -> None:
    """The middleware's request id and security headers are on ``response``."""
    assert GENERATED_REQUEST_ID.fullmatch(response.headers["x-request-id"]), response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == API_CSP


def assert_json_answer(response: httpx.Response) -> None:
    """A 200 JSON answer, secured and never cached."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert_secured(response)


def assert_plain_400(response: httpx.Response, message: str) -> None:
    """Strawberry's 400: the reason as the plain-text body, secured, nothing else."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PLAIN_TEXT
    assert response.text == message
    assert "cache-control" not in response.headers
    assert_secured(response)


def first_error(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["errors"][0]
    return error


@pytest.fixture
async def limited(migrated_url: str, redis_url: str | None) -> AsyncIterator[GraphQLClient]:
    """An app that takes request bodies of at most ``SMALL_BODY_LIMIT`` bytes."""
    settings = make_settings(migrated_url, redis_url, max_body_bytes=SMALL_BODY_LIMIT)
    async with serve_app(settings) as client:
        yield client


# --- 1. One operation, four transports, one answer ---------------------------------------


async def test_every_transport_gives_the_same_bytes(gql: GraphQLClient) -> None:
    auth = await gql.register()
    bearer = {"authorization": f"Bearer {auth['accessToken']}"}
    body = json.dumps({"query": ME})

    fast = await post_raw(gql, body, headers=bearer)
    charset = await post_raw(
        gql, body, content_type="application/json; charset=utf-8", headers=bearer
    )
    batch = await post_raw(gql, f"[{body}]", headers=bearer)
    get = await gql.http.get("/graphql", params={"query": ME}, headers=bearer)

    assert fast.json() == {
        "data": {"me": {"id": auth["user"]["id"], "email": auth["user"]["email"]}}
    }
    for response in (fast, charset, batch, get):
        assert_json_answer(response)
    assert charset.content == fast.content
    assert get.content == fast.content
    assert batch.content == b"[" + fast.content + b"]"
    assert batch.json() == [fast.json()]


async def test_media_type_names_are_case_insensitive_on_the_fast_path(gql: GraphQLClient) -> None:
    """RFC 9110 media types ignore case; the fast path takes ``APPLICATION/JSON``.

    Strawberry's view does not (a batch or a body the fast path hands over gets 400
    "Unsupported content type"): a known, harmless difference between the two paths."""
    response = await post_raw(gql, '{"query": "{ __typename }"}', content_type="APPLICATION/JSON")
    assert_json_answer(response)
    assert response.json() == {"data": {"__typename": "Query"}}
    batch = await post_raw(gql, '[{"query": "{ __typename }"}]', content_type="APPLICATION/JSON")
    assert_plain_400(batch, "Unsupported content type")


# --- 2. Bodies orjson refuses (or reads differently) than the standard library ------------


async def test_integer_beyond_64_bits_is_a_validation_error_not_a_500(gql: GraphQLClient) -> None:
    auth = await gql.register()
    response = await post_operation(
        gql,
        {"query": UPDATE_GOAL, "variables": {"input": {"dailyGoalMinutes": 2**70}}},
        headers={"authorization": f"Bearer {auth['accessToken']}"},
    )
    assert_json_answer(response)
    assert response.json()["data"] is None
    error = first_error(response)
    assert error["extensions"] == {"code": "VALIDATION_ERROR", "retryable": False}
    assert error["message"].startswith(
        "Variable '$input' has invalid value at .dailyGoalMinutes: "
        "Int cannot represent non 32-bit signed integer value: "
    )


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(2**64 - 1, id="u64-max"),
        pytest.param(-(2**63), id="i64-min"),
        pytest.param(
            2**64,
            id="u64-max-plus-1",
        ),
        pytest.param(
            2**70,
            id="2**70",
        ),
        pytest.param(
            -(2**63) - 1,
            id="i64-min-minus-1",
        ),
    ],
)
async def test_large_integers_are_answered_as_strawberry_answers_them(
    gql: GraphQLClient, number: int
) -> None:
    auth = await gql.register()
    single, batch = await fast_and_strawberry(
        gql,
        {"query": UPDATE_GOAL, "variables": {"input": {"dailyGoalMinutes": number}}},
        headers={"authorization": f"Bearer {auth['accessToken']}"},
    )
    assert_json_answer(single)
    assert_json_answer(batch)
    assert first_error(single)["message"] == (
        "Variable '$input' has invalid value at .dailyGoalMinutes: "
        f"Int cannot represent non 32-bit signed integer value: {number}"
    )
    assert batch.content == b"[" + single.content + b"]"


@pytest.mark.parametrize(
    ("literal", "shown"), [("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf")]
)
async def test_non_finite_numbers_go_to_strawberry(
    gql: GraphQLClient, literal: str, shown: str
) -> None:
    """``json`` reads NaN and infinities, orjson refuses them: Strawberry's view answers,
    with a client error (a GraphQL validation error), as it always did."""
    auth = await gql.register()
    bearer = {"authorization": f"Bearer {auth['accessToken']}"}
    operation = (
        '{"query": "mutation($input: UpdateLearningPreferencesInput!) '
        '{ updateLearningPreferences(input: $input) { __typename } }", '
        f'"variables": {{"input": {{"dailyGoalMinutes": {literal}}}}}}}'
    )

    single = await post_raw(gql, operation, headers=bearer)
    batch = await post_raw(gql, f"[{operation}]", headers=bearer)

    assert_json_answer(single)
    assert single.json() == {
        "data": None,
        "errors": [
            {
                "message": "Variable '$input' has invalid value at .dailyGoalMinutes: "
                f"Int cannot represent non-integer value: {shown}",
                "locations": [{"line": 1, "column": 10}],
                "extensions": {"code": "VALIDATION_ERROR", "retryable": False},
            }
        ],
    }
    assert batch.content == b"[" + single.content + b"]"


# --- 3. 400s keep Strawberry's wording and plain-text bodies -----------------------------


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        pytest.param(
            {"query": "query A { __typename }", "operationName": "B"},
            'Unknown operation named "B".',
            id="unknown-operation-name",
        ),
        pytest.param({"query": ""}, "No GraphQL query found in the request", id="empty-query"),
    ],
)
async def test_fast_path_400s_are_strawberrys(
    gql: GraphQLClient, operation: dict[str, Any], message: str
) -> None:
    single, batch = await fast_and_strawberry(gql, operation)
    assert_plain_400(single, message)
    assert_plain_400(batch, message)


async def test_mutation_over_get_is_a_400(gql: GraphQLClient) -> None:
    response = await gql.http.get(
        "/graphql", params={"query": 'mutation { logout(refreshToken: "x") { __typename } }'}
    )
    assert_plain_400(response, "mutations are not allowed when using GET")


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        pytest.param({"query": None}, "No GraphQL query found in the request", id="query-null"),
        pytest.param({}, "No GraphQL query found in the request", id="no-query"),
        pytest.param(
            {"query": 5},
            "An operation's `query` must be a string and its `variables` an object.",
            id="query-number",
        ),
        pytest.param(
            {"query": "{ __typename }", "variables": []},
            "An operation's `query` must be a string and its `variables` an object.",
            id="variables-list",
        ),
        pytest.param(
            {"query": "{ __typename }", "extensions": "x"},
            "The GraphQL operation's `extensions` must be an object or null, if provided.",
            id="extensions-string",
        ),
    ],
)
async def test_malformed_operations_get_strawberrys_400s(
    gql: GraphQLClient, operation: dict[str, Any], message: str
) -> None:
    """Not one well-formed operation: the fast path hands the body to Strawberry's view."""
    assert_plain_400(await post_operation(gql, operation), message)


async def test_unparsable_body_is_a_400(gql: GraphQLClient) -> None:
    assert_plain_400(await post_raw(gql, "{not json"), "Unable to parse request body as JSON")
    assert_plain_400(await post_raw(gql, b""), "Unable to parse request body as JSON")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param(5, 'Unknown operation named "5".', id="number"),
        pytest.param(["A"], "Unknown operation named \"['A']\".", id="list"),
    ],
)
async def test_operation_name_that_is_not_a_string_is_a_400(
    gql: GraphQLClient, name: object, message: str
) -> None:
    response = await post_operation(gql, {"query": "{ __typename }", "operationName": name})
    assert_plain_400(response, message)


async def test_subscription_over_post_is_answered_as_strawberry_answers_it(
    gql: GraphQLClient,
) -> None:
    single, batch = await fast_and_strawberry(gql, {"query": "subscription { x }"})
    assert_json_answer(batch)
    assert_json_answer(single)
    assert batch.content == b"[" + single.content + b"]"
    assert first_error(single)["message"] == (
        "The subscription operation is not supported by the schema."
    )


# --- 4. Content types and streaming Accept ------------------------------------------------


async def test_text_plain_is_an_unsupported_content_type(gql: GraphQLClient) -> None:
    response = await post_raw(gql, '{"query": "{ __typename }"}', content_type="text/plain")
    assert_plain_400(response, "Unsupported content type")


@pytest.mark.parametrize(
    "accept",
    [
        "multipart/mixed",
        "multipart/mixed;deferSpec=20220824, application/json",
        "text/event-stream",
    ],
)
async def test_streaming_accept_still_answers_a_plain_query(
    gql: GraphQLClient, accept: str
) -> None:
    response = await post_raw(gql, '{"query": "{ __typename }"}', headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert_secured(response)
    assert b'"data":{"__typename":"Query"}' in response.content
    assert b"errors" not in response.content


# --- 5. Methods, and the headers every /graphql response carries --------------------------


async def test_put_is_405(gql: GraphQLClient) -> None:
    response = await gql.http.put(
        "/graphql",
        content='{"query": "{ __typename }"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 405
    assert response.headers["content-type"] == PLAIN_TEXT
    assert response.text == "GraphQL only supports GET and POST requests."
    assert_secured(response)


async def test_head_is_405(gql: GraphQLClient) -> None:
    response = await gql.http.head("/graphql")
    assert response.status_code == 405
    assert response.headers["content-type"] == PLAIN_TEXT
    assert response.content == b""
    assert_secured(response)


async def test_every_answer_carries_the_request_id_it_was_sent(gql: GraphQLClient) -> None:
    requests = {
        "fast-200": ("POST", '{"query": "{ __typename }"}', 200),
        "fast-400": ("POST", '{"query": ""}', 400),
        "fallback-200": ("POST", '[{"query": "{ __typename }"}]', 200),
        "fallback-400": ("POST", '{"query": null}', 400),
        "get-200": ("GET", None, 200),
        "put-405": ("PUT", "{}", 405),
        "delete-405": ("DELETE", None, 405),
    }
    for request_id, (method, body, status) in requests.items():
        response = await gql.http.request(
            method,
            "/graphql",
            params={"query": "{ __typename }"} if method == "GET" else None,
            content=body,
            headers={"content-type": "application/json", "x-request-id": request_id},
        )
        assert response.status_code == status, (request_id, response.text)
        assert response.headers["x-request-id"] == request_id
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == API_CSP
        assert ("cache-control" in response.headers) == (status == 200), request_id


# --- 6. The body limit on the fast path ----------------------------------------------------


def too_large_body() -> dict[str, Any]:
    return {
        "errors": [
            {
                "message": f"Request body exceeds {SMALL_BODY_LIMIT} bytes.",
                "extensions": {"code": "VALIDATION_ERROR", "retryable": False},
            }
        ]
    }


async def test_body_over_the_limit_is_413_by_its_length(limited: GraphQLClient) -> None:
    body = json.dumps({"query": "{ __typename }" + " " * SMALL_BODY_LIMIT})
    response = await post_raw(limited, body)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == too_large_body()
    assert_secured(response)


async def test_body_over_the_limit_is_413_when_streamed(limited: GraphQLClient) -> None:
    """No content-length: the fast path's own read of the body hits the limit."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }'
        for _ in range(SMALL_BODY_LIMIT // 100 + 1):
            yield b" " * 100
        yield b'"}'

    response = await limited.http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == too_large_body()
    assert_secured(response)


async def test_body_under_the_limit_is_answered(limited: GraphQLClient) -> None:
    body = json.dumps({"query": "{ __typename }" + " " * (SMALL_BODY_LIMIT - 100)})
    response = await post_raw(limited, body)
    assert_json_answer(response)
    assert response.json() == {"data": {"__typename": "Query"}}


# --- 7. Errors on the fast path are formatted as before ------------------------------------


async def test_syntax_error_is_a_validation_error(gql: GraphQLClient) -> None:
    single, batch = await fast_and_strawberry(gql, {"query": "{ me {"})
    assert_json_answer(single)
    assert single.json() == {
        "data": None,
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 7}],
                "extensions": {"code": "VALIDATION_ERROR", "retryable": False},
            }
        ],
    }
    assert batch.content == b"[" + single.content + b"]"


async def test_query_over_the_depth_limit_is_a_validation_error(
    migrated_url: str, redis_url: str | None
) -> None:
    async with serve_app(make_settings(migrated_url, redis_url, max_depth=1)) as client:
        single, batch = await fast_and_strawberry(
            client, {"query": "{ me { learningPreferences { sessionLength } } }"}
        )
    assert_json_answer(single)
    error = first_error(single)
    assert error["message"] == "'anonymous' exceeds maximum operation depth of 1"
    assert error["extensions"] == {"code": "VALIDATION_ERROR", "retryable": False}
    assert batch.content == b"[" + single.content + b"]"


async def test_me_without_a_token_is_unauthenticated(gql: GraphQLClient) -> None:
    single, batch = await fast_and_strawberry(gql, {"query": ME})
    assert_json_answer(single)
    assert single.json() == {
        "data": None,
        "errors": [
            {
                "message": "Authentication required: send 'Authorization: Bearer <token>'.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED", "retryable": False},
            }
        ],
    }
    assert batch.content == b"[" + single.content + b"]"


@pytest.mark.parametrize("batch", [False, True], ids=["fast-path", "strawberry"])
async def test_deeply_nested_variables_are_answered_not_crashed(
    gql: GraphQLClient, batch: bool
) -> None:
    """Walking client JSON (list-size limit, float check) must not hit the recursion limit."""
    nested = "[" * 600 + "1.5" + "]" * 600
    operation = '{"query": "{ __typename }", "variables": {"x": %s}}' % nested  # noqa: UP031
    response = await post_raw(gql, f"[{operation}]" if batch else operation)
    assert response.status_code == 200
    body = response.json()
    answer = body[0] if batch else body
    assert answer == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("batch", [False, True], ids=["fast-path", "strawberry"])
async def test_json_nested_beyond_the_parser_is_a_400(gql: GraphQLClient, batch: bool) -> None:
    nested = "[" * 5000 + "1" + "]" * 5000
    operation = '{"query": "{ __typename }", "variables": {"x": %s}}' % nested  # noqa: UP031
    response = await post_raw(gql, f"[{operation}]" if batch else operation)
    assert_plain_400(response, "Unable to parse request body as JSON")


@strawberry.type
class SubResponseQuery:
    @strawberry.field
    def touch(self, info: strawberry.Info) -> str:
        """Sets what a resolver may set on the answer through ``info.context.response``."""
        response = info.context.response
        response.status_code = 202
        response.headers["x-touched"] = "yes"
        response.set_cookie("seen", "1", httponly=True)
        response.background = BackgroundTask(TOUCHED.append, "after")
        return "ok"


TOUCHED: list[str] = []


@pytest.fixture
async def sub_response_client() -> AsyncIterator[httpx.AsyncClient]:
    schema = DriveMasterSchema(
        cache=DocumentCache(LIMITS),
        errors=ErrorPolicy(unavailable=(), suggestions=False),
        query=SubResponseQuery,
    )
    ports = Ports(
        uow=None,  # type: ignore[arg-type]
        clock=SystemClock(),
        hasher=None,  # type: ignore[arg-type]
        codec=None,  # type: ignore[arg-type]
        sessions=None,  # type: ignore[arg-type]
        limiter=None,  # type: ignore[arg-type]
        session_reader=None,  # type: ignore[arg-type]
    )
    endpoint = GraphQLEndpoint(schema, ports=ports, make_loaders=lambda: None, graphiql=False)  # type: ignore[arg-type, return-value]
    transport = httpx.ASGITransport(app=endpoint)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.parametrize("method", ["POST", "GET"], ids=["fast path", "strawberry"])
async def test_what_resolvers_set_on_the_sub_response_reaches_the_answer(
    sub_response_client: httpx.AsyncClient, method: str
) -> None:
    TOUCHED.clear()
    if method == "POST":
        response = await sub_response_client.post("/graphql", json={"query": "{ touch }"})
    else:
        response = await sub_response_client.get("/graphql", params={"query": "{ touch }"})

    assert response.status_code == 202
    assert response.json() == {"data": {"touch": "ok"}}
    assert response.headers["x-touched"] == "yes"
    assert response.cookies["seen"] == "1"
    assert "httponly" in response.headers["set-cookie"].lower()
    assert TOUCHED == ["after"]
