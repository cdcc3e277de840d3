"""SessionCache: entries live ``ttl`` seconds, invalidation drops an account at once, a read in
flight during an invalidation is not kept, and memory stays bounded. A fake reader and an
injected clock; no database."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from uuid import UUID

import pytest

from domain.accounts.model import SessionState
from persistence.sessions import MAX_SESSIONS_PER_USER, SessionCache
from tests.persistence.conftest import make_user

TTL = 1.0
GONE = SessionState(user=None, revoked=False)


class FakeReader:
    """Answers from ``states`` (``GONE`` when absent) and records every call. With ``gate``
    set, a read takes its answer, then waits for the gate: a read in flight."""

    def __init__(self) -> None:
        self.states: dict[tuple[UUID, UUID], SessionState] = {}
        self.calls: list[tuple[UUID, UUID]] = []
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()

    def live(self, user_id: UUID, family_id: UUID) -> SessionState:
        """Store and return a live session of a fresh user with id ``user_id``."""
        user = dataclasses.replace(make_user(), id=user_id)
        state = SessionState(user=user, revoked=False)
        self.states[user_id, family_id] = state
        return state

    def revoke(self, user_id: UUID, family_id: UUID) -> SessionState:
        state = dataclasses.replace(self.states[user_id, family_id], revoked=True)
        self.states[user_id, family_id] = state
        return state

    async def session(self, user_id: UUID, family_id: UUID) -> SessionState:
        self.calls.append((user_id, family_id))
        answer = self.states.get((user_id, family_id), GONE)
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return answer


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def reader() -> FakeReader:
    return FakeReader()


@pytest.fixture
def monotonic() -> Clock:
    return Clock()


@pytest.fixture
def cache(reader: FakeReader, monotonic: Clock) -> SessionCache:
    return SessionCache(reader, ttl=TTL, clock=monotonic)


def ids(count: int) -> list[UUID]:
    return [uuid.uuid4() for _ in range(count)]


async def test_a_read_within_ttl_is_served_from_memory_then_read_again(
    cache: SessionCache, reader: FakeReader, monotonic: Clock
) -> None:
    user_id, family = ids(2)
    live = reader.live(user_id, family)

    assert await cache.session(user_id, family) == live
    monotonic.now = 0.5
    revoked = reader.revoke(user_id, family)  # changed elsewhere: this process does not know
    assert await cache.session(user_id, family) == live
    monotonic.now = TTL - 0.001
    assert await cache.session(user_id, family) == live
    assert reader.calls == [(user_id, family)]

    monotonic.now = TTL  # the entry lives ttl seconds from the read, no longer
    assert await cache.session(user_id, family) == revoked
    assert reader.calls == [(user_id, family)] * 2
    monotonic.now = TTL + 0.5
    assert await cache.session(user_id, family) == revoked
    assert len(reader.calls) == 2


async def test_families_of_one_user_are_cached_separately(
    cache: SessionCache, reader: FakeReader
) -> None:
    user_id, phone, laptop = ids(3)
    live = reader.live(user_id, phone)
    reader.live(user_id, laptop)
    revoked = reader.revoke(user_id, laptop)

    for _ in range(3):
        assert await cache.session(user_id, phone) == live
        assert await cache.session(user_id, laptop) == revoked

    assert reader.calls == [(user_id, phone), (user_id, laptop)]


async def test_an_account_that_is_gone_is_cached_too(
    cache: SessionCache, reader: FakeReader
) -> None:
    user_id, family = ids(2)

    assert await cache.session(user_id, family) == GONE
    assert await cache.session(user_id, family) == GONE

    assert reader.calls == [(user_id, family)]


async def test_invalidate_drops_every_session_of_the_user_only(
    cache: SessionCache, reader: FakeReader
) -> None:
    user_id, phone, laptop, other_id, other_family = ids(5)
    reader.live(user_id, phone)
    reader.live(user_id, laptop)
    other = reader.live(other_id, other_family)
    for key in ((user_id, phone), (user_id, laptop), (other_id, other_family)):
        await cache.session(*key)
    reader.calls.clear()
    revoked = reader.revoke(user_id, phone)

    cache.invalidate(frozenset({user_id}))  # what the unit of work's commit hook passes

    assert await cache.session(user_id, phone) == revoked
    assert await cache.session(user_id, laptop) == reader.states[user_id, laptop]
    assert await cache.session(other_id, other_family) == other
    assert reader.calls == [(user_id, phone), (user_id, laptop)]
    # Read again, kept again.
    assert await cache.session(user_id, phone) == revoked
    assert len(reader.calls) == 2


async def test_invalidating_unknown_or_no_users_is_harmless(
    cache: SessionCache, reader: FakeReader
) -> None:
    user_id, family = ids(2)
    live = reader.live(user_id, family)
    await cache.session(user_id, family)

    cache.invalidate([])
    cache.invalidate([uuid.uuid4()])

    assert await cache.session(user_id, family) == live
    assert reader.calls == [(user_id, family)]


async def test_a_read_in_flight_during_an_invalidation_is_answered_but_not_kept(
    cache: SessionCache, reader: FakeReader
) -> None:
    user_id, family = ids(2)
    stale = reader.live(user_id, family)
    reader.gate = asyncio.Event()

    in_flight = asyncio.create_task(cache.session(user_id, family))
    await reader.started.wait()  # the reader has its (soon stale) answer
    revoked = reader.revoke(user_id, family)  # a commit in this process ...
    cache.invalidate([user_id])  # ... and its hook, before the read returns
    reader.gate.set()

    assert await in_flight == stale  # the caller gets the reader's answer
    assert await cache.session(user_id, family) == revoked  # not the cache's stale copy
    assert reader.calls == [(user_id, family)] * 2
    assert await cache.session(user_id, family) == revoked  # a read after it is kept
    assert len(reader.calls) == 2


async def test_a_read_not_overlapping_an_invalidation_is_kept(
    cache: SessionCache, reader: FakeReader
) -> None:
    user_id, family = ids(2)
    live = reader.live(user_id, family)
    cache.invalidate([user_id])  # before the read: the read is as new as it

    assert await cache.session(user_id, family) == live
    assert await cache.session(user_id, family) == live
    assert len(reader.calls) == 1


async def test_a_full_cache_first_drops_expired_entries(
    reader: FakeReader, monotonic: Clock
) -> None:
    cache = SessionCache(reader, ttl=TTL, max_users=2, clock=monotonic)
    (old, old_family), (recent, recent_family), (new, new_family) = (ids(2) for _ in range(3))
    states = {
        key: reader.live(*key)
        for key in ((old, old_family), (recent, recent_family), (new, new_family))
    }
    await cache.session(old, old_family)
    monotonic.now = 0.5
    await cache.session(recent, recent_family)
    monotonic.now = TTL + 0.1  # ``old`` has expired, ``recent`` has not

    assert await cache.session(new, new_family) == states[new, new_family]
    reader.calls.clear()

    assert await cache.session(recent, recent_family) == states[recent, recent_family]
    assert await cache.session(new, new_family) == states[new, new_family]
    assert reader.calls == []  # both kept: only the expired entry made room
    assert await cache.session(old, old_family) == states[old, old_family]
    assert reader.calls == [(old, old_family)]


async def test_a_cache_full_of_live_entries_starts_over(
    reader: FakeReader, monotonic: Clock
) -> None:
    cache = SessionCache(reader, ttl=TTL, max_users=2, clock=monotonic)
    keys = [(user_id, family) for user_id, family in (ids(2) for _ in range(3))]
    states = {key: reader.live(*key) for key in keys}
    first, second, third = keys
    await cache.session(*first)
    await cache.session(*second)
    monotonic.now = 0.1  # nothing has expired

    assert await cache.session(*third) == states[third]
    reader.calls.clear()

    assert await cache.session(*third) == states[third]
    assert reader.calls == []  # the newcomer is kept
    assert await cache.session(*first) == states[first]
    assert await cache.session(*second) == states[second]
    assert reader.calls == [first, second]  # the others were dropped, and read correctly


async def test_a_known_user_never_clears_a_full_cache(reader: FakeReader, monotonic: Clock) -> None:
    cache = SessionCache(reader, ttl=TTL, max_users=2, clock=monotonic)
    (first, first_family), (second, second_family) = (ids(2) for _ in range(2))
    reader.live(first, first_family)
    reader.live(second, second_family)
    await cache.session(first, first_family)
    await cache.session(second, second_family)

    await cache.session(first, uuid.uuid4())  # another session of a cached user
    reader.calls.clear()

    await cache.session(first, first_family)
    await cache.session(second, second_family)
    assert reader.calls == []


async def test_too_many_sessions_of_one_user_clear_that_users_sessions(
    cache: SessionCache, reader: FakeReader
) -> None:
    user_id, other_id, other_family = ids(3)
    families = ids(MAX_SESSIONS_PER_USER + 1)
    states = {family: reader.live(user_id, family) for family in families}
    other = reader.live(other_id, other_family)
    await cache.session(other_id, other_family)
    for family in families[:MAX_SESSIONS_PER_USER]:
        await cache.session(user_id, family)
    for family in families[:MAX_SESSIONS_PER_USER]:  # all of them fit
        await cache.session(user_id, family)
    assert len(reader.calls) == MAX_SESSIONS_PER_USER + 1
    reader.calls.clear()

    extra = families[-1]
    assert await cache.session(user_id, extra) == states[extra]
    assert await cache.session(user_id, extra) == states[extra]
    assert reader.calls == [(user_id, extra)]  # the newcomer is kept
    assert await cache.session(user_id, families[0]) == states[families[0]]
    assert reader.calls == [(user_id, extra), (user_id, families[0])]  # the rest went
    assert await cache.session(other_id, other_family) == other
    assert len(reader.calls) == 2  # other users keep theirs


@pytest.mark.parametrize("ttl", [0, -1.0])
def test_ttl_must_be_positive(reader: FakeReader, ttl: float) -> None:
    with pytest.raises(ValueError, match="ttl must be positive"):
        SessionCache(reader, ttl=ttl)
