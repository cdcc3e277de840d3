"""The federation surface (``_service``, ``_entities``) over real HTTP.

Malformed representations (found by the Schemathesis run) are refused as VALIDATION_ERROR
before any of them is resolved.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import post_graphql, register_user

pytestmark = pytest.mark.e2e

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) { __typename ... on User { id email } }
}
"""
UNKNOWN_USER = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def auth(http: httpx.AsyncClient) -> dict[str, Any]:
    return await register_user(http)


async def entities(
    http: httpx.AsyncClient, representations: list[Any], token: str | None
) -> dict[str, Any]:
    response = await post_graphql(http, ENTITIES, {"representations": representations}, token=token)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def test_service_sdl_is_public(http: httpx.AsyncClient) -> None:
    response = await post_graphql(http, "{ _service { sdl } }")
    sdl = response.json()["data"]["_service"]["sdl"]
    assert 'type User @key(fields: "id")' in sdl
    assert "https://specs.apollo.dev/federation/v2.11" in sdl


async def test_entities_resolve_user_references(
    http: httpx.AsyncClient, auth: dict[str, Any]
) -> None:
    user = auth["user"]
    body = await entities(
        http,
        [{"__typename": "User", "id": user["id"]}, {"__typename": "User", "id": UNKNOWN_USER}],
        auth["accessToken"],
    )
    assert body == {
        "data": {
            "_entities": [
                {"__typename": "User", "id": user["id"], "email": user["email"]},
                None,
            ]
        }
    }


async def test_entities_need_authentication(http: httpx.AsyncClient, auth: dict[str, Any]) -> None:
    body = await entities(http, [{"__typename": "User", "id": auth["user"]["id"]}], None)
    assert body["data"] == {"_entities": [None]}
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_entities_refuse_a_malformed_user_id(
    http: httpx.AsyncClient, auth: dict[str, Any]
) -> None:
    body = await entities(http, [{"__typename": "User", "id": "x"}], auth["accessToken"])
    assert body["data"] == {"_entities": [None]}
    assert codes(body) == ["VALIDATION_ERROR"]


MALFORMED = [
    pytest.param(["User"], id="representation-not-an-object"),
    pytest.param([42], id="representation-an-int"),
    pytest.param([{"__typename": "Nope", "id": UNKNOWN_USER}], id="unknown-typename"),
    pytest.param([{"id": UNKNOWN_USER}], id="no-typename"),
    pytest.param([{"__typename": "User"}], id="no-id"),
    pytest.param(
        [{"__typename": "User", "id": UNKNOWN_USER, "email": "a@example.com"}],
        id="unexpected-field",
    ),
]


@pytest.mark.parametrize("representations", MALFORMED)
async def test_entities_refuse_malformed_representations_as_validation_errors(
    http: httpx.AsyncClient, auth: dict[str, Any], representations: list[Any]
) -> None:
    body = await entities(http, representations, auth["accessToken"])
    assert "INTERNAL" not in codes(body), body
    assert codes(body) == ["VALIDATION_ERROR"], body


async def test_entities_with_one_malformed_representation_among_good_ones(
    http: httpx.AsyncClient, auth: dict[str, Any]
) -> None:
    """Nothing is resolved (no coroutine left un-awaited) when any representation is bad."""
    good = {"__typename": "User", "id": auth["user"]["id"]}
    body = await entities(http, [good, "User"], auth["accessToken"])
    assert codes(body) == ["VALIDATION_ERROR"], body
    assert body["errors"][0]["extensions"]["field"] == "representations[1]"
