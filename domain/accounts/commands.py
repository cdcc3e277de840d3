"""Commands of the accounts use cases: plain data, as the client sent it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, time
from uuid import UUID

from domain.accounts.model import LicenceCategory, RequestMeta, Role, Visibility


class Keep(enum.Enum):
    """Marks a field of an update command that the client did not send."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True, slots=True, kw_only=True)
class Register:
    email: str
    password: str
    display_name: str | None = None
    locale: str | None = None
    time_zone: str | None = None
    meta: RequestMeta = field(default_factory=RequestMeta)


@dataclass(frozen=True, slots=True, kw_only=True)
class Login:
    email: str
    password: str
    meta: RequestMeta = field(default_factory=RequestMeta)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshTokens:
    refresh_token: str
    meta: RequestMeta = field(default_factory=RequestMeta)


@dataclass(frozen=True, slots=True, kw_only=True)
class Logout:
    refresh_token: str
    meta: RequestMeta = field(default_factory=RequestMeta)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangePassword:
    current_password: str
    new_password: str
    meta: RequestMeta = field(default_factory=RequestMeta)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateProfile:
    display_name: str | Keep = KEEP
    bio: str | Keep | None = KEEP
    avatar_url: str | Keep | None = KEEP
    locale: str | Keep = KEEP
    time_zone: str | Keep = KEEP
    visibility: Visibility | Keep = KEEP


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateLearningPreferences:
    licence_category: LicenceCategory | Keep = KEEP
    daily_goal_minutes: int | Keep = KEEP
    session_length: int | Keep = KEEP
    target_exam_date: date | Keep | None = KEEP
    reminders_enabled: bool | Keep = KEEP
    reminder_time: time | Keep | None = KEEP
    show_explanations: bool | Keep = KEEP


@dataclass(frozen=True, slots=True, kw_only=True)
class SetUserRole:
    user_id: UUID
    role: Role
    meta: RequestMeta = field(default_factory=RequestMeta)
