"""Profiles, preferences, privacy and roles over the real ASGI app."""

from __future__ import annotations

from typing import Any

from drivemaster.admin import assign_role
from tests.conftest import GraphQLClient, unique_email

USER = """
query U($id: ID!) {
  user(id: $id) { id displayName bio avatarUrl email role learningPreferences { sessionLength } }
}
"""
UPDATE_PROFILE = """
mutation P($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    __typename
    ... on UserUpdated { user { displayName bio avatarUrl locale timeZone visibility } }
    ... on ValidationError { code field issues { field message } }
  }
}
"""
UPDATE_PREFERENCES = """
mutation Q($input: UpdateLearningPreferencesInput!) {
  updateLearningPreferences(input: $input) {
    __typename
    ... on UserUpdated {
      user { learningPreferences { licenceCategory dailyGoalMinutes sessionLength
             targetExamDate remindersEnabled reminderTime showExplanations } }
    }
    ... on ValidationError { code field issues { field message } }
  }
}
"""
SET_ROLE = """
mutation S($input: SetUserRoleInput!) {
  setUserRole(input: $input) {
    __typename
    ... on UserUpdated { user { id role } }
    ... on Error { code message field }
  }
}
"""


def errors_by_path(body: dict[str, Any]) -> dict[str, str]:
    return {".".join(map(str, e["path"])): e["extensions"]["code"] for e in body["errors"]}


async def make_admin(gql: GraphQLClient) -> dict[str, Any]:
    email = unique_email("admin")
    await gql.register(email)
    await assign_role(gql.settings, email=email, role="admin")
    return await gql.register_login(email)


async def test_me_requires_a_token(gql: GraphQLClient) -> None:
    body = await gql("{ me { id } }")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Authentication required: send 'Authorization: Bearer <token>'.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED", "retryable": False},
            }
        ],
    }


async def test_update_profile_and_read_it_back(gql: GraphQLClient) -> None:
    auth = await gql.register()
    body = await gql(
        UPDATE_PROFILE,
        {
            "input": {
                "displayName": "  Ann   Driver ",
                "bio": "Learning for my car test.",
                "avatarUrl": "https://cdn.example.com/a.png",
                "locale": "en-GB",
                "timeZone": "Europe/London",
                "visibility": "PUBLIC",
            }
        },
        token=auth["accessToken"],
    )
    assert body["data"]["updateProfile"] == {
        "__typename": "UserUpdated",
        "user": {
            "displayName": "Ann Driver",
            "bio": "Learning for my car test.",
            "avatarUrl": "https://cdn.example.com/a.png",
            "locale": "en-GB",
            "timeZone": "Europe/London",
            "visibility": "PUBLIC",
        },
    }
    cleared = await gql(UPDATE_PROFILE, {"input": {"bio": None}}, token=auth["accessToken"])
    assert cleared["data"]["updateProfile"]["user"]["bio"] is None
    assert cleared["data"]["updateProfile"]["user"]["displayName"] == "Ann Driver"


async def test_update_profile_reports_every_bad_field_and_changes_nothing(
    gql: GraphQLClient,
) -> None:
    auth = await gql.register()
    body = await gql(
        UPDATE_PROFILE,
        {
            "input": {
                "displayName": "x" * 51,
                "avatarUrl": "javascript:alert(1)",
                "locale": "english",
                "timeZone": "Mars/Olympus",
            }
        },
        token=auth["accessToken"],
    )
    assert body["data"]["updateProfile"] == {
        "__typename": "ValidationError",
        "code": "VALIDATION_ERROR",
        "field": "displayName",
        "issues": [
            {"field": "displayName", "message": "Display name must be at most 50 characters."},
            {"field": "avatarUrl", "message": "Avatar URL must be an absolute https:// URL."},
            {
                "field": "locale",
                "message": "Locale must be a language tag such as 'en' or 'en-GB'.",
            },
            {
                "field": "timeZone",
                "message": "Time zone must be an IANA name such as 'Europe/London'.",
            },
        ],
    }
    me = await gql("{ me { displayName locale timeZone } }", token=auth["accessToken"])
    assert me["data"]["me"] == {
        "displayName": auth["user"]["displayName"],
        "locale": "en",
        "timeZone": "UTC",
    }


