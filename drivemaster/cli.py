"""The ``drivemaster`` command: serve, migrate, schema, and user administration."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Final

import click
import uvicorn

from drivemaster.logs import configure_logging
from drivemaster.security import ConfigurationError
from drivemaster.settings import Settings

SCHEMA_FILE = Path("schema.graphql")
# How uvicorn serves the app (the HTTP benchmark serves both of its targets with these too):
# logging configured by DriveMaster, client addresses from a trusted proxy's headers, no
# `Server: uvicorn` header (it tells an attacker what runs here), 20 s to finish requests.
UVICORN_OPTIONS: Final[dict[str, Any]] = {
    "log_config": None,
    "proxy_headers": True,
    "server_header": False,
    "timeout_graceful_shutdown": 20,
}


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise click.ClickException(f"Invalid settings:\n{error}") from error


def _migrate(settings: Settings) -> None:
    from persistence.migrate import upgrade  # noqa: PLC0415 - alembic is only needed here

    path = settings.database.sqlite_path
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database.url)


@click.group()
def main() -> None:
    """DriveMaster: adaptive driving-theory learning, as a GraphQL service."""


@main.command()
@click.option("--host", default=None, help="Interface to bind (SERVER_HOST).")
@click.option("--port", type=int, default=None, help="Port (SERVER_PORT).")
@click.option("--workers", type=int, default=None, help="Worker processes (SERVER_WORKERS).")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option("--no-migrate", is_flag=True, help="Do not apply migrations before serving.")
def serve(
    host: str | None, port: int | None, workers: int | None, reload: bool, no_migrate: bool
) -> None:
    """Migrate the database (unless --no-migrate) and serve the API."""
    settings = _settings()
    server = settings.server
    configure_logging(level=server.log_level, json_logs=server.json_logs)
    workers = workers or server.workers
    if workers > 1 and not settings.redis.url:
        raise click.ClickException(
            "More than one worker needs REDIS_URL: rate limits and subscriptions must be "
            "shared between processes."
        )
    try:
        from drivemaster.container import open_resources  # noqa: PLC0415

        asyncio.run(open_resources(settings).close())  # fails fast on bad secrets
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error
    if not no_migrate:
        _migrate(settings)
    uvicorn.run(
        "drivemaster.asgi:app",
        host=host or server.host,
        port=port or server.port,
        workers=None if reload else workers,
        reload=reload,
        **UVICORN_OPTIONS,
    )


@main.command()
def migrate() -> None:
    """Apply all database migrations (SQLite or PostgreSQL, from DATABASE_URL)."""
    settings = _settings()
    configure_logging(level=settings.server.log_level, json_logs=False)
    _migrate(settings)
    click.echo(f"Database at {settings.database.url.split('@')[-1]} is up to date.")


@main.command()
@click.option("--check", is_flag=True, help=f"Exit 1 when {SCHEMA_FILE} differs from the code.")
@click.option("--path", type=click.Path(path_type=Path), default=SCHEMA_FILE, show_default=True)
def schema(check: bool, path: Path) -> None:
    """Print the schema's SDL (or check the committed file against it)."""
    from drivemaster.app import schema_for  # noqa: PLC0415

    sdl = schema_for(Settings()).as_str() + "\n"
    if not check:
        click.echo(sdl, nl=False)
        return
    if not path.exists() or path.read_text() != sdl:
        click.echo(f"{path} is stale: run `make schema` and commit it.", err=True)
        sys.exit(1)
    click.echo(f"{path} is up to date.")


@main.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["learner", "author", "admin"]))
def set_role(email: str, role: str) -> None:
    """Give the account with EMAIL a ROLE (bootstraps the first admin)."""
    from drivemaster.admin import assign_role  # noqa: PLC0415

    settings = _settings()
    try:
        asyncio.run(assign_role(settings, email=email, role=role))
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{email} is now {role}.")
