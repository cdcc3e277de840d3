"""RedisTokenDenylist: one contract, run on the embedded store (fakeredis) and real Redis."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.clock import FixedClock
from persistence.cache import DENYLIST_PREFIX, RedisTokenDenylist, create_redis
from tests.conftest import NOW
from tests.persistence.conftest import UNREACHABLE_REDIS_URL


@pytest.fixture
def denylist(redis_client: Redis) -> RedisTokenDenylist:
    return RedisTokenDenylist(redis_client, clock=FixedClock(NOW))


@pytest.fixture
def new_token_id(store_keys: list[str]) -> Callable[[], str]:
    """Make token ids unique to this test; their keys are deleted afterwards."""

    def _new() -> str:
        token_id = f"test-{uuid.uuid4().hex}"
        store_keys.append(DENYLIST_PREFIX + token_id)
        return token_id

    return _new


async def test_revoked_ids_are_revoked_and_others_are_not(
    denylist: RedisTokenDenylist, new_token_id: Callable[[], str]
) -> None:
    revoked, other = new_token_id(), new_token_id()

    assert await denylist.is_revoked(revoked) is False
    await denylist.revoke(revoked, until=NOW + timedelta(minutes=15))

    assert await denylist.is_revoked(revoked) is True
    assert await denylist.is_revoked(other) is False


async def test_revocation_lives_until_the_token_would_expire(
    denylist: RedisTokenDenylist, redis_client: Redis, new_token_id: Callable[[], str]
) -> None:
    token_id = new_token_id()

    await denylist.revoke(token_id, until=NOW + timedelta(minutes=10))

    assert 600 <= await redis_client.ttl(DENYLIST_PREFIX + token_id) <= 601


async def test_revocation_expires(
    denylist: RedisTokenDenylist, new_token_id: Callable[[], str]
) -> None:
    token_id = new_token_id()

    await denylist.revoke(token_id, until=NOW)  # already expired: kept for the minimum, 1 s
    assert await denylist.is_revoked(token_id) is True

    await asyncio.sleep(1.2)
    assert await denylist.is_revoked(token_id) is False


async def test_is_revoked_accepts_the_token_when_redis_is_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = create_redis(UNREACHABLE_REDIS_URL)
    try:
        denylist = RedisTokenDenylist(client, clock=FixedClock(NOW))
        with caplog.at_level(logging.WARNING, logger="persistence.cache"):
            assert await denylist.is_revoked("any-token") is False
    finally:
        await client.aclose()

    assert [record.getMessage() for record in caplog.records] == [
        "token denylist unavailable; accepting token"
    ]


async def test_revoke_raises_when_redis_is_unreachable() -> None:
    client = create_redis(UNREACHABLE_REDIS_URL)
    try:
        denylist = RedisTokenDenylist(client, clock=FixedClock(NOW))
        with pytest.raises(RedisError):
            await denylist.revoke("any-token", until=NOW + timedelta(minutes=5))
    finally:
        await client.aclose()
