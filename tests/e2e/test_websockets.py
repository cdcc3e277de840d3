"""GraphQL over WebSockets, both subprotocols, against the real server.

What Strawberry does (``strawberry/subscriptions/protocols``), and so what is asserted here:

* ``graphql-transport-ws``: ``connection_init`` goes to ``on_ws_connect``; a
  ``ConnectionRejectionError`` closes the socket with 4403 "Forbidden" (its payload is not
  sent). ``subscribe`` runs any operation type through ``schema.stream``: a query yields one
  ``next`` and then ``complete``; validation errors yield one ``error``. ``subscribe`` before
  the acknowledgement closes with 4401 "Unauthorized".
* ``graphql-ws`` (legacy): a rejection sends ``connection_error`` carrying the rejection
  payload, then closes with 1011. ``start`` runs ``schema.subscribe``, which only executes
  subscription operations: a query is answered with an ``error`` "queries are not allowed"
  (the schema has no Subscription type, so nothing can stream ``data`` on this protocol).
  The server sends a keep-alive ``ka`` right after ``connection_ack`` and then periodically.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any
from uuid import UUID

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK

from persistence.loaders import SqlReads
from tests.e2e.conftest import LiveServer, post_graphql, register_user

pytestmark = pytest.mark.e2e

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
RECEIVE_TIMEOUT_SECONDS = 5.0
ME = "{ me { id email } }"


@pytest.fixture
async def auth(http: httpx.AsyncClient) -> dict[str, Any]:
    """A freshly registered learner's ``AuthSuccess`` payload."""
    return await register_user(http)


def tamper(token: str) -> str:
    """The token with its signature changed."""
    return token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")


async def open_socket(live_server: LiveServer, subprotocol: str) -> ClientConnection:
    ws = await connect(live_server.ws_url, subprotocols=[subprotocol])  # type: ignore[list-item]
    assert ws.subprotocol == subprotocol
    return ws


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """The next protocol message, skipping the legacy protocol's keep-alives."""
    async with asyncio.timeout(RECEIVE_TIMEOUT_SECONDS):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message.get("type") != "ka":
                return message


async def close_of(ws: ClientConnection) -> tuple[int | None, str | None]:
    """Wait for the server to close the socket; returns its close code and reason."""
    with pytest.raises(ConnectionClosedError):
        await receive(ws)
    return ws.close_code, ws.close_reason


@pytest.fixture
async def sockets() -> AsyncIterator[list[ClientConnection]]:
    """Sockets opened by a test; closed after it, even when it fails."""
    opened: list[ClientConnection] = []
    yield opened
    for ws in opened:
        await ws.close()


@pytest.fixture
def socket_factory(live_server: LiveServer, sockets: list[ClientConnection]) -> Any:
    async def factory(subprotocol: str) -> ClientConnection:
        ws = await open_socket(live_server, subprotocol)
        sockets.append(ws)
        return ws

    return factory


# graphql-transport-ws ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload_key",
    [
        pytest.param(("authorization", "Bearer "), id="authorization-bearer"),
        pytest.param(("Authorization", "bearer "), id="Authorization-bearer"),
        pytest.param(("token", ""), id="token"),
    ],
)
async def test_transport_ws_acknowledges_and_runs_a_query(
    socket_factory: Any, auth: dict[str, Any], payload_key: tuple[str, str]
) -> None:
    key, prefix = payload_key
    ws = await socket_factory(TRANSPORT_WS)
    await send(ws, {"type": "connection_init", "payload": {key: prefix + auth["accessToken"]}})
    assert await receive(ws) == {
        "type": "connection_ack",
        "payload": {"userId": auth["user"]["id"]},
    }

    await send(ws, {"id": "q1", "type": "subscribe", "payload": {"query": ME}})
    me = {"id": auth["user"]["id"], "email": auth["user"]["email"]}
    assert await receive(ws) == {"id": "q1", "type": "next", "payload": {"data": {"me": me}}}
    assert await receive(ws) == {"id": "q1", "type": "complete"}

    # The connection stays usable: ping/pong, and the same id can be reused once complete.
    await send(ws, {"type": "ping"})
    assert await receive(ws) == {"type": "pong"}
    await send(ws, {"id": "q1", "type": "subscribe", "payload": {"query": "{ me { id } }"}})
    assert await receive(ws) == {
        "id": "q1",
        "type": "next",
        "payload": {"data": {"me": {"id": auth["user"]["id"]}}},
    }
    assert await receive(ws) == {"id": "q1", "type": "complete"}


