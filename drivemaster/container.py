"""Wiring: the adapters behind the ports, opened and closed with the app."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from domain.accounts.services import SessionIssuer, TokenPolicy
from domain.clock import Clock, SystemClock
from drivemaster.security import (
    Argon2PasswordHasher,
    JwtAccessTokenCodec,
    UrlSafeSecrets,
    load_signing_key,
)
from drivemaster.settings import Settings
from graph.context import Loaders, Ports
from persistence.cache import create_redis
from persistence.engine import create_engine, create_session_factory
from persistence.loaders import SqlReads
from persistence.ratelimit import LimitsRateLimiter
from persistence.sessions import SessionCache
from persistence.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)

# Failures of a dependency (not of our code): reported as UNAVAILABLE and retryable.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisError,
    ConnectionError,
    TimeoutError,
)
PING_TIMEOUT_SECONDS = 2.0


def key_file_path(settings: Settings) -> Path:
    """Where the embedded signing key lives: beside the SQLite file, else the working dir."""
    if settings.auth.key_file is not None:
        return settings.auth.key_file
    database = settings.database.sqlite_path
    if database is not None:
        return database.with_name(database.name + ".jwt-key")
    return Path(".drivemaster-jwt-key")


@dataclass(kw_only=True)
class Resources:
    """Everything with a connection or a pool; one per process."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    limiter: LimitsRateLimiter
    ports: Ports
    reads: SqlReads

    @property
    def redis_mode(self) -> str:
        return "redis" if self.settings.redis.url else "embedded"

    def make_loaders(self) -> Loaders:
        return Loaders(user=DataLoader(load_fn=self.reads.users))

    async def database_ok(self) -> bool:
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS), self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except (TimeoutError, OSError, DBAPIError):
            log.warning("database ping failed", exc_info=True)
            return False
        return True

    async def redis_ok(self) -> bool:
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                return bool(await self.redis.ping())
        except (TimeoutError, OSError, RedisError):
            log.warning("redis ping failed", exc_info=True)
            return False

    async def close(self) -> None:
        await self.limiter.close()
        await self.redis.aclose()
        await self.engine.dispose()


def open_resources(settings: Settings, *, clock: Clock | None = None) -> Resources:
    """Create the engine, the cache client and the adapters (connections open lazily)."""
    clock = clock or SystemClock()
    auth = settings.auth
    secret = auth.jwt_secret.get_secret_value() if auth.jwt_secret else None
    key = load_signing_key(
        secret=secret, key_file=key_file_path(settings), production=settings.is_production
    )
    engine = create_engine(
        settings.database.url, pool_size=settings.database.pool_size, echo=settings.database.echo
    )
    session_factory = create_session_factory(engine)
    reads = SqlReads(session_factory)
    cache = (
        SessionCache(reads, ttl=auth.session_cache_seconds)
        if auth.session_cache_seconds > 0
        else None
    )
    redis = create_redis(settings.redis.url)
    limiter = LimitsRateLimiter.create(settings.redis.url, settings.rate_limits.as_mapping())
    codec = JwtAccessTokenCodec(secret=key, issuer=auth.issuer, audience=auth.audience)
    policy = TokenPolicy(
        access_ttl=timedelta(seconds=auth.access_token_ttl_seconds),
        refresh_ttl=timedelta(days=auth.refresh_token_ttl_days),
    )
    ports = Ports(
        uow=lambda: SqlUnitOfWork(
            session_factory, on_commit=cache.invalidate if cache is not None else None
        ),
        clock=clock,
        hasher=Argon2PasswordHasher(
            time_cost=auth.argon2_time_cost,
            memory_cost=auth.argon2_memory_cost_kib,
            parallelism=auth.argon2_parallelism,
        ),
        codec=codec,
        sessions=SessionIssuer(codec=codec, secrets=UrlSafeSecrets(), policy=policy),
        limiter=limiter,
        session_reader=cache or reads,
    )
    return Resources(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        redis=redis,
        limiter=limiter,
        ports=ports,
        reads=reads,
    )
