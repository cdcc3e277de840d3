"""Server subprocess: the real app or the bare endpoint, one uvicorn worker each.

``python -m benchmarks.http.serve {app,bare} --port N``. Both targets run with the same
uvicorn options (``drivemaster.cli.UVICORN_OPTIONS``, a shorter graceful shutdown) and the
same logging as ``drivemaster serve`` (JSON logs, access log off), so the only difference
between them is what happens inside the ASGI app.

The app reads ``BENCH_APP_DATABASE_URL``, ``BENCH_APP_JWT_SECRET`` and, when set,
``BENCH_APP_REDIS_URL`` (else the embedded store); the bare endpoint answers the bytes of
the file ``BENCH_BARE_BODY_FILE`` to every POST.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from drivemaster.cli import UVICORN_OPTIONS
from drivemaster.logs import configure_logging

GRACEFUL_SHUTDOWN_SECONDS = 3


def real_app() -> Starlette:
    """``drivemaster.app.create_app`` with production settings on the benchmark database."""
    from drivemaster.app import create_app
    from drivemaster.settings import (
        AuthSettings,
        DatabaseSettings,
        Environment,
        GraphQLSettings,
        RedisSettings,
        Settings,
    )

    settings = Settings(
        env=Environment.PRODUCTION,
        database=DatabaseSettings(url=os.environ["BENCH_APP_DATABASE_URL"]),
        redis=RedisSettings(url=os.environ.get("BENCH_APP_REDIS_URL") or None),
        auth=AuthSettings(jwt_secret=os.environ["BENCH_APP_JWT_SECRET"]),
        graphql=GraphQLSettings(introspection=False, graphiql=False, field_suggestions=False),
    )
    return create_app(settings)


def bare_app() -> Starlette:
    """One route that reads the request body and answers fixed JSON bytes."""
    body = Path(os.environ["BENCH_BARE_BODY_FILE"]).read_bytes()

    async def graphql(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", choices=["app", "bare"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])
    parser.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"])
    args = parser.parse_args()
    configure_logging(level="info", json_logs=True)
    app = real_app() if args.target == "app" else bare_app()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop=args.loop,
        http=args.http,
        **{**UVICORN_OPTIONS, "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS},
    )


if __name__ == "__main__":
    main()