async def test_transport_ws_reports_validation_errors_as_error_messages(
    socket_factory: Any, auth: dict[str, Any]
) -> None:
    ws = await socket_factory(TRANSPORT_WS)
    await send(ws, {"type": "connection_init", "payload": {"token": auth["accessToken"]}})
    assert (await receive(ws))["type"] == "connection_ack"

    await send(ws, {"id": "bad", "type": "subscribe", "payload": {"query": "{ nope }"}})
    assert await receive(ws) == {
        "id": "bad",
        "type": "error",
        "payload": [
            {
                "message": "Cannot query field 'nope' on type 'Query'.",
                "locations": [{"line": 1, "column": 3}],
                "extensions": {"code": "VALIDATION_ERROR", "retryable": False},
            }
        ],
    }


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(None, id="no-payload"),
        pytest.param({}, id="empty-payload"),
        pytest.param({"authorization": "Bearer "}, id="empty-token"),
        pytest.param({"authorization": "Bearer not-a-jwt"}, id="garbage-token"),
        pytest.param({"authorization": 12345}, id="non-string-token"),
        pytest.param("tampered", id="tampered-token"),
    ],
)
async def test_transport_ws_rejects_connection_init_without_a_valid_token(
    socket_factory: Any, auth: dict[str, Any], payload: object
) -> None:
    if payload == "tampered":
        payload = {"authorization": f"Bearer {tamper(auth['accessToken'])}"}
    ws = await socket_factory(TRANSPORT_WS)
    message: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        message["payload"] = payload
    await send(ws, message)
    assert await close_of(ws) == (4403, "Forbidden")


async def test_transport_ws_refuses_subscribe_before_connection_init(socket_factory: Any) -> None:
    ws = await socket_factory(TRANSPORT_WS)
    await send(ws, {"id": "early", "type": "subscribe", "payload": {"query": ME}})
    assert await close_of(ws) == (4401, "Unauthorized")


async def test_unknown_subprotocol_is_refused(live_server: LiveServer) -> None:
    async with connect(live_server.ws_url, subprotocols=["graphql-sse"]) as ws:  # type: ignore[list-item]
        assert await close_of(ws) == (4406, "Subprotocol not acceptable")


# graphql-ws (legacy) -------------------------------------------------------------------------


async def test_legacy_ws_acknowledges_and_refuses_a_query(
    socket_factory: Any, auth: dict[str, Any]
) -> None:
    ws = await socket_factory(LEGACY_WS)
    await send(
        ws,
        {"type": "connection_init", "payload": {"authorization": f"Bearer {auth['accessToken']}"}},
    )
    assert await receive(ws) == {
        "type": "connection_ack",
        "payload": {"userId": auth["user"]["id"]},
    }

    # Strawberry's graphql-ws handler runs operations with ``schema.subscribe``, which only
    # executes subscriptions; the schema has none, so a query is answered with an error.
    await send(ws, {"id": "1", "type": "start", "payload": {"query": ME}})
    assert await receive(ws) == {
        "id": "1",
        "type": "error",
        "payload": {
            "message": "queries are not allowed",
            "extensions": {"code": "VALIDATION_ERROR", "retryable": False},
        },
    }

    await send(ws, {"type": "connection_terminate"})
    with pytest.raises(ConnectionClosedOK):
        await receive(ws)
    assert (ws.close_code, ws.close_reason) == (1000, "")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param(
            None,
            "Authentication required: send 'Authorization: Bearer <token>'.",
            id="no-payload",
        ),
        pytest.param(
            {},
            "Authentication required: send 'Authorization: Bearer <token>'.",
            id="empty-payload",
        ),
        pytest.param(
            "tampered",
            "Access token is invalid: Signature verification failed.",
            id="tampered-token",
        ),
    ],
)
async def test_legacy_ws_rejects_connection_init_without_a_valid_token(
    socket_factory: Any, auth: dict[str, Any], payload: object, message: str
) -> None:
    if payload == "tampered":
        payload = {"authorization": f"Bearer {tamper(auth['accessToken'])}"}
    ws = await socket_factory(LEGACY_WS)
    init: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        init["payload"] = payload
    await send(ws, init)
    assert await receive(ws) == {
        "type": "connection_error",
        "payload": {"code": "UNAUTHENTICATED", "message": message},
    }
    assert await close_of(ws) == (1011, "")


async def test_legacy_ws_refuses_start_before_connection_init(socket_factory: Any) -> None:
    ws = await socket_factory(LEGACY_WS)
    await send(ws, {"id": "early", "type": "start", "payload": {"query": ME}})
    assert await close_of(ws) == (4401, "Unauthorized")


# Error policy over WebSockets ----------------------------------------------------------------

FAULTY_ID = UUID("00000000-0000-4000-8000-00000000dead")
SECRET_DETAIL = "connection string postgresql://admin:hunter2@db"
USER = "query FaultyUser($id: ID!) { user(id: $id) { id } }"


