"""The Starlette app factory. Its lifespan opens and closes the engine and Redis."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.clock import Clock
from drivemaster.container import UNAVAILABLE_ERRORS, Resources, open_resources
from drivemaster.middleware import RequestContextMiddleware
from drivemaster.settings import Settings
from graph.extensions import Limits
from graph.schema import DriveMasterSchema, build_schema
from graph.view import GraphQLEndpoint

log = logging.getLogger("drivemaster")
GRAPHQL_PATH = "/graphql"


def schema_for(settings: Settings) -> DriveMasterSchema:
    """The schema configured by ``settings`` (limits, introspection, suggestions)."""
    graphql = settings.graphql
    return build_schema(
        limits=Limits(
            max_depth=graphql.max_depth,
            max_aliases=graphql.max_aliases,
            max_tokens=graphql.max_tokens,
            max_list_size=graphql.max_list_size,
            introspection=settings.developer_aid(graphql.introspection),
            cache_size=graphql.document_cache_size,
        ),
        suggestions=settings.developer_aid(graphql.field_suggestions),
        max_batch_operations=graphql.max_batch_operations,
        unavailable=UNAVAILABLE_ERRORS,
    )


class DriveMasterApp(Starlette):
    """Starlette, with ``/graphql`` (HTTP and WebSocket) sent straight to the endpoint the
    lifespan built, behind the same request middleware but past Starlette's error and
    exception middleware and its router (a tenth of a small query's cost,
    ``benchmarks/README.md``). The endpoint answers its own errors (400, 404, 405) as
    Strawberry's view does; an exception escaping it gets uvicorn's 500, as Starlette's
    would. Every other path takes Starlette's stack."""

    def __init__(self, *, request_middleware: Middleware, **options: Any) -> None:
        super().__init__(middleware=[request_middleware], **options)
        self._request_middleware = request_middleware
        self._graphql_stack: ASGIApp | None = None
        self.graphql: GraphQLEndpoint | None = None

    def serve_graphql(self, endpoint: GraphQLEndpoint | None) -> None:
        """Answer ``/graphql`` with ``endpoint`` (built by the lifespan; ``None`` when it
        ends, so that the path is Starlette's 404 again)."""
        factory, args, kwargs = self._request_middleware
        self.graphql = endpoint
        self._graphql_stack = None if endpoint is None else factory(endpoint, *args, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stack = self._graphql_stack
        if stack is not None and scope["type"] != "lifespan" and scope["path"] == GRAPHQL_PATH:
            scope["app"] = self
            await stack(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


async def healthz(_: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    resources: Resources = request.app.state.resources
    database = await resources.database_ok()
    redis = await resources.redis_ok()
    body = {
        "status": "ready" if database and redis else ("degraded" if database else "unavailable"),
        "database": "ok" if database else "unreachable",
        "redis": ("ok" if redis else "unreachable")
        + (" (embedded)" if resources.redis_mode == "embedded" else ""),
    }
    return JSONResponse(body, status_code=200 if database else 503)


async def metrics(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> DriveMasterApp:
    """Build the ASGI app. Nothing connects until the lifespan starts."""
    settings = settings or Settings()
    schema = schema_for(settings)
    graphiql = settings.developer_aid(settings.graphql.graphiql)

    @contextlib.asynccontextmanager
    async def lifespan(app: DriveMasterApp) -> AsyncIterator[None]:
        resources = open_resources(settings, clock=clock)
        app.state.resources = resources
        app.serve_graphql(
            GraphQLEndpoint(
                schema,
                ports=resources.ports,
                make_loaders=resources.make_loaders,
                graphiql=graphiql,
            )
        )
        log.info(
            "drivemaster started",
            extra={"database": resources.engine.dialect.name, "redis": resources.redis_mode},
        )
        try:
            yield
        finally:
            app.serve_graphql(None)
            await resources.close()
            log.info("drivemaster stopped")

    return DriveMasterApp(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
        request_middleware=Middleware(
            RequestContextMiddleware,
            max_body_bytes=settings.graphql.max_body_bytes,
            hsts=settings.is_production,
        ),
        lifespan=lifespan,
    )
