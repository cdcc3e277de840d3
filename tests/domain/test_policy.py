"""Who sees what of a user: owner, admin, stranger and anonymous against each visibility."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.accounts.model import LearningPreferences, Profile, Role, User, Viewer, Visibility
from domain.accounts.policy import can_view_profile, is_owner_or_admin

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OWNER_ID, ADMIN_ID, STRANGER_ID = UUID(int=1), UUID(int=2), UUID(int=3)


def user_with(visibility: Visibility) -> User:
    return User(
        id=OWNER_ID,
        email="owner@example.com",
        password_hash="hash",
        role=Role.LEARNER,
        profile=Profile(display_name="Owner", visibility=visibility),
        preferences=LearningPreferences(),
        created_at=NOW,
        updated_at=NOW,
    )


def viewer(user_id: UUID, role: Role) -> Viewer:
    return Viewer(user_id=user_id, role=role, token_id="t", family_id=UUID(int=9), expires_at=NOW)


VIEWERS: dict[str, Viewer | None] = {
    "owner": viewer(OWNER_ID, Role.LEARNER),
    "admin": viewer(ADMIN_ID, Role.ADMIN),
    "stranger": viewer(STRANGER_ID, Role.LEARNER),
    "author": viewer(STRANGER_ID, Role.AUTHOR),
    "anonymous": None,
}
PROFILE_VISIBLE_TO = {
    Visibility.PUBLIC: {"owner", "admin", "stranger", "author", "anonymous"},
    Visibility.FRIENDS: {"owner", "admin"},  # no friendships yet: read as private
    Visibility.PRIVATE: {"owner", "admin"},
}
CASES = [(who, visibility) for visibility in Visibility for who in VIEWERS]


@pytest.mark.parametrize(("who", "visibility"), CASES)
def test_can_view_profile(who: str, visibility: Visibility) -> None:
    expected = who in PROFILE_VISIBLE_TO[visibility]
    assert can_view_profile(VIEWERS[who], user_with(visibility)) is expected


@pytest.mark.parametrize(("who", "visibility"), CASES)
def test_private_data_is_the_owners_and_admins_whatever_the_visibility(
    who: str, visibility: Visibility
) -> None:
    expected = who in {"owner", "admin"}
    assert is_owner_or_admin(VIEWERS[who], user_with(visibility)) is expected


def test_an_owner_who_is_an_admin_sees_everything() -> None:
    assert is_owner_or_admin(viewer(OWNER_ID, Role.ADMIN), user_with(Visibility.PRIVATE)) is True


@pytest.mark.parametrize(
    ("role", "is_admin"), [(Role.LEARNER, False), (Role.AUTHOR, False), (Role.ADMIN, True)]
)
def test_viewer_is_admin(role: Role, is_admin: bool) -> None:
    assert viewer(OWNER_ID, role).is_admin is is_admin