@pytest.fixture
def faulty_user_loader(monkeypatch: pytest.MonkeyPatch) -> UUID:
    """Loading the user ``FAULTY_ID`` fails with an unexpected error naming a secret."""
    original = SqlReads.users

    async def users(self: SqlReads, user_ids: Sequence[UUID]) -> list[Any]:
        if FAULTY_ID in user_ids:
            raise RuntimeError(SECRET_DETAIL)
        return await original(self, user_ids)

    monkeypatch.setattr(SqlReads, "users", users)
    return FAULTY_ID


async def test_http_masks_unexpected_errors(
    http: httpx.AsyncClient, auth: dict[str, Any], faulty_user_loader: UUID
) -> None:
    """The reference behaviour the WebSocket transport should share."""
    response = await post_graphql(
        http, USER, {"id": str(faulty_user_loader)}, token=auth["accessToken"]
    )
    body = response.json()
    (error,) = body["errors"]
    assert SECRET_DETAIL not in response.text
    assert error["message"].startswith("Internal error; quote request id ")
    assert error["extensions"]["code"] == "INTERNAL"
    assert body["data"] == {"user": None}


async def transport_ws_result(
    socket_factory: Any, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    ws = await socket_factory(TRANSPORT_WS)
    await send(ws, {"type": "connection_init", "payload": {"token": token}})
    assert (await receive(ws))["type"] == "connection_ack"
    operation_id = uuid.uuid4().hex
    await send(
        ws,
        {
            "id": operation_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables},
        },
    )
    result = await receive(ws)
    assert result["type"] == "next", result
    assert await receive(ws) == {"id": operation_id, "type": "complete"}
    payload: dict[str, Any] = result["payload"]
    return payload


async def test_transport_ws_masks_unexpected_errors(
    socket_factory: Any, auth: dict[str, Any], faulty_user_loader: UUID
) -> None:
    payload = await transport_ws_result(
        socket_factory, auth["accessToken"], USER, {"id": str(faulty_user_loader)}
    )
    (error,) = payload["errors"]
    assert SECRET_DETAIL not in json.dumps(payload)
    assert error["extensions"]["code"] == "INTERNAL"


async def test_transport_ws_errors_carry_codes_like_http(
    socket_factory: Any, http: httpx.AsyncClient, auth: dict[str, Any]
) -> None:
    query = "query BadId($id: ID!) { user(id: $id) { id } }"
    over_http = await post_graphql(http, query, {"id": "x"}, token=auth["accessToken"])
    expected = over_http.json()
    assert expected["errors"][0]["extensions"] == {
        "code": "VALIDATION_ERROR",
        "retryable": False,
        "field": "id",
    }
    payload = await transport_ws_result(socket_factory, auth["accessToken"], query, {"id": "x"})
    assert payload == expected


async def test_transport_ws_reads_see_writes_made_on_the_same_socket(
    socket_factory: Any, auth: dict[str, Any]
) -> None:
    ws = await socket_factory(TRANSPORT_WS)
    await send(ws, {"type": "connection_init", "payload": {"token": auth["accessToken"]}})
    assert (await receive(ws))["type"] == "connection_ack"
    rename = """mutation { updateProfile(input: {displayName: "Renamed on the socket"}) {
      __typename ... on UserUpdated { user { displayName } } } }"""
    operations = [
        ("before", "{ me { displayName } }"),
        ("rename", rename),
        ("after", "{ me { displayName } }"),
    ]
    results = {}
    for operation_id, query in operations:
        await send(ws, {"id": operation_id, "type": "subscribe", "payload": {"query": query}})
        results[operation_id] = await receive(ws)
        assert await receive(ws) == {"id": operation_id, "type": "complete"}
    assert results["rename"]["payload"]["data"]["updateProfile"] == {
        "__typename": "UserUpdated",
        "user": {"displayName": "Renamed on the socket"},
    }
    assert results["after"]["payload"] == {"data": {"me": {"displayName": "Renamed on the socket"}}}


async def test_transport_ws_stops_serving_a_revoked_session(
    socket_factory: Any, http: httpx.AsyncClient, auth: dict[str, Any]
) -> None:
    ws = await socket_factory(TRANSPORT_WS)
    await send(ws, {"type": "connection_init", "payload": {"token": auth["accessToken"]}})
    assert (await receive(ws))["type"] == "connection_ack"

    everywhere = "mutation { logoutEverywhere { revokedSessions } }"
    response = await post_graphql(http, everywhere, token=auth["accessToken"])
    assert response.json() == {"data": {"logoutEverywhere": {"revokedSessions": 1}}}
    refused = await post_graphql(http, "{ me { id } }", token=auth["accessToken"])
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    await send(ws, {"id": "after-logout", "type": "subscribe", "payload": {"query": ME}})
    try:
        answer = await receive(ws)
    except ConnectionClosedError:
        return  # closing the socket is an acceptable way to end the session
    assert answer["type"] in {"next", "error"}, answer
    assert answer["type"] == "error" or answer["payload"]["data"] is None, answer
