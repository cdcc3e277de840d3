"""``FixedClock`` stands still until moved and refuses naive datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.clock import FixedClock, SystemClock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_fixed_clock_stands_still() -> None:
    clock = FixedClock(NOW)
    assert (clock.now(), clock.now()) == (NOW, NOW)


def test_fixed_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match=r"^FixedClock needs a timezone-aware datetime$"):
        FixedClock(datetime(2026, 11, 23, 9, 0))  # noqa: DTZ001 - naive on purpose


def test_advance_moves_by_a_timedelta_and_accumulates() -> None:
    clock = FixedClock(NOW)
    clock.advance(minutes=15, seconds=30)
    assert clock.now() == datetime(2026, 11, 23, 9, 15, 30, tzinfo=UTC)
    clock.advance(days=1, hours=0.5)
    assert clock.now() == NOW + timedelta(days=1, minutes=45, seconds=30)
    assert clock.now().tzinfo is UTC


def test_advance_by_nothing_keeps_the_instant() -> None:
    clock = FixedClock(NOW)
    clock.advance()
    assert clock.now() == NOW


def test_system_clock_tells_utc() -> None:
    assert SystemClock().now().tzinfo is UTC
