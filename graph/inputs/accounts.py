"""Inputs of the accounts mutations."""

from __future__ import annotations

from datetime import date, time
from typing import TypeVar

import strawberry

from domain.accounts import commands
from domain.accounts.model import LicenceCategory, RequestMeta, Role, Visibility
from domain.errors import FieldIssue, InvalidInput
from graph.scalars import parse_id

T = TypeVar("T")


def _keep(value: T | None, *, field: str, nullable: bool) -> T | commands.Keep | None:
    """UNSET keeps the stored value; ``null`` clears it where that is allowed."""
    if value is strawberry.UNSET:
        return commands.KEEP
    if value is None and not nullable:
        raise InvalidInput([FieldIssue(field, f"'{field}' cannot be null; omit it to keep it.")])
    return value


@strawberry.input(name="RegisterInput")
class RegisterInputGQL:
    email: str
    password: str
    display_name: str | None = strawberry.field(
        default=None, description="Defaults to the part of the email before the @."
    )
    locale: str | None = None
    time_zone: str | None = None

    def to_command(self, meta: RequestMeta) -> commands.Register:
        return commands.Register(
            email=self.email,
            password=self.password,
            display_name=self.display_name,
            locale=self.locale,
            time_zone=self.time_zone,
            meta=meta,
        )


@strawberry.input(name="LoginInput")
class LoginInputGQL:
    email: str
    password: str

    def to_command(self, meta: RequestMeta) -> commands.Login:
        return commands.Login(email=self.email, password=self.password, meta=meta)


@strawberry.input(name="ChangePasswordInput")
class ChangePasswordInputGQL:
    current_password: str
    new_password: str

    def to_command(self, meta: RequestMeta) -> commands.ChangePassword:
        return commands.ChangePassword(
            current_password=self.current_password, new_password=self.new_password, meta=meta
        )


@strawberry.input(name="UpdateProfileInput", description="Omitted fields keep their value.")
class UpdateProfileInputGQL:
    display_name: str | None = strawberry.UNSET
    bio: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    avatar_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="An https:// URL; null clears it."
    )
    locale: str | None = strawberry.UNSET
    time_zone: str | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET

    def to_command(self) -> commands.UpdateProfile:
        return commands.UpdateProfile(
            display_name=_keep(self.display_name, field="displayName", nullable=False),  # type: ignore[arg-type]
            bio=_keep(self.bio, field="bio", nullable=True),
            avatar_url=_keep(self.avatar_url, field="avatarUrl", nullable=True),
            locale=_keep(self.locale, field="locale", nullable=False),  # type: ignore[arg-type]
            time_zone=_keep(self.time_zone, field="timeZone", nullable=False),  # type: ignore[arg-type]
            visibility=_keep(self.visibility, field="visibility", nullable=False),  # type: ignore[arg-type]
        )


@strawberry.input(
    name="UpdateLearningPreferencesInput", description="Omitted fields keep their value."
)
class UpdateLearningPreferencesInputGQL:
    licence_category: LicenceCategory | None = strawberry.UNSET
    daily_goal_minutes: int | None = strawberry.UNSET
    session_length: int | None = strawberry.UNSET
    target_exam_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it."
    )
    reminders_enabled: bool | None = strawberry.UNSET
    reminder_time: time | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it."
    )
    show_explanations: bool | None = strawberry.UNSET

    def to_command(self) -> commands.UpdateLearningPreferences:
        fixed = {
            "licence_category": ("licenceCategory", self.licence_category),
            "daily_goal_minutes": ("dailyGoalMinutes", self.daily_goal_minutes),
            "session_length": ("sessionLength", self.session_length),
            "reminders_enabled": ("remindersEnabled", self.reminders_enabled),
            "show_explanations": ("showExplanations", self.show_explanations),
        }
        issues: list[FieldIssue] = []
        values: dict[str, object] = {}
        for name, (field, value) in fixed.items():
            try:
                values[name] = _keep(value, field=field, nullable=False)
            except InvalidInput as error:
                issues += error.issues
        if issues:
            raise InvalidInput(issues)
        return commands.UpdateLearningPreferences(
            target_exam_date=_keep(self.target_exam_date, field="targetExamDate", nullable=True),
            reminder_time=_keep(self.reminder_time, field="reminderTime", nullable=True),
            **values,  # type: ignore[arg-type]
        )


@strawberry.input(name="SetUserRoleInput")
class SetUserRoleInputGQL:
    user_id: strawberry.ID
    role: Role

    def to_command(self, meta: RequestMeta) -> commands.SetUserRole:
        return commands.SetUserRole(
            user_id=parse_id(self.user_id, field="userId"), role=self.role, meta=meta
        )
