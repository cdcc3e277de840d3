"""The cache store: Redis in production, an in-process Redis-compatible store embedded.

Both are ``redis.asyncio.Redis`` clients (the embedded one is ``fakeredis``), so every adapter
above this module has one code path. Redis holds nothing that SQL cannot rebuild; adapters
that read it degrade (and log) when it is down instead of failing the request.
"""

from __future__ import annotations

import logging

import fakeredis
from redis.asyncio import Redis

log = logging.getLogger(__name__)


def create_redis(url: str | None) -> Redis:
    """A client for ``url``, or the in-process store when no URL is configured."""
    if url:
        return Redis.from_url(url, decode_responses=True, health_check_interval=30)
    client: Redis = fakeredis.FakeAsyncRedis(decode_responses=True)
    return client
