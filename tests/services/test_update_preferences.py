"""``update_learning_preferences``: KEEP semantics, null clears, ranges and exam date checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any

import pytest

from domain.accounts.commands import UpdateLearningPreferences
from domain.accounts.model import LearningPreferences, LicenceCategory, User
from domain.accounts.services import update_learning_preferences
from domain.errors import FieldIssue, InvalidInput, Unauthenticated
from tests.services.support import ALICE_ID, NOW, Env, make_user, viewer_of

TODAY = date(2026, 11, 23)  # NOW's date in UTC
PREFERENCES = LearningPreferences(
    licence_category=LicenceCategory.MOTORCYCLE,
    daily_goal_minutes=30,
    session_length=25,
    target_exam_date=date(2027, 3, 1),
    reminders_enabled=True,
    reminder_time=time(7, 30),
    show_explanations=False,
)
ALICE = make_user(preferences=PREFERENCES)
GOAL = "Daily goal (minutes) must be between 5 and 240."
LENGTH = "Session length (questions) must be between 5 and 100."


async def run(env: Env, **sent: Any) -> User:
    return await update_learning_preferences(
        UpdateLearningPreferences(**sent), viewer=viewer_of(ALICE), uow=env.uow, clock=env.clock
    )


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param({"daily_goal_minutes": 45}, id="one-field"),
        pytest.param({"target_exam_date": None, "reminder_time": None}, id="nulls-clear"),
        pytest.param(
            {"daily_goal_minutes": 5, "session_length": 100, "target_exam_date": TODAY},
            id="lower-and-upper-bounds",
        ),
        pytest.param(
            {
                "daily_goal_minutes": 240,
                "session_length": 5,
                "target_exam_date": date(2028, 11, 23),
            },
            id="other-bounds",
        ),
        pytest.param(
            {
                "licence_category": LicenceCategory.TRUCK,
                "daily_goal_minutes": 60,
                "session_length": 50,
                "target_exam_date": date(2027, 1, 15),
                "reminders_enabled": False,
                "reminder_time": time(20, 5),
                "show_explanations": True,
            },
            id="everything",
        ),
    ],
)
async def test_update_changes_only_the_fields_sent(env: Env, sent: dict[str, Any]) -> None:
    env.uow.seed(ALICE)

    user = await run(env, **sent)

    expected = replace(ALICE, preferences=replace(PREFERENCES, **sent), updated_at=NOW)
    assert user == expected
    assert env.uow.committed.users == {ALICE_ID: expected}
    assert env.uow.commits == 1


@pytest.mark.parametrize(
    "sent",
    [pytest.param({}, id="nothing-sent"), pytest.param({"daily_goal_minutes": 30}, id="same")],
)
async def test_an_update_that_changes_nothing_stores_nothing(
    env: Env, sent: dict[str, Any]
) -> None:
    env.uow.seed(ALICE)

    user = await run(env, **sent)

    assert user == ALICE
    assert (env.uow.committed.users, env.uow.commits) == ({ALICE_ID: ALICE}, 0)


@pytest.mark.parametrize(
    ("sent", "issues"),
    [
        pytest.param({"daily_goal_minutes": 4}, [("dailyGoalMinutes", GOAL)], id="goal-low"),
        pytest.param({"daily_goal_minutes": 241}, [("dailyGoalMinutes", GOAL)], id="goal-high"),
        pytest.param({"session_length": 4}, [("sessionLength", LENGTH)], id="length-low"),
        pytest.param({"session_length": 101}, [("sessionLength", LENGTH)], id="length-high"),
        pytest.param(
            {"target_exam_date": TODAY - timedelta(days=1)},
            [("targetExamDate", "Target exam date must not be in the past.")],
            id="exam-past",
        ),
        pytest.param(
            {"target_exam_date": TODAY + timedelta(days=732)},
            [("targetExamDate", "Target exam date must be within two years.")],
            id="exam-far",
        ),
        pytest.param(
            {
                "daily_goal_minutes": 0,
                "session_length": 1000,
                "target_exam_date": date(2020, 1, 1),
                "show_explanations": True,
            },
            [
                ("dailyGoalMinutes", GOAL),
                ("sessionLength", LENGTH),
                ("targetExamDate", "Target exam date must not be in the past."),
            ],
            id="everything",
        ),
    ],
)
async def test_every_bad_field_is_reported_and_nothing_stored(
    env: Env, sent: dict[str, Any], issues: list[tuple[str, str]]
) -> None:
    env.uow.seed(ALICE)

    with pytest.raises(InvalidInput) as caught:
        await run(env, **sent)

    assert caught.value.issues == tuple(FieldIssue(*issue) for issue in issues)
    assert (env.uow.committed.users, env.uow.commits) == ({ALICE_ID: ALICE}, 0)


async def test_a_deleted_account_cannot_update_its_preferences(env: Env) -> None:
    with pytest.raises(Unauthenticated, match=r"^The account no longer exists\.$"):
        await run(env, daily_goal_minutes=20)
