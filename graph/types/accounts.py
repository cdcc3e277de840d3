"""Graph types of the accounts area."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import strawberry
from strawberry.permission import BasePermission

from domain.accounts.model import (
    LearningPreferences,
    LicenceCategory,
    Role,
    TokenPair,
    User,
    Visibility,
)
from graph.context import Info
from graph.errors import (
    EmailTakenErrorGQL,
    InvalidCredentialsErrorGQL,
    InvalidRefreshTokenErrorGQL,
    NotFoundErrorGQL,
    ValidationErrorGQL,
)
from graph.permissions import CanViewProfile, IsOwnerOrAdmin
from graph.scalars import parse_id

RoleGQL = strawberry.enum(Role, name="Role", description="What a user may do.")
VisibilityGQL = strawberry.enum(
    Visibility, name="ProfileVisibility", description="Who may see a user's profile details."
)
LicenceCategoryGQL = strawberry.enum(
    LicenceCategory, name="LicenceCategory", description="The licence a learner prepares for."
)


@strawberry.type(name="LearningPreferences", description="How the learner wants to study.")
class LearningPreferencesGQL:
    licence_category: LicenceCategory
    daily_goal_minutes: int
    session_length: int = strawberry.field(description="Questions per practice session.")
    target_exam_date: date | None
    reminders_enabled: bool
    reminder_time: time | None = strawberry.field(description="Local time of the daily reminder.")
    show_explanations: bool

    @classmethod
    def from_domain(cls, preferences: LearningPreferences) -> LearningPreferencesGQL:
        return cls(
            licence_category=preferences.licence_category,
            daily_goal_minutes=preferences.daily_goal_minutes,
            session_length=preferences.session_length,
            target_exam_date=preferences.target_exam_date,
            reminders_enabled=preferences.reminders_enabled,
            reminder_time=preferences.reminder_time,
            show_explanations=preferences.show_explanations,
        )


PRIVATE: list[type[BasePermission]] = [IsOwnerOrAdmin]
PROFILE: list[type[BasePermission]] = [CanViewProfile]


@strawberry.federation.type(name="User", keys=["id"], description="A DriveMaster account.")
class UserGQL:
    user: strawberry.Private[User]
    granted: strawberry.Private[bool] = False

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.user.id))

    @strawberry.field
    def display_name(self) -> str:
        return self.user.profile.display_name

    @strawberry.field(permission_classes=PROFILE)
    def bio(self) -> str | None:
        return self.user.profile.bio

    @strawberry.field(permission_classes=PROFILE)
    def avatar_url(self) -> str | None:
        return self.user.profile.avatar_url

    @strawberry.field(permission_classes=PROFILE)
    def locale(self) -> str | None:
        return self.user.profile.locale

    @strawberry.field(permission_classes=PROFILE)
    def time_zone(self) -> str | None:
        return self.user.profile.time_zone

    @strawberry.field(permission_classes=PROFILE)
    def member_since(self) -> datetime | None:
        return self.user.created_at

    @strawberry.field(permission_classes=PRIVATE, description="Owner and admins only.")
    def email(self) -> str | None:
        return self.user.email

    @strawberry.field(permission_classes=PRIVATE, description="Owner and admins only.")
    def role(self) -> Role | None:
        return self.user.role

    @strawberry.field(permission_classes=PRIVATE, description="Owner and admins only.")
    def visibility(self) -> Visibility | None:
        return self.user.profile.visibility

    @strawberry.field(permission_classes=PRIVATE, description="Owner and admins only.")
    def learning_preferences(self) -> LearningPreferencesGQL | None:
        return LearningPreferencesGQL.from_domain(self.user.preferences)

    @classmethod
    def from_domain(cls, user: User, *, granted: bool = False) -> UserGQL:
        return cls(user=user, granted=granted)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> UserGQL | None:  # noqa: A002
        info.context.require_viewer()
        user = await info.context.loaders.user.load(parse_id(id, field="id"))
        return cls.from_domain(user) if user else None


@strawberry.type(name="AuthSuccess", description="A signed-in session: tokens and the account.")
class AuthSuccessGQL:
    access_token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    access_token_expires_at: datetime
    refresh_token: str = strawberry.field(description="Single use; exchange with refreshTokens.")
    refresh_token_expires_at: datetime
    user: UserGQL

    @classmethod
    def from_domain(cls, user: User, tokens: TokenPair) -> AuthSuccessGQL:
        return cls(
            access_token=tokens.access_token,
            access_token_expires_at=tokens.access_expires_at,
            refresh_token=tokens.refresh_token,
            refresh_token_expires_at=tokens.refresh_expires_at,
            user=UserGQL.from_domain(user, granted=True),
        )


@strawberry.type(name="LogoutSuccess")
class LogoutSuccessGQL:
    revoked_sessions: int = strawberry.field(description="Sessions that were ended.")


@strawberry.type(name="UserUpdated", description="The user after the change.")
class UserUpdatedGQL:
    user: UserGQL


RegisterPayload = Annotated[
    AuthSuccessGQL | ValidationErrorGQL | EmailTakenErrorGQL, strawberry.union("RegisterPayload")
]
LoginPayload = Annotated[
    AuthSuccessGQL | ValidationErrorGQL | InvalidCredentialsErrorGQL,
    strawberry.union("LoginPayload"),
]
RefreshTokensPayload = Annotated[
    AuthSuccessGQL | InvalidRefreshTokenErrorGQL, strawberry.union("RefreshTokensPayload")
]
LogoutPayload = Annotated[
    LogoutSuccessGQL | InvalidRefreshTokenErrorGQL, strawberry.union("LogoutPayload")
]
ChangePasswordPayload = Annotated[
    AuthSuccessGQL | ValidationErrorGQL | InvalidCredentialsErrorGQL,
    strawberry.union("ChangePasswordPayload"),
]
UpdateUserPayload = Annotated[
    UserUpdatedGQL | ValidationErrorGQL, strawberry.union("UpdateUserPayload")
]
SetUserRolePayload = Annotated[
    UserUpdatedGQL | ValidationErrorGQL | NotFoundErrorGQL, strawberry.union("SetUserRolePayload")
]
