"""The ASGI GraphQL endpoint: HTTP (POST, GET for reads), GraphiQL, and WebSockets.

Both WebSocket protocols (graphql-transport-ws and the legacy graphql-ws) authenticate in
``connection_init``: the payload carries ``{"authorization": "Bearer <token>"}`` (or
``{"token": "<token>"}``); a connection without a valid token is rejected.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from domain.errors import Unauthenticated
from graph.context import Context, Loaders, Ports, VerifiedTokens
from graph.execution import OperationRequest
from graph.extensions import json_containers
from graph.schema import DriveMasterSchema

log = logging.getLogger("drivemaster.graphql")

BEARER = "bearer "
BAD_BODY = "The request body must be a JSON object, or a list of objects for a batch."
BAD_OPERATION = "An operation's `query` must be a string and its `variables` an object."
POST_OPERATIONS = OperationType.from_http("POST")  # as Strawberry's view allows them


def plain_json_post(scope: Scope) -> bool:
    """A POST of a JSON body that asks for a plain JSON answer (no streaming transport)."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    content_type = accept = b""
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.lower()
        elif name == b"accept":
            accept = value.lower()
    return (
        content_type.split(b";", 1)[0].strip() == b"application/json"
        and b"multipart/" not in accept  # incremental delivery
        and b"event-stream" not in accept  # server-sent events
    )


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the (lowercase) header ``name``, as Starlette decodes it."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def single_operation(data: Any) -> OperationRequest | None:
    """The operation of a well-formed single-operation body, else ``None``."""
    if not isinstance(data, dict):
        return None
    query, variables = data.get("query"), data.get("variables")
    name, extensions = data.get("operationName"), data.get("extensions")
    if (
        isinstance(query, str)
        and isinstance(variables, dict | None)
        and isinstance(name, str | None)
        and isinstance(extensions, dict | None)
    ):
        return OperationRequest(
            query=query, variables=variables, operation_name=name, extensions=extensions
        )
    return None


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body (the middleware bounds its size); ``None`` on a disconnect."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def holds_float(value: Any) -> bool:
    """Whether a parsed JSON value holds a float anywhere."""
    if not value:  # None, {}, [], 0, "" (the common case: no variables)
        return False
    if isinstance(value, float):
        return True
    return any(
        isinstance(item, float)
        for container in json_containers(value)
        for item in (container.values() if isinstance(container, dict) else container)
    )


def parse_operation(body: bytes) -> OperationRequest | None:
    """The one well-formed operation in ``body``, parsed exactly as ``json.loads`` would
    (Strawberry's view uses it), else ``None``.

    orjson parses it (a third of the cost) unless the body is one orjson reads differently:
    it refuses NaN, infinities and lone surrogates, and reads integers beyond 64 bits as
    floats, so a body with a float in its variables or extensions is parsed again by
    ``json``.
    """
    try:
        operation = single_operation(orjson.loads(body))
        if operation is None or not (
            holds_float(operation.variables) or holds_float(operation.extensions)
        ):
            return operation
    except orjson.JSONDecodeError:
        pass
    try:
        return single_operation(json.loads(body))
    except (ValueError, RecursionError):  # not JSON, not UTF-8/16/32, or nested too deep
        return None


def replay(body: bytes) -> Receive:
    """An ASGI ``receive`` that hands over ``body`` again (the request was read already)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def bearer_token(value: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value; a bare token is accepted too."""
    if not value:
        return None
    value = value.strip()
    if value[: len(BEARER)].lower() == BEARER:
        value = value[len(BEARER) :].strip()
    return value or None


def freeze_startup_heap() -> None:
    """Take what exists once the app is built out of the garbage collector's full passes.

    The schema, the ORM metadata and the imported modules are some 150,000 objects that
    live as long as the process; every full (generation 2) collection walked them all,
    about 90 ms on the benchmark machine, pausing every request in flight. Frozen after one
    last collection, they are no longer traversed, so a full pass only walks what requests
    allocated (``benchmarks/README.md``). Done once per process. Frozen objects are still
    freed when their reference count drops to zero; only a reference cycle among them
    would now outlive its use, and start-up state is kept for the process's life anyway.
    """
    global _heap_frozen  # noqa: PLW0603 - once per process, on the first endpoint
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