async def test_display_name_cannot_be_null(gql: GraphQLClient) -> None:
    auth = await gql.register()
    body = await gql(UPDATE_PROFILE, {"input": {"displayName": None}}, token=auth["accessToken"])
    assert body["data"]["updateProfile"]["issues"] == [
        {"field": "displayName", "message": "'displayName' cannot be null; omit it to keep it."}
    ]


async def test_learning_preferences(gql: GraphQLClient) -> None:
    auth = await gql.register()
    body = await gql(
        UPDATE_PREFERENCES,
        {
            "input": {
                "licenceCategory": "MOTORCYCLE",
                "dailyGoalMinutes": 30,
                "targetExamDate": "2027-02-01",
                "reminderTime": "19:30:00",
            }
        },
        token=auth["accessToken"],
    )
    assert body["data"]["updateLearningPreferences"]["user"]["learningPreferences"] == {
        "licenceCategory": "MOTORCYCLE",
        "dailyGoalMinutes": 30,
        "sessionLength": 20,
        "targetExamDate": "2027-02-01",
        "remindersEnabled": True,
        "reminderTime": "19:30:00",
        "showExplanations": True,
    }


async def test_learning_preferences_bad_input(gql: GraphQLClient) -> None:
    auth = await gql.register()
    body = await gql(
        UPDATE_PREFERENCES,
        {
            "input": {
                "dailyGoalMinutes": 0,
                "sessionLength": 1000,
                "targetExamDate": "2020-01-01",
                "showExplanations": None,
            }
        },
        token=auth["accessToken"],
    )
    assert body["data"]["updateLearningPreferences"]["issues"] == [
        {
            "field": "showExplanations",
            "message": "'showExplanations' cannot be null; omit it to keep it.",
        }
    ]
    body = await gql(
        UPDATE_PREFERENCES,
        {"input": {"dailyGoalMinutes": 0, "sessionLength": 1000, "targetExamDate": "2020-01-01"}},
        token=auth["accessToken"],
    )
    assert body["data"]["updateLearningPreferences"]["issues"] == [
        {"field": "dailyGoalMinutes", "message": "Daily goal (minutes) must be between 5 and 240."},
        {
            "field": "sessionLength",
            "message": "Session length (questions) must be between 5 and 100.",
        },
        {"field": "targetExamDate", "message": "Target exam date must not be in the past."},
    ]


