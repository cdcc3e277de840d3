"""``update_profile``: fields not sent stay; null clears; every bad field reported at once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from domain.accounts.commands import UpdateProfile
from domain.accounts.model import Profile, User, Visibility
from domain.accounts.services import update_profile
from domain.errors import FieldIssue, InvalidInput, Unauthenticated
from tests.services.support import ALICE_ID, NOW, Env, make_user, viewer_of

PROFILE = Profile(
    display_name="Alice",
    bio="Learning to drive in Leeds.",
    avatar_url="https://cdn.example.com/alice.png",
    locale="en-GB",
    time_zone="Europe/London",
    visibility=Visibility.PRIVATE,
)
ALICE = make_user(profile=PROFILE)


async def run(env: Env, command: UpdateProfile) -> User:
    return await update_profile(command, viewer=viewer_of(ALICE), uow=env.uow, clock=env.clock)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        pytest.param(
            {"display_name": "  Alice   Liddell "},
            replace(PROFILE, display_name="Alice Liddell"),
            id="display-name-only",
        ),
        pytest.param(
            {"bio": None, "avatar_url": None},
            replace(PROFILE, bio=None, avatar_url=None),
            id="nulls-clear",
        ),
        pytest.param(
            {"bio": "   ", "avatar_url": " "},
            replace(PROFILE, bio=None, avatar_url=None),
            id="blanks-clear",
        ),
        pytest.param(
            {"visibility": Visibility.PUBLIC},
            replace(PROFILE, visibility=Visibility.PUBLIC),
            id="visibility-only",
        ),
        pytest.param(
            {
                "display_name": "Al",
                "bio": "  Passed!\nNext: motorway.  ",
                "avatar_url": " https://img.example.org/a.webp ",
                "locale": "de-AT",
                "time_zone": "Europe/Vienna",
                "visibility": Visibility.FRIENDS,
            },
            Profile(
                display_name="Al",
                bio="Passed!\nNext: motorway.",
                avatar_url="https://img.example.org/a.webp",
                locale="de-AT",
                time_zone="Europe/Vienna",
                visibility=Visibility.FRIENDS,
            ),
            id="everything",
        ),
    ],
)
async def test_update_profile_changes_only_the_fields_sent(
    env: Env, sent: dict[str, Any], expected: Profile
) -> None:
    env.uow.seed(ALICE)

    user = await run(env, UpdateProfile(**sent))

    assert user == replace(ALICE, profile=expected, updated_at=NOW)
    assert env.uow.committed.users == {ALICE_ID: user}
    assert env.uow.commits == 1


async def test_an_empty_update_changes_nothing(env: Env) -> None:
    env.uow.seed(ALICE)

    user = await run(env, UpdateProfile())

    assert user == ALICE
    assert (env.uow.committed.users, env.uow.commits) == ({ALICE_ID: ALICE}, 0)


async def test_every_bad_field_is_reported_and_nothing_stored(env: Env) -> None:
    env.uow.seed(ALICE)
    command = UpdateProfile(
        display_name=" ",
        bio="b" * 501,
        avatar_url="http://cdn.example.com/alice.png",
        locale="en_GB",
        time_zone="Europe/Atlantis",
        visibility=Visibility.PUBLIC,
    )

    with pytest.raises(InvalidInput) as caught:
        await run(env, command)

    assert caught.value.issues == (
        FieldIssue("displayName", "Display name is required."),
        FieldIssue("bio", "Bio must be at most 500 characters."),
        FieldIssue("avatarUrl", "Avatar URL must be an absolute https:// URL."),
        FieldIssue("locale", "Locale must be a language tag such as 'en' or 'en-GB'."),
        FieldIssue("timeZone", "Time zone must be an IANA name such as 'Europe/London'."),
    )
    assert (env.uow.committed.users, env.uow.commits) == ({ALICE_ID: ALICE}, 0)


async def test_a_deleted_account_cannot_update_its_profile(env: Env) -> None:
    with pytest.raises(Unauthenticated, match=r"^The account no longer exists\.$"):
        await run(env, UpdateProfile(display_name="Ghost"))

    assert (env.uow.committed.users, env.uow.commits) == ({}, 0)
