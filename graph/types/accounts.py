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
    """Values are copied from the account once (``from_domain``), so most fields are plain
    attributes: Strawberry resolves those without its resolver machinery (a few µs per
    field, ``benchmarks/README.md``). Permission classes still guard the private ones."""

    user: strawberry.Private[User]
    id: strawberry.ID
    display_name: str
    bio: str | None = strawberry.field(permission_classes=PROFILE)
    avatar_url: str | None = strawberry.field(permission_classes=PROFILE)
    locale: str | None = strawberry.field(permission_classes=PROFILE)
    time_zone: str | None = strawberry.field(permission_classes=PROFILE)
    member_since: datetime | None = strawberry.field(permission_classes=PROFILE)
    email: str | None = strawberry.field(
        permission_classes=PRIVATE, description="Owner and admins only."
    )
    role: Role | None = strawberry.field(
        permission_classes=PRIVATE, description="Owner and admins only."
    )
    visibility: Visibility | None = strawberry.field(
        permission_classes=PRIVATE, description="Owner and admins only."
    )
    granted: strawberry.Private[bool] = False

    @strawberry.field(permission_classes=PRIVATE, description="Owner and admins only.")
    def learning_preferences(self) -> LearningPreferencesGQL | None:
        return LearningPreferencesGQL.from_domain(self.user.preferences)

    @classmethod
    def from_domain(cls, user: User, *, granted: bool = False) -> UserGQL:
        profile = user.profile
        return cls(
            user=user,
            id=strawberry.ID(str(user.id)),
            display_name=profile.display_name,
            bio=profile.bio,
            avatar_url=profile.avatar_url,
            locale=profile.locale,
            time_zone=profile.time_zone,
            member_since=user.created_at,
            email=user.email,
            role=user.role,
            visibility=profile.visibility,
            granted=granted,
        )

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