_heap_frozen = False


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI view with DriveMaster's context, JSON encoder and WebSocket auth.

    The common request, one operation POSTed as JSON, is answered here directly: read the
    body, build the context, run the operation (``DriveMasterSchema.execute``), encode.
    Strawberry's view does the same with content negotiation, request adapters and batching
    around it (a fifth of a small query's cost). Everything else (GET, GraphiQL, batches,
    streaming transports, WebSockets, and bodies that are not a well-formed operation, so
    that their 400 answers stay Strawberry's) goes to Strawberry's view with the same bytes.
    """

    def __init__(
        self,
        schema: DriveMasterSchema,
        *,
        ports: Ports,
        make_loaders: Callable[[], Loaders],
        graphiql: bool,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,
            keep_alive=True,
            keep_alive_interval=15,
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        # Requests share one memo of verified access tokens (see ``VerifiedTokens``).
        self._ports = replace(ports, codec=VerifiedTokens(ports.codec))
        self._make_loaders = make_loaders
        self._runner = schema.runner
        freeze_startup_heap()  # the last step of the app's start-up: all long-lived objects exist

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not plain_json_post(scope):
            await super().__call__(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:  # the client went away
            return
        operation = parse_operation(body)
        if operation is None:
            await super().__call__(scope, replay(body), send)
            return
        response = await self._run(Request(scope, receive), operation)
        await response(scope, receive, send)

    async def _run(self, request: Request, operation: OperationRequest) -> Response:
        """Strawberry's ``run`` and ``execute_single`` for one JSON operation."""
        sub_response = SubResponse()
        context = self._context(request, sub_response)
        try:
            result = await self._runner.run(
                operation, context=context, root_value=None, allowed=POST_OPERATIONS
            )
        except CannotGetOperationTypeError as error:
            return PlainTextResponse(error.as_http_error_reason(), status_code=400)
        except InvalidOperationTypeError as error:
            return PlainTextResponse(error.as_http_error_reason("POST"), status_code=400)
        except MissingQueryError:
            return PlainTextResponse("No GraphQL query found in the request", status_code=400)
        return self.create_response(await self.process_result(request, result), sub_response)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        return SubResponse()

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return self._context(request, response)

    def _context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            request=request,
            response=response,
            request_id=str(request.scope.get("state", {}).get("request_id", "-")),
            ports=self._ports,
            make_loaders=self._make_loaders,
            bearer=bearer_token(header(request.scope, b"authorization")),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        if not isinstance(params, dict):
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": "Bad payload."})
        raw = params.get("authorization") or params.get("Authorization") or params.get("token")
        context.bearer = bearer_token(raw if isinstance(raw, str) else None)
        try:
            await context.authenticate()
            viewer = context.require_viewer()
        except Unauthenticated as error:
            raise ConnectionRejectionError(
                {"code": "UNAUTHENTICATED", "message": error.message}
            ) from None
        return {"userId": str(viewer.user_id)}

    def parse_json(self, data: str | bytes) -> Any:
        """Strawberry's JSON parsing, plus a 400 for bodies that are not operation objects
        (a bare string or number, or a batch holding anything but objects)."""
        try:
            parsed = super().parse_json(data)
        except RecursionError:  # nested deeper than the parser goes: not a body we take
            raise HTTPException(400, "Unable to parse request body as JSON") from None
        operations = parsed if isinstance(parsed, list) else [parsed]
        for operation in operations:
            if not isinstance(operation, dict):
                raise HTTPException(400, BAD_BODY)
            if not isinstance(operation.get("query"), str | None) or not isinstance(
                operation.get("variables"), dict | None
            ):
                raise HTTPException(400, BAD_OPERATION)
        return parsed

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        """Strawberry's JSON response (with what resolvers set on ``sub_response``), never
        cached by browsers or proxies."""
        return JSONBytesResponse(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            headers=[(b"cache-control", b"no-store"), *sub_response.raw_headers],
            background=sub_response.background,
        )


class SubResponse(Response):
    """Where resolvers may set a status, headers, cookies or a background task
    (``info.context.response``), merged into the answer by ``create_response``. Nothing is
    rendered: the answer's body comes from the result (so ``Response.__init__`` is not run)."""

    def __init__(self) -> None:
        self.status_code = None  # type: ignore[assignment]  # Strawberry's "not set"
        self.raw_headers = []
        self.background = None


class JSONBytesResponse(Response):
    """A response whose body is JSON bytes already: its headers are set directly, without
    ``Response.__init__``'s rendering and header negotiation (per-request cost)."""

    media_type = "application/json"

    def __init__(
        self,
        body: bytes,
        *,
        status_code: int,
        headers: list[tuple[bytes, bytes]],
        background: BackgroundTask | None = None,
    ) -> None:
        self.body = body
        self.status_code = status_code
        self.background = background
        self.raw_headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"),
            *headers,
        ]
