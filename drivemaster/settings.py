"""Typed settings, one class per concern, read once from the environment (and ``.env``).

The README's settings table lists every variable defined here.
"""

from __future__ import annotations

import enum
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./drivemaster.db"


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore")


class DatabaseSettings(BaseSettings):
    """``DATABASE_URL``: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) in production."""

    model_config = _config("DATABASE_")

    url: str = DEFAULT_DATABASE_URL
    pool_size: int = Field(default=10, ge=1, le=200)
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        backend = make_url(value).drivername
        if backend not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
            raise ValueError(
                "DATABASE_URL must use sqlite+aiosqlite:// or postgresql+asyncpg://, "
                f"not {backend}://"
            )
        return value

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        database = make_url(self.url).database
        if not self.is_sqlite or not database or database == ":memory:":
            return None
        return Path(database)


class RedisSettings(BaseSettings):
    """``REDIS_URL``: unset means the in-process store (single process only)."""

    model_config = _config("REDIS_")

    url: str | None = None


class AuthSettings(BaseSettings):
    """Tokens and password hashing (``AUTH_*``)."""

    model_config = _config("AUTH_")

    jwt_secret: SecretStr | None = None
    key_file: Path | None = None
    issuer: str = "drivemaster"
    audience: str = "drivemaster-api"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    argon2_time_cost: int = Field(default=3, ge=1, le=20)
    argon2_memory_cost_kib: int = Field(default=65_536, ge=8, le=1_048_576)
    argon2_parallelism: int = Field(default=4, ge=1, le=16)
    session_cache_seconds: float = Field(default=1.0, ge=0, le=60)

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < 32:
            raise ValueError("AUTH_JWT_SECRET must be at least 32 bytes")
        return value


class RateLimitSettings(BaseSettings):
    """Rate limits as ``limits`` strings, e.g. ``10/minute`` (``RATE_LIMIT_*``)."""

    model_config = _config("RATE_LIMIT_")

    login_ip: str = "30/minute"
    login_email: str = "10/minute"
    register_ip: str = "10/hour"
    register_email: str = "5/hour"

    def as_mapping(self) -> dict[str, str]:
        return self.model_dump()


class GraphQLSettings(BaseSettings):
    """The GraphQL surface (``GRAPHQL_*``); developer aids default off in production."""

    model_config = _config("GRAPHQL_")

    introspection: bool | None = None
    graphiql: bool | None = None
    field_suggestions: bool | None = None
    max_depth: int = Field(default=10, ge=1, le=50)
    max_aliases: int = Field(default=15, ge=0, le=1000)
    max_tokens: int = Field(default=2000, ge=50, le=100_000)
    max_list_size: int = Field(default=100, ge=1, le=10_000)
    max_batch_operations: int = Field(default=10, ge=1, le=100)
    max_body_bytes: int = Field(default=100_000, ge=1_000, le=10_000_000)
    document_cache_size: int = Field(default=1024, ge=0, le=100_000)


class ServerSettings(BaseSettings):
    """``drivemaster serve`` defaults (``SERVER_*``) and logging."""

    model_config = _config("SERVER_")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: str = "info"
    json_logs: bool = True


class Settings(BaseSettings):
    """All settings. ``DRIVEMASTER_ENV=production`` turns on the production safeguards."""

    model_config = SettingsConfigDict(env_prefix="DRIVEMASTER_", env_file=".env", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    graphql: GraphQLSettings = Field(default_factory=GraphQLSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    def developer_aid(self, value: bool | None) -> bool:
        """Introspection, GraphiQL and suggestions: as set, else on except in production."""
        return (not self.is_production) if value is None else value
