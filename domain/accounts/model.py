"""The accounts model: users, their profile and preferences, sessions and the audit trail."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from uuid import UUID


class Role(enum.StrEnum):
    """What a user may do. Authors write questions; admins manage users and content."""

    LEARNER = "learner"
    AUTHOR = "author"
    ADMIN = "admin"


class Visibility(enum.StrEnum):
    """Who may see a user's profile details beyond their display name."""

    PUBLIC = "public"
    FRIENDS = "friends"
    PRIVATE = "private"


class LicenceCategory(enum.StrEnum):
    """The licence the learner prepares for; it selects the exam blueprint."""

    CAR = "car"
    MOTORCYCLE = "motorcycle"
    TRUCK = "truck"
    BUS = "bus"


class AuditAction(enum.StrEnum):
    """Every security-relevant event that is written to the append-only audit log."""

    REGISTERED = "registered"
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    PASSWORD_REHASHED = "password_rehashed"  # noqa: S105 - an event name
    TOKENS_REFRESHED = "tokens_refreshed"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"  # noqa: S105 - an event name
    REFRESH_TOKEN_REJECTED = "refresh_token_rejected"  # noqa: S105 - an event name
    LOGGED_OUT = "logged_out"
    LOGGED_OUT_EVERYWHERE = "logged_out_everywhere"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
    PASSWORD_CHANGE_FAILED = "password_change_failed"  # noqa: S105 - an event name
    ROLE_CHANGED = "role_changed"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """What a user shows of themselves; ``visibility`` governs who sees the details."""

    display_name: str
    bio: str | None = None
    avatar_url: str | None = None
    locale: str = "en"
    time_zone: str = "UTC"
    visibility: Visibility = Visibility.PRIVATE


@dataclass(frozen=True, slots=True, kw_only=True)
class LearningPreferences:
    """How the learner wants to study; stored as one JSON document."""

    licence_category: LicenceCategory = LicenceCategory.CAR
    daily_goal_minutes: int = 15
    session_length: int = 20
    target_exam_date: date | None = None
    reminders_enabled: bool = True
    reminder_time: time | None = None
    show_explanations: bool = True

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document the preferences are stored as."""
        return {
            "licence_category": self.licence_category.value,
            "daily_goal_minutes": self.daily_goal_minutes,
            "session_length": self.session_length,
            "target_exam_date": self.target_exam_date.isoformat()
            if self.target_exam_date
            else None,
            "reminders_enabled": self.reminders_enabled,
            "reminder_time": self.reminder_time.isoformat() if self.reminder_time else None,
            "show_explanations": self.show_explanations,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LearningPreferences:
        """Read a stored document; keys missing from older documents take their defaults."""
        defaults = cls()
        exam = data.get("target_exam_date")
        reminder = data.get("reminder_time")
        return cls(
            licence_category=LicenceCategory(
                data.get("licence_category", defaults.licence_category.value)
            ),
            daily_goal_minutes=int(data.get("daily_goal_minutes", defaults.daily_goal_minutes)),
            session_length=int(data.get("session_length", defaults.session_length)),
            target_exam_date=date.fromisoformat(exam) if exam else None,
            reminders_enabled=bool(data.get("reminders_enabled", defaults.reminders_enabled)),
            reminder_time=time.fromisoformat(reminder) if reminder else None,
            show_explanations=bool(data.get("show_explanations", defaults.show_explanations)),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """An account. ``session_version`` invalidates every access token issued before it moved."""

    id: UUID
    email: str
    password_hash: str
    role: Role
    profile: Profile
    preferences: LearningPreferences
    created_at: datetime
    updated_at: datetime
    session_version: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshToken:
    """One opaque refresh token, stored only as its hash. Rotation links tokens in a family."""

    id: UUID
    user_id: UUID
    family_id: UUID
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    user_agent: str | None = None
    ip: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One immutable line of the audit log."""

    action: AuditAction
    occurred_at: datetime
    actor_id: UUID | None = None
    subject_id: UUID | None = None
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessClaims:
    """What a verified access token says about its bearer."""

    user_id: UUID
    role: Role
    session_version: int
    token_id: str
    family_id: UUID
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionState:
    """What authentication needs to know, read in one statement: the token's account as it
    is now (``None`` when it is gone) and whether the token's session (its refresh-token
    family) was revoked, by logout or by refresh-token reuse."""

    user: User | None
    revoked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPair:
    """What a successful login, registration or refresh hands back to the client."""

    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Viewer:
    """The authenticated caller of a request."""

    user_id: UUID
    role: Role
    token_id: str
    family_id: UUID
    expires_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestMeta:
    """Where a command came from, for rate limits and the audit log."""

    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