async def test_malformed_date_is_a_validation_error(gql: GraphQLClient) -> None:
    auth = await gql.register()
    body = await gql(
        UPDATE_PREFERENCES, {"input": {"targetExamDate": "2027-13-45"}}, token=auth["accessToken"]
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert "targetExamDate" in body["errors"][0]["message"]


async def test_private_profile_hides_details_from_other_users(gql: GraphQLClient) -> None:
    owner, stranger = await gql.register(), await gql.register()
    body = await gql(USER, {"id": owner["user"]["id"]}, token=stranger["accessToken"])
    assert body["data"]["user"] == {
        "id": owner["user"]["id"],
        "displayName": owner["user"]["displayName"],
        "bio": None,
        "avatarUrl": None,
        "email": None,
        "role": None,
        "learningPreferences": None,
    }
    assert errors_by_path(body) == {
        "user.bio": "FORBIDDEN",
        "user.avatarUrl": "FORBIDDEN",
        "user.email": "FORBIDDEN",
        "user.role": "FORBIDDEN",
        "user.learningPreferences": "FORBIDDEN",
    }


async def test_public_profile_shows_details_but_never_private_data(gql: GraphQLClient) -> None:
    owner, stranger = await gql.register(), await gql.register()
    await gql(
        UPDATE_PROFILE,
        {"input": {"visibility": "PUBLIC", "bio": "hi"}},
        token=owner["accessToken"],
    )
    body = await gql(USER, {"id": owner["user"]["id"]}, token=stranger["accessToken"])
    assert body["data"]["user"]["bio"] == "hi"
    assert errors_by_path(body) == {
        "user.email": "FORBIDDEN",
        "user.role": "FORBIDDEN",
        "user.learningPreferences": "FORBIDDEN",
    }


async def test_user_lookup_edge_cases(gql: GraphQLClient) -> None:
    auth = await gql.register()
    missing = await gql(
        USER, {"id": "00000000-0000-4000-8000-000000000000"}, token=auth["accessToken"]
    )
    assert missing == {"data": {"user": None}}
    malformed = await gql(USER, {"id": "not-a-uuid"}, token=auth["accessToken"])
    assert malformed["errors"][0]["message"] == "'id' must be a UUID."
    assert malformed["errors"][0]["extensions"] == {
        "code": "VALIDATION_ERROR",
        "retryable": False,
        "field": "id",
    }
    anonymous = await gql(USER, {"id": auth["user"]["id"]})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admin_sees_private_data_and_sets_roles(gql: GraphQLClient) -> None:
    admin = await make_admin(gql)
    learner = await gql.register()
    body = await gql(USER, {"id": learner["user"]["id"]}, token=admin["accessToken"])
    assert "errors" not in body
    assert body["data"]["user"]["email"] == learner["user"]["email"]

    changed = await gql(
        SET_ROLE,
        {"input": {"userId": learner["user"]["id"], "role": "AUTHOR"}},
        token=admin["accessToken"],
    )
    assert changed["data"]["setUserRole"] == {
        "__typename": "UserUpdated",
        "user": {"id": learner["user"]["id"], "role": "AUTHOR"},
    }
    # The role is read from the database on each request: effective at once.
    me = await gql("{ me { role } }", token=learner["accessToken"])
    assert me["data"]["me"]["role"] == "AUTHOR"


async def test_set_user_role_failures(gql: GraphQLClient) -> None:
    admin = await make_admin(gql)
    learner = await gql.register()
    forbidden = await gql(
        SET_ROLE,
        {"input": {"userId": admin["user"]["id"], "role": "LEARNER"}},
        token=learner["accessToken"],
    )
    assert forbidden["data"] is None
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    own = await gql(
        SET_ROLE,
        {"input": {"userId": admin["user"]["id"], "role": "LEARNER"}},
        token=admin["accessToken"],
    )
    assert own["data"]["setUserRole"]["__typename"] == "ValidationError"
    unknown = await gql(
        SET_ROLE,
        {"input": {"userId": "00000000-0000-4000-8000-000000000000", "role": "AUTHOR"}},
        token=admin["accessToken"],
    )
    assert unknown["data"]["setUserRole"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "message": "No user has this id.",
        "field": "userId",
    }
    malformed = await gql(
        SET_ROLE, {"input": {"userId": "42", "role": "AUTHOR"}}, token=admin["accessToken"]
    )
    assert malformed["data"]["setUserRole"]["field"] == "userId"
    bad_enum = await gql(
        SET_ROLE,
        {"input": {"userId": learner["user"]["id"], "role": "OWNER"}},
        token=admin["accessToken"],
    )
    assert bad_enum["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_unclosed_ipv6_avatar_is_a_validation_error(gql: GraphQLClient) -> None:
    auth = await gql.register()
    body = await gql(
        UPDATE_PROFILE, {"input": {"avatarUrl": "https://[::1"}}, token=auth["accessToken"]
    )
    assert body["data"]["updateProfile"]["issues"] == [
        {"field": "avatarUrl", "message": "Avatar URL must be an absolute https:// URL."}
    ]
