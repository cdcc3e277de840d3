"""The ``drivemaster`` command: schema check, start-up guards, signing key, settings."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from drivemaster.cli import main
from drivemaster.security import ConfigurationError, load_signing_key
from drivemaster.settings import DatabaseSettings, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """`drivemaster schema --check` against the committed schema.graphql."""
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["schema", "--check"])
    assert result.exit_code == 0, result.output
    assert "schema.graphql is up to date." in result.output


def test_stale_schema_fails_the_check(tmp_path: Path) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { old: Int }\n")
    result = CliRunner().invoke(main, ["schema", "--check", "--path", str(stale)])
    assert result.exit_code == 1
    assert "is stale" in result.output


def test_schema_prints_sdl() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert 'type User @key(fields: "id")' in result.output


def test_production_without_secret_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRIVEMASTER_ENV", "production")
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    result = CliRunner().invoke(main, ["serve", "--no-migrate"])
    assert result.exit_code == 1
    assert "AUTH_JWT_SECRET is not set" in result.output
    assert not list(tmp_path.iterdir())  # no key file was written


def test_short_secret_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUTH_JWT_SECRET", "too-short")
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 1
    assert "AUTH_JWT_SECRET must be at least 32 bytes" in result.output


def test_unsupported_database_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://localhost/db")
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 1
    assert "DATABASE_URL must use sqlite+aiosqlite:// or postgresql+asyncpg://" in result.output


def test_more_workers_need_redis(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = CliRunner().invoke(main, ["serve", "--workers", "2", "--no-migrate"])
    assert result.exit_code == 1
    assert "More than one worker needs REDIS_URL" in result.output


def test_migrate_creates_the_embedded_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'data' / 'dm.db'}")
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "dm.db").exists()


def test_signing_key_is_generated_once_beside_the_database(tmp_path: Path) -> None:
    key_file = tmp_path / "drivemaster.db.jwt-key"
    first = load_signing_key(secret=None, key_file=key_file, production=False)
    second = load_signing_key(secret=None, key_file=key_file, production=False)
    assert first == second
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_configured_secret_wins_and_production_needs_one(tmp_path: Path) -> None:
    key_file = tmp_path / "k"
    assert load_signing_key(secret="s" * 40, key_file=key_file, production=True) == b"s" * 40
    assert not key_file.exists()
    with pytest.raises(ConfigurationError, match="AUTH_JWT_SECRET is not set"):
        load_signing_key(secret=None, key_file=key_file, production=True)


def test_key_file_path_follows_the_database(tmp_path: Path) -> None:
    from drivemaster.container import key_file_path

    settings = Settings(database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/x.db"))
    assert key_file_path(settings) == tmp_path / "x.db.jwt-key"


def test_developer_aids_default_by_environment() -> None:
    assert Settings(env="development").developer_aid(None) is True
    assert Settings(env="production").developer_aid(None) is False
    assert Settings(env="production").developer_aid(True) is True


def test_serve_runs_uvicorn_with_the_hardened_options(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'dm.db'}")
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    result = CliRunner().invoke(main, ["serve", "--port", "8123", "--no-migrate"])

    assert result.exit_code == 0, result.output
    assert calls == [
        (
            "drivemaster.asgi:app",
            {
                "host": "127.0.0.1",
                "port": 8123,
                "workers": 1,
                "reload": False,
                "log_config": None,
                "proxy_headers": True,
                "server_header": False,
                "timeout_graceful_shutdown": 20,
            },
        )
    ]
