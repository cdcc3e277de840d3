"""The cache store: Redis in production, an in-process Redis-compatible store embedded.

Both are ``redis.asyncio.Redis`` clients (the embedded one is ``fakeredis``), so every adapter
above this module has one code path. Redis holds nothing that SQL cannot rebuild; adapters
that read it degrade (and log) when it is down instead of failing the request.
"""

from __future__ import annotations

import logging
from datetime import datetime

import fakeredis
from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.clock import Clock

log = logging.getLogger(__name__)

DENYLIST_PREFIX = "drivemaster:denylist:"


def create_redis(url: str | None) -> Redis:
    """A client for ``url``, or the in-process store when no URL is configured."""
    if url:
        return Redis.from_url(url, decode_responses=True, health_check_interval=30)
    client: Redis = fakeredis.FakeAsyncRedis(decode_responses=True)
    return client


class RedisTokenDenylist:
    """Implements ``TokenDenylist``: revoked ids expire with the tokens they revoke.

    When Redis is unreachable, ``is_revoked`` answers ``False`` and logs: access tokens live
    minutes, and SQL-backed checks (session version, refresh families) still apply.
    ``revoke`` raises, because a logout that silently failed would be worse.
    """

    def __init__(self, redis: Redis, *, clock: Clock) -> None:
        self._redis = redis
        self._clock = clock

    async def revoke(self, token_id: str, *, until: datetime) -> None:
        seconds = max(1, int((until - self._clock.now()).total_seconds()) + 1)
        await self._redis.set(DENYLIST_PREFIX + token_id, "1", ex=seconds)

    async def is_revoked(self, token_id: str) -> bool:
        try:
            return bool(await self._redis.exists(DENYLIST_PREFIX + token_id))
        except (RedisError, OSError):
            log.warning("token denylist unavailable; accepting token", exc_info=True)
            return False
