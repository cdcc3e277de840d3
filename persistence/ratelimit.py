"""Rate limits on the ``limits`` library: Redis storage in production, memory embedded."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

log = logging.getLogger(__name__)


class LimitsRateLimiter:
    """Implements ``RateLimiter`` with a moving window per named limit.

    ``limits`` maps a limit name (``login_ip``) to a rate string (``"10/minute"``). A limit
    that is not configured is not enforced. When the storage fails, the attempt is allowed
    and logged: a Redis outage must not lock everyone out.
    """

    def __init__(
        self, storage: Storage, limits: Mapping[str, str], *, pool: ConnectionPool | None = None
    ) -> None:
        self._strategy = MovingWindowRateLimiter(storage)
        self._items: dict[str, RateLimitItem] = {name: parse(rate) for name, rate in limits.items()}
        self._pool = pool

    @classmethod
    def create(cls, redis_url: str | None, limits: Mapping[str, str]) -> LimitsRateLimiter:
        if not redis_url:
            return cls(MemoryStorage(), limits)
        pool = ConnectionPool.from_url(redis_url)
        storage = RedisStorage(
            "async+" + redis_url,
            implementation="redispy",
            key_prefix="drivemaster:rl",
            connection_pool=pool,  # type: ignore[arg-type]  # passed through to redis-py
        )
        return cls(storage, limits, pool=pool)

    async def close(self) -> None:
        """Release the Redis connections (nothing to do for memory storage)."""
        if self._pool is not None:
            await self._pool.aclose()

    async def hit(self, limit: str, key: str) -> int | None:
        item = self._items.get(limit)
        if item is None:
            return None
        try:
            if await self._strategy.hit(item, limit, key):
                return None
            stats = await self._strategy.get_window_stats(item, limit, key)
        except Exception:
            log.warning("rate-limit storage unavailable; allowing %s", limit, exc_info=True)
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))
