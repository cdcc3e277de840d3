"""Profile, learning-preference and role use cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo

from domain.accounts import validation
from domain.accounts.commands import Keep, SetUserRole, UpdateLearningPreferences, UpdateProfile
from domain.accounts.errors import UserNotFound
from domain.accounts.model import AuditAction, User, Viewer
from domain.accounts.ports import UnitOfWork
from domain.accounts.services.tokens import audit
from domain.clock import Clock
from domain.errors import FieldIssue, Forbidden, InvalidInput, Unauthenticated

__all__ = ["set_user_role", "update_learning_preferences", "update_profile"]

MIN_DAILY_GOAL_MINUTES, MAX_DAILY_GOAL_MINUTES = 5, 240
MIN_SESSION_LENGTH, MAX_SESSION_LENGTH = 5, 100

T = TypeVar("T")


def _pick(value: T | Keep, current: T) -> T:
    return current if isinstance(value, Keep) else value


async def _load_viewer_user(viewer: Viewer, uow: UnitOfWork) -> User:
    user = await uow.users.get(viewer.user_id, for_update=True)
    if user is None:
        raise Unauthenticated("The account no longer exists.")
    return user


def _profile_issues(command: UpdateProfile) -> tuple[dict[str, object], list[FieldIssue]]:
    changes: dict[str, object] = {}
    issues: list[FieldIssue] = []
    if not isinstance(command.display_name, Keep):
        changes["display_name"], found = validation.check_display_name(command.display_name)
        issues += found
    if not isinstance(command.bio, Keep):
        changes["bio"], found = validation.check_bio(command.bio or "")
        issues += found
    if not isinstance(command.avatar_url, Keep):
        changes["avatar_url"], found = validation.check_avatar_url(command.avatar_url or "")
        issues += found
    if not isinstance(command.locale, Keep):
        issues += validation.check_locale(command.locale)
        changes["locale"] = command.locale
    if not isinstance(command.time_zone, Keep):
        issues += validation.check_time_zone(command.time_zone)
        changes["time_zone"] = command.time_zone
    if not isinstance(command.visibility, Keep):
        changes["visibility"] = command.visibility
    return changes, issues


async def update_profile(
    command: UpdateProfile, *, viewer: Viewer, uow: UnitOfWork, clock: Clock
) -> User:
    """Change the viewer's own profile; fields not sent stay as they are.

    Raises:
        InvalidInput: with every issue found; nothing is changed.
    """
    changes, issues = _profile_issues(command)
    if issues:
        raise InvalidInput(issues)
    async with uow:
        user = await _load_viewer_user(viewer, uow)
        if changes:
            profile = replace(user.profile, **changes)  # type: ignore[arg-type]
            user = replace(user, profile=profile, updated_at=clock.now())
            await uow.users.update(user)
            await uow.commit()
    return user


def _preference_issues(command: UpdateLearningPreferences, *, today: date) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    if not isinstance(command.daily_goal_minutes, Keep):
        issues += validation.check_range(
            command.daily_goal_minutes,
            low=MIN_DAILY_GOAL_MINUTES,
            high=MAX_DAILY_GOAL_MINUTES,
            field="dailyGoalMinutes",
            label="Daily goal (minutes)",
        )
    if not isinstance(command.session_length, Keep):
        issues += validation.check_range(
            command.session_length,
            low=MIN_SESSION_LENGTH,
            high=MAX_SESSION_LENGTH,
            field="sessionLength",
            label="Session length (questions)",
        )
    if isinstance(command.target_exam_date, date):
        issues += validation.check_exam_date(command.target_exam_date, today=today)
    return issues


async def update_learning_preferences(
    command: UpdateLearningPreferences, *, viewer: Viewer, uow: UnitOfWork, clock: Clock
) -> User:
    """Change the viewer's learning preferences; fields not sent stay as they are.

    Dates are judged in the learner's own time zone: "today" is their today.

    Raises:
        InvalidInput: with every issue found; nothing is changed.
    """
    now = clock.now()
    async with uow:
        user = await _load_viewer_user(viewer, uow)
        today = now.astimezone(ZoneInfo(user.profile.time_zone)).date()
        issues = _preference_issues(command, today=today)
        if issues:
            raise InvalidInput(issues)
        current = user.preferences
        preferences = replace(
            current,
            licence_category=_pick(command.licence_category, current.licence_category),
            daily_goal_minutes=_pick(command.daily_goal_minutes, current.daily_goal_minutes),
            session_length=_pick(command.session_length, current.session_length),
            target_exam_date=_pick(command.target_exam_date, current.target_exam_date),
            reminders_enabled=_pick(command.reminders_enabled, current.reminders_enabled),
            reminder_time=_pick(command.reminder_time, current.reminder_time),
            show_explanations=_pick(command.show_explanations, current.show_explanations),
        )
        if preferences != current:
            user = replace(user, preferences=preferences, updated_at=now)
            await uow.users.update(user)
            await uow.commit()
    return user


async def set_user_role(
    command: SetUserRole, *, viewer: Viewer, uow: UnitOfWork, clock: Clock
) -> User:
    """An admin gives a user another role; takes effect on the user's next request.

    Raises:
        Forbidden: when the viewer is not an admin.
        InvalidInput: when an admin tries to change their own role (no self-lockout).
        UserNotFound: when no account has this id.
    """
    if not viewer.is_admin:
        raise Forbidden("Only admins may change roles.")
    if command.user_id == viewer.user_id:
        raise InvalidInput([FieldIssue("userId", "Admins cannot change their own role.")])
    now = clock.now()
    async with uow:
        user = await uow.users.get(command.user_id, for_update=True)
        if user is None:
            raise UserNotFound("No user has this id.", field="userId")
        if user.role is not command.role:
            previous = user.role
            user = replace(user, role=command.role, updated_at=now)
            await uow.users.update(user)
            await audit(
                uow,
                AuditAction.ROLE_CHANGED,
                at=now,
                meta=command.meta,
                actor_id=viewer.user_id,
                subject_id=user.id,
                previous=previous.value,
                role=command.role.value,
            )
            await uow.commit()
    return user
