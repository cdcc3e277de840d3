"""LimitsRateLimiter: one contract, run on memory storage and on real Redis storage."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import pytest

from persistence.ratelimit import LimitsRateLimiter
from tests.persistence.conftest import UNREACHABLE_REDIS_URL, delete_matching

LIMITS = {"x": "2/minute", "y": "2/minute"}


@pytest.fixture
def key() -> str:
    """A rate-limit key no other test or run uses."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
async def limiter(store_url: str | None, key: str) -> AsyncIterator[LimitsRateLimiter]:
    """Memory storage for the embedded store, Redis storage for real Redis."""
    limiter = LimitsRateLimiter.create(store_url, LIMITS)
    try:
        yield limiter
    finally:
        await limiter.close()
        await delete_matching(store_url, f"drivemaster:rl:*{key}*")


async def test_allows_the_limit_then_tells_when_to_retry(
    limiter: LimitsRateLimiter, key: str
) -> None:
    first, second, third, fourth = [await limiter.hit("x", key) for _ in range(4)]

    assert (first, second) == (None, None)
    assert third is not None
    assert 1 <= third <= 60
    assert fourth is not None
    assert 1 <= fourth <= 60


async def test_limits_and_keys_are_counted_apart(limiter: LimitsRateLimiter, key: str) -> None:
    other_key = key + "-other"
    for _ in range(2):
        assert await limiter.hit("x", key) is None
    assert await limiter.hit("x", key) is not None

    assert await limiter.hit("x", other_key) is None
    assert await limiter.hit("y", key) is None


async def test_unconfigured_limits_are_not_enforced(limiter: LimitsRateLimiter, key: str) -> None:
    assert [await limiter.hit("not-configured", key) for _ in range(10)] == [None] * 10


async def test_storage_failure_lets_the_attempt_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = LimitsRateLimiter.create(UNREACHABLE_REDIS_URL, {"x": "1/minute"})
    try:
        with caplog.at_level(logging.WARNING, logger="persistence.ratelimit"):
            assert [await limiter.hit("x", "someone") for _ in range(3)] == [None] * 3
    finally:
        await limiter.close()

    assert [record.getMessage() for record in caplog.records] == [
        "rate-limit storage unavailable; allowing x"
    ] * 3
