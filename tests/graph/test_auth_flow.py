"""Register, log in, refresh, log out, change password: sessions over the real ASGI app."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from domain.clock import FixedClock
from drivemaster.settings import Settings
from tests.conftest import PASSWORD, GraphQLClient, make_settings, serve_app, unique_email

ME = "{ me { id email displayName role } }"
AUTH_FIELDS = """
    __typename
    ... on AuthSuccess { accessToken refreshToken user { id email } }
    ... on Error { code message field }
    ... on ValidationError { issues { field message } }
"""
LOGIN = f"mutation L($input: LoginInput!) {{ login(input: $input) {{ {AUTH_FIELDS} }} }}"
REFRESH = """
mutation R($t: String!) {
  refreshTokens(refreshToken: $t) {
    __typename
    ... on AuthSuccess { accessToken refreshToken user { id email } }
    ... on Error { code message field }
  }
}
"""
LOGOUT = """
mutation O($t: String!) {
  logout(refreshToken: $t) {
    __typename ... on LogoutSuccess { revokedSessions } ... on Error { code message }
  }
}
"""
LOGOUT_EVERYWHERE = "mutation { logoutEverywhere { revokedSessions } }"
CHANGE_PASSWORD = f"""
mutation C($input: ChangePasswordInput!) {{ changePassword(input: $input) {{ {AUTH_FIELDS} }} }}
"""


def error_code(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def login(gql: GraphQLClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    body = await gql(LOGIN, {"input": {"email": email, "password": password}})
    payload: dict[str, Any] = body["data"]["login"]
    return payload


async def test_register_then_me(gql: GraphQLClient) -> None:
    email = unique_email()
    auth = await gql.register(email)
    body = await gql(ME, token=auth["accessToken"])
    assert body == {
        "data": {
            "me": {
                "id": auth["user"]["id"],
                "email": email,
                "displayName": email.split("@")[0],
                "role": "LEARNER",
            }
        }
    }


async def test_login_with_other_case_email(gql: GraphQLClient) -> None:
    email = unique_email()
    await gql.register(email)
    payload = await login(gql, email.upper())
    assert payload["__typename"] == "AuthSuccess"
    assert payload["user"]["email"] == email


async def test_wrong_password_and_unknown_email_read_the_same(gql: GraphQLClient) -> None:
    email = unique_email()
    await gql.register(email)
    wrong = await login(gql, email, "not the password at all")
    unknown = await login(gql, unique_email(), PASSWORD)
    expected = {
        "__typename": "InvalidCredentialsError",
        "code": "INVALID_CREDENTIALS",
        "message": "Email or password is incorrect.",
        "field": None,
    }
    assert wrong == expected
    assert unknown == expected


async def test_login_with_empty_fields_names_both(gql: GraphQLClient) -> None:
    payload = await login(gql, " ", "")
    assert payload["__typename"] == "ValidationError"
    assert payload["issues"] == [
        {"field": "email", "message": "Email is required."},
        {"field": "password", "message": "Password is required."},
    ]


async def test_refresh_rotates_and_reuse_revokes_the_family(gql: GraphQLClient) -> None:
    auth = await gql.register()
    first = (await gql(REFRESH, {"t": auth["refreshToken"]}))["data"]["refreshTokens"]
    assert first["__typename"] == "AuthSuccess"
    assert first["refreshToken"] != auth["refreshToken"]
    assert (await gql(ME, token=first["accessToken"]))["data"]["me"]["id"] == auth["user"]["id"]

    reused = (await gql(REFRESH, {"t": auth["refreshToken"]}))["data"]["refreshTokens"]
    assert reused == {
        "__typename": "InvalidRefreshTokenError",
        "code": "INVALID_REFRESH_TOKEN",
        "message": "Refresh token was already used; the session is revoked.",
        "field": None,
    }
    # The token issued by the legitimate rotation is dead too: the family is revoked, and
    # so is every access token of the session (the thief may hold the newest one).
    after = (await gql(REFRESH, {"t": first["refreshToken"]}))["data"]["refreshTokens"]
    assert after["__typename"] == "InvalidRefreshTokenError"
    for token in (auth["accessToken"], first["accessToken"]):
        denied = await gql(ME, token=token)
        assert denied["errors"][0]["message"] == "Access token was revoked: its session has ended."


async def test_unknown_refresh_token_is_rejected(gql: GraphQLClient) -> None:
    payload = (await gql(REFRESH, {"t": "made-up"}))["data"]["refreshTokens"]
    assert payload["code"] == "INVALID_REFRESH_TOKEN"


async def test_refresh_token_expires(gql: GraphQLClient, clock: FixedClock) -> None:
    auth = await gql.register()
    clock.advance(days=31)
    payload = (await gql(REFRESH, {"t": auth["refreshToken"]}))["data"]["refreshTokens"]
    assert payload["message"] == "Refresh token is invalid or expired; log in again."


async def test_logout_revokes_refresh_and_access_tokens(gql: GraphQLClient) -> None:
    auth = await gql.register()
    body = await gql(LOGOUT, {"t": auth["refreshToken"]}, token=auth["accessToken"])
    assert body == {"data": {"logout": {"__typename": "LogoutSuccess", "revokedSessions": 1}}}
    me = await gql(ME, token=auth["accessToken"])
    assert error_code(me) == "UNAUTHENTICATED"
    assert me["errors"][0]["message"] == "Access token was revoked: its session has ended."
    refresh = (await gql(REFRESH, {"t": auth["refreshToken"]}))["data"]["refreshTokens"]
    assert refresh["__typename"] == "InvalidRefreshTokenError"


async def test_logout_with_someone_elses_refresh_token_is_refused(gql: GraphQLClient) -> None:
    mine, theirs = await gql.register(), await gql.register()
    body = await gql(LOGOUT, {"t": theirs["refreshToken"]}, token=mine["accessToken"])
    assert body["data"]["logout"]["code"] == "INVALID_REFRESH_TOKEN"
    still = await gql(ME, token=theirs["accessToken"])
    assert still["data"]["me"]["id"] == theirs["user"]["id"]


async def test_logout_everywhere_ends_every_session(gql: GraphQLClient) -> None:
    email = unique_email()
    phone = await gql.register(email)
    laptop = await login(gql, email)
    body = await gql(LOGOUT_EVERYWHERE, token=phone["accessToken"])
    assert body == {"data": {"logoutEverywhere": {"revokedSessions": 2}}}
    for session in (phone, laptop):
        assert error_code(await gql(ME, token=session["accessToken"])) == "UNAUTHENTICATED"
        refreshed = await gql(REFRESH, {"t": session["refreshToken"]})
        assert refreshed["data"]["refreshTokens"]["__typename"] == "InvalidRefreshTokenError"


async def test_logout_everywhere_needs_authentication(gql: GraphQLClient) -> None:
    body = await gql(LOGOUT_EVERYWHERE)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "retryable": False}


async def test_change_password(gql: GraphQLClient) -> None:
    email = unique_email()
    auth = await gql.register(email)
    new_password = "a much better passphrase"
    body = await gql(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": PASSWORD, "newPassword": new_password}},
        token=auth["accessToken"],
    )
    changed = body["data"]["changePassword"]
    assert changed["__typename"] == "AuthSuccess"
    assert error_code(await gql(ME, token=auth["accessToken"])) == "UNAUTHENTICATED"
    assert (await gql(ME, token=changed["accessToken"]))["data"]["me"]["email"] == email
    assert (await login(gql, email))["__typename"] == "InvalidCredentialsError"
    assert (await login(gql, email, new_password))["__typename"] == "AuthSuccess"


async def test_change_password_refuses_wrong_current_and_weak_new(gql: GraphQLClient) -> None:
    auth = await gql.register()
    wrong = await gql(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": "guessing wrong", "newPassword": "another fine phrase"}},
        token=auth["accessToken"],
    )
    assert wrong["data"]["changePassword"] == {
        "__typename": "InvalidCredentialsError",
        "code": "INVALID_CREDENTIALS",
        "message": "Current password is incorrect.",
        "field": "currentPassword",
    }
    weak = await gql(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": PASSWORD, "newPassword": "short"}},
        token=auth["accessToken"],
    )
    assert weak["data"]["changePassword"]["issues"] == [
        {"field": "newPassword", "message": "Password must be at least 10 characters."}
    ]
    # Nothing changed: the old password and the old session still work.
    assert (await gql(ME, token=auth["accessToken"]))["data"]["me"]["id"] == auth["user"]["id"]


async def test_emails_match_in_the_form_they_were_registered(gql: GraphQLClient) -> None:
    """IDNA domains and decomposed accents: login accepts exactly what register accepted."""
    for email in (
        f"user-{unique_email()[8:20]}@xn--bcher-kva.example",
        f"A\u0308nne-{unique_email()[8:20]}@example.com",
    ):
        await gql.register(email)
        assert (await login(gql, email))["__typename"] == "AuthSuccess"


async def test_login_and_register_refuse_unstorable_emails(gql: GraphQLClient) -> None:
    nul = await login(gql, "a\u0000@example.com")
    assert nul["issues"] == [{"field": "email", "message": "Email is not valid."}]
    # 183 characters as typed, but its case-folded key (ΐ folds to three) is 311.
    long_key = "\u0390" * 64 + "@" + "a" * 63 + "." + "b" * 50 + ".com"
    body = await gql(
        """mutation($i: RegisterInput!) { register(input: $i) {
             __typename ... on ValidationError { issues { field message } } } }""",
        {"i": {"email": long_key, "password": PASSWORD}},
    )
    assert body["data"]["register"] == {
        "__typename": "ValidationError",
        "issues": [{"field": "email", "message": "Email must be at most 254 characters."}],
    }


def with_session_cache(settings: Settings, seconds: float) -> Settings:
    """``settings`` with ``AUTH_SESSION_CACHE_SECONDS`` set to ``seconds``."""
    auth = settings.auth.model_copy(update={"session_cache_seconds": seconds})
    return settings.model_copy(update={"auth": auth})


async def _signed_in_on_both(a: GraphQLClient, b: GraphQLClient) -> tuple[dict[str, Any], float]:
    """Register on ``a``; both apps read (and may cache) the session. Returns the payload and
    when ``b`` started its read."""
    auth = await a.register()
    user_id = auth["user"]["id"]
    assert (await a(ME, token=auth["accessToken"]))["data"]["me"]["id"] == user_id
    cached_at = time.monotonic()
    assert (await b(ME, token=auth["accessToken"]))["data"]["me"]["id"] == user_id
    return auth, cached_at


async def _log_out(gql: GraphQLClient, auth: dict[str, Any]) -> None:
    body = await gql(LOGOUT, {"t": auth["refreshToken"]}, token=auth["accessToken"])
    assert body == {"data": {"logout": {"__typename": "LogoutSuccess", "revokedSessions": 1}}}


REVOKED = "Access token was revoked: its session has ended."
# A long TTL for the app that logs out: its refusal right after must come from invalidation.
LONG_CACHE_SECONDS = 30.0


async def test_logout_reaches_another_app_within_its_session_cache_seconds(
    migrated_url: str, redis_url: str | None, clock: FixedClock
) -> None:
    ttl = 0.5
    settings = make_settings(migrated_url, redis_url)
    async with (
        serve_app(with_session_cache(settings, LONG_CACHE_SECONDS), clock=clock) as a,
        serve_app(with_session_cache(settings, ttl), clock=clock) as b,
    ):
        auth, cached_at = await _signed_in_on_both(a, b)
        await _log_out(a, auth)
        logged_out_at = time.monotonic()

        # The app that committed the logout forgets the session at once.
        me = await a(ME, token=auth["accessToken"])
        assert error_code(me) == "UNAUTHENTICATED"
        assert me["errors"][0]["message"] == REVOKED

        # The other app may answer from its cache until the entry expires, then refuses.
        answers: list[tuple[float, dict[str, Any]]] = []
        while True:
            asked_at = time.monotonic()
            body = await b(ME, token=auth["accessToken"])
            answers.append((asked_at - cached_at, body))
            if "errors" in body or asked_at - logged_out_at > 3.0:
                break
            assert body["data"]["me"]["id"] == auth["user"]["id"]
            await asyncio.sleep(0.1)

    elapsed, refused = answers[-1]
    assert error_code(refused) == "UNAUTHENTICATED", answers
    assert refused["errors"][0]["message"] == REVOKED
    # Refused within the TTL of b's read, plus a margin for the poll interval and requests.
    assert elapsed <= ttl + 0.5, answers
    if answers[0][0] < ttl - 0.1:  # asked well within the TTL: b answered from its cache
        assert "errors" not in answers[0][1], answers


async def test_logout_reaches_another_app_at_once_without_session_cache(
    migrated_url: str, redis_url: str | None, clock: FixedClock
) -> None:
    settings = make_settings(migrated_url, redis_url)
    async with (
        serve_app(with_session_cache(settings, LONG_CACHE_SECONDS), clock=clock) as a,
        serve_app(with_session_cache(settings, 0), clock=clock) as b,
    ):
        assert b.settings.auth.session_cache_seconds == 0
        auth, _ = await _signed_in_on_both(a, b)
        await _log_out(a, auth)

        for app in (b, a):
            me = await app(ME, token=auth["accessToken"])
            assert error_code(me) == "UNAUTHENTICATED"
            assert me["errors"][0]["message"] == REVOKED
