"""``LearningPreferences`` as its stored JSON document: golden values and round trips."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts.model import LearningPreferences, LicenceCategory

DEFAULT_DOCUMENT = {
    "licence_category": "car",
    "daily_goal_minutes": 15,
    "session_length": 20,
    "target_exam_date": None,
    "reminders_enabled": True,
    "reminder_time": None,
    "show_explanations": True,
}
FULL = LearningPreferences(
    licence_category=LicenceCategory.BUS,
    daily_goal_minutes=45,
    session_length=30,
    target_exam_date=date(2027, 3, 1),
    reminders_enabled=False,
    reminder_time=time(7, 5),
    show_explanations=False,
)
FULL_DOCUMENT = {
    "licence_category": "bus",
    "daily_goal_minutes": 45,
    "session_length": 30,
    "target_exam_date": "2027-03-01",
    "reminders_enabled": False,
    "reminder_time": "07:05:00",
    "show_explanations": False,
}

preferences = st.builds(
    LearningPreferences,
    licence_category=st.sampled_from(LicenceCategory),
    daily_goal_minutes=st.integers(min_value=-(2**63), max_value=2**63),
    session_length=st.integers(min_value=-(2**63), max_value=2**63),
    target_exam_date=st.none() | st.dates(),
    reminders_enabled=st.booleans(),
    reminder_time=st.none() | st.times(),
    show_explanations=st.booleans(),
)


def test_to_json_of_the_defaults() -> None:
    assert LearningPreferences().to_json() == DEFAULT_DOCUMENT


def test_to_json_of_every_field_set() -> None:
    assert FULL.to_json() == FULL_DOCUMENT


def test_from_json_reads_every_field() -> None:
    assert LearningPreferences.from_json(FULL_DOCUMENT) == FULL


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param({}, LearningPreferences(), id="empty"),
        pytest.param(
            {"licence_category": "truck"},
            LearningPreferences(licence_category=LicenceCategory.TRUCK),
            id="only-licence",
        ),
        pytest.param(
            {"daily_goal_minutes": 60, "reminder_time": "21:30"},
            LearningPreferences(daily_goal_minutes=60, reminder_time=time(21, 30)),
            id="goal-and-reminder-in-the-older-minute-format",
        ),
        pytest.param(
            {"target_exam_date": None, "reminder_time": None},
            LearningPreferences(),
            id="explicit-nulls",
        ),
        pytest.param(
            FULL_DOCUMENT | {"added_in_a_later_version": 1}, FULL, id="unknown-keys-ignored"
        ),
    ],
)
def test_from_json_of_older_documents_takes_defaults(
    document: dict[str, Any], expected: LearningPreferences
) -> None:
    assert LearningPreferences.from_json(document) == expected


@settings(database=None)
@given(preferences)
def test_from_json_inverts_to_json(prefs: LearningPreferences) -> None:
    assert LearningPreferences.from_json(prefs.to_json()) == prefs


@settings(database=None)
@given(preferences)
def test_the_document_survives_json_encoding(prefs: LearningPreferences) -> None:
    stored = json.loads(json.dumps(prefs.to_json()))
    assert LearningPreferences.from_json(stored) == prefs


@settings(database=None)
@given(preferences, st.sets(st.sampled_from(sorted(DEFAULT_DOCUMENT))))
def test_keys_missing_from_a_document_take_their_defaults(
    prefs: LearningPreferences, missing: set[str]
) -> None:
    document = {key: value for key, value in prefs.to_json().items() if key not in missing}
    defaults = LearningPreferences()
    expected = replace(prefs, **{key: getattr(defaults, key) for key in missing})

    assert LearningPreferences.from_json(document) == expected


@pytest.mark.parametrize(
    ("reminder", "stored"),
    [(time(7, 5, 30), "07:05:30"), (time(7, 5, 0, 500), "07:05:00.000500")],
)
def test_reminder_seconds_are_kept(reminder: time, stored: str) -> None:
    prefs = LearningPreferences(reminder_time=reminder)
    assert prefs.to_json()["reminder_time"] == stored
    assert LearningPreferences.from_json(prefs.to_json()) == prefs
