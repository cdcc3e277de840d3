"""Federation v2: the service SDL and entity resolution through the per-request loader."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.conftest import GraphQLClient

ENTITIES = """
query E($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } } }
"""


@contextmanager
def count_queries(gql: GraphQLClient) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engine runs inside the block."""
    statements: list[str] = []
    engine = gql.app.state.resources.engine.sync_engine

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_service_sdl_declares_the_user_entity(gql: GraphQLClient) -> None:
    body = await gql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]
    assert 'type User @key(fields: "id")' in sdl
    assert "https://specs.apollo.dev/federation/v2.11" in sdl


async def test_entities_resolve_in_one_query_for_0_1_and_10(gql: GraphQLClient) -> None:
    viewer = await gql.register()
    users = [await gql.register() for _ in range(10)]
    for size in (0, 1, 10):
        representations = [{"__typename": "User", "id": u["user"]["id"]} for u in users[:size]]
        with count_queries(gql) as statements:
            body = await gql(ENTITIES, {"r": representations}, token=viewer["accessToken"])
        assert body == {
            "data": {
                "_entities": [
                    {"id": u["user"]["id"], "displayName": u["user"]["displayName"]}
                    for u in users[:size]
                ]
            }
        }
        # Size 0 resolves nothing; otherwise one SELECT loads every entity at once, whatever
        # their number (besides the viewer's session read, which the session cache keeps).
        entity_reads = [s for s in statements if "refresh_tokens" not in s]
        assert len(entity_reads) == (0 if size == 0 else 1), statements
        assert len(statements) - len(entity_reads) <= 1, statements


async def test_unknown_entity_is_null(gql: GraphQLClient) -> None:
    viewer = await gql.register()
    body = await gql(
        ENTITIES,
        {"r": [{"__typename": "User", "id": "00000000-0000-4000-8000-000000000000"}]},
        token=viewer["accessToken"],
    )
    assert body == {"data": {"_entities": [None]}}


async def test_entities_need_authentication(gql: GraphQLClient) -> None:
    user = await gql.register()
    body = await gql(ENTITIES, {"r": [{"__typename": "User", "id": user["user"]["id"]}]})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_me_costs_one_query(gql: GraphQLClient) -> None:
    auth = await gql.register()
    with count_queries(gql) as statements:
        body = await gql(
            "{ me { id email learningPreferences { sessionLength } } }",
            token=auth["accessToken"],
        )
    assert body["data"]["me"]["id"] == auth["user"]["id"]
    assert len(statements) == 1, statements
