"""``register``: a learner account, signed in at once; every input issue reported."""

from __future__ import annotations

from typing import Any

import pytest

from domain.accounts.commands import Register
from domain.accounts.errors import EmailTaken
from domain.accounts.model import (
    AccessClaims,
    AuditAction,
    LearningPreferences,
    Profile,
    RefreshToken,
    RequestMeta,
    Role,
    TokenPair,
    User,
)
from domain.accounts.services.tokens import hash_refresh_token
from domain.errors import FieldIssue, InvalidInput, RateLimited
from tests.services.fakes import FakeRateLimiter, fake_hash
from tests.services.support import (
    ACCESS_TTL,
    META,
    NOW,
    PASSWORD,
    REFRESH_TTL,
    Env,
    audited,
    make_user,
)

EMAIL_REQUIRED = FieldIssue("email", "Email is required.")
EMAIL_NO_AT = FieldIssue("email", "Email is not valid: An email address must have an @-sign.")
PASSWORD_SHORT = FieldIssue("password", "Password must be at least 10 characters.")
PASSWORD_LONG = FieldIssue("password", "Password must be at most 128 characters.")
PASSWORD_DULL = FieldIssue("password", "Password must use at least 5 different characters.")
PASSWORD_COMMON = FieldIssue("password", "Password is too common; choose another.")
PASSWORD_HAS_EMAIL = FieldIssue("password", "Password must not contain your email address.")
NAME_REQUIRED = FieldIssue("displayName", "Display name is required.")
NAME_LONG = FieldIssue("displayName", "Display name must be at most 50 characters.")
LOCALE_BAD = FieldIssue("locale", "Locale must be a language tag such as 'en' or 'en-GB'.")
ZONE_BAD = FieldIssue("timeZone", "Time zone must be an IANA name such as 'Europe/London'.")


def command(**changes: Any) -> Register:
    fields: dict[str, Any] = {
        "email": "alice@example.com",
        "password": PASSWORD,
        "display_name": "Alice",
        "meta": META,
    }
    return Register(**(fields | changes))


async def test_register_creates_a_signed_in_learner(env: Env) -> None:
    result = await env.register(command(email=" Alice@EXAMPLE.com ", display_name=None))

    user = result.user
    assert user == User(
        id=user.id,
        email="Alice@example.com",
        password_hash=fake_hash(PASSWORD),
        role=Role.LEARNER,
        profile=Profile(display_name="Alice"),
        preferences=LearningPreferences(),
        created_at=NOW,
        updated_at=NOW,
        session_version=0,
    )
    [token] = env.uow.committed.refresh_tokens.values()
    assert token == RefreshToken(
        id=token.id,
        user_id=user.id,
        family_id=token.family_id,
        token_hash=hash_refresh_token("refresh-1"),
        issued_at=NOW,
        expires_at=NOW + REFRESH_TTL,
        user_agent="pytest/9",
        ip="203.0.113.7",
    )
    assert result.tokens == TokenPair(
        access_token="access-1",
        access_expires_at=NOW + ACCESS_TTL,
        refresh_token="refresh-1",
        refresh_expires_at=NOW + REFRESH_TTL,
    )
    claims = env.codec.issued["access-1"]
    assert claims == AccessClaims(
        user_id=user.id,
        role=Role.LEARNER,
        session_version=0,
        token_id=claims.token_id,
        family_id=token.family_id,
        issued_at=NOW,
        expires_at=NOW + ACCESS_TTL,
    )
    assert env.uow.committed.users == {user.id: user}
    assert env.uow.committed.audit == [
        audited(AuditAction.REGISTERED, actor_id=user.id, subject_id=user.id)
    ]
    assert env.uow.commits == 1
    assert env.limiter.hits == [
        ("register_ip", "203.0.113.7"),
        ("register_email", "alice@example.com"),
    ]


async def test_register_keeps_the_profile_fields_sent(env: Env) -> None:
    result = await env.register(
        command(display_name="  Alice   Liddell ", locale="de-AT", time_zone="Europe/Vienna")
    )

    assert result.user.profile == Profile(
        display_name="Alice Liddell", locale="de-AT", time_zone="Europe/Vienna"
    )


INVALID = [
    pytest.param({"email": "   "}, [EMAIL_REQUIRED], id="email-blank"),
    pytest.param({"email": "alice.example.com"}, [EMAIL_NO_AT], id="email-malformed"),
    pytest.param(
        {"email": "a" * 243 + "@example.com"},
        [FieldIssue("email", "Email must be at most 254 characters.")],
        id="email-long",
    ),
    pytest.param({"password": "123456789"}, [PASSWORD_SHORT], id="password-short"),
    pytest.param({"password": "abcdefgh" * 16 + "x"}, [PASSWORD_LONG], id="password-long"),
    pytest.param({"password": "aaaabbbbcc"}, [PASSWORD_DULL], id="password-dull"),
    pytest.param({"password": "Password123"}, [PASSWORD_COMMON], id="password-common"),
    pytest.param({"password": "my ALICE secret"}, [PASSWORD_HAS_EMAIL], id="password-email"),
    pytest.param({"display_name": " \t "}, [NAME_REQUIRED], id="name-blank"),
    pytest.param({"display_name": "n" * 51}, [NAME_LONG], id="name-long"),
    pytest.param({"locale": "en_GB"}, [LOCALE_BAD], id="locale"),
    pytest.param({"time_zone": "Mars/Olympus"}, [ZONE_BAD], id="time-zone"),
    pytest.param(
        {
            "email": "alice.example.com",
            "password": "short",
            "display_name": "n" * 51,
            "locale": "EN",
            "time_zone": "Nowhere/City",
        },
        [EMAIL_NO_AT, PASSWORD_SHORT, NAME_LONG, LOCALE_BAD, ZONE_BAD],
        id="everything",
    ),
]


@pytest.mark.parametrize(("changes", "issues"), INVALID)
async def test_register_reports_every_issue_and_stores_nothing(
    env: Env, changes: dict[str, Any], issues: list[FieldIssue]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await env.register(command(**changes))

    assert caught.value.issues == tuple(issues)
    assert (caught.value.code, caught.value.message, caught.value.field) == (
        "VALIDATION_ERROR",
        issues[0].message,
        issues[0].field,
    )
    assert (env.uow.committed.users, env.uow.committed.audit, env.uow.commits) == ({}, [], 0)
    assert env.limiter.hits == []


async def test_register_invalid_email_without_display_name_names_only_the_email(
    env: Env,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await env.register(command(email="alice.example.com", display_name=None))

    assert caught.value.issues == (EMAIL_NO_AT,)


async def test_register_accepts_a_long_local_part_without_display_name(env: Env) -> None:
    result = await env.register(command(email="a" * 60 + "@example.com", display_name=None))

    assert env.uow.committed.users == {result.user.id: result.user}


async def test_register_refuses_an_email_taken_in_another_case(env: Env) -> None:
    alice = make_user()
    env.uow.seed(alice)

    with pytest.raises(EmailTaken) as caught:
        await env.register(command(email="ALICE@Example.COM"))

    assert (caught.value.code, caught.value.message, caught.value.field) == (
        "EMAIL_TAKEN",
        "An account with this email already exists.",
        "email",
    )
    assert env.uow.committed.users == {alice.id: alice}
    assert (env.uow.committed.refresh_tokens, env.uow.committed.audit) == ({}, [])
    assert (env.uow.commits, env.codec.issued) == (0, {})


@pytest.mark.parametrize(
    ("meta", "allowance", "limit", "hits"),
    [
        pytest.param(
            META, {"register_ip": 0}, "register_ip", [("register_ip", "203.0.113.7")], id="ip"
        ),
        pytest.param(
            RequestMeta(request_id="req-1"),
            {"register_email": 0, "register_ip": 0},
            "register_email",
            [("register_email", "alice@example.com")],
            id="email-without-ip",
        ),
    ],
)
async def test_register_rate_limited_is_audited_and_stores_no_user(
    env: Env,
    meta: RequestMeta,
    allowance: dict[str, int],
    limit: str,
    hits: list[tuple[str, str]],
) -> None:
    env.limiter = FakeRateLimiter(allowance, retry_after=42)

    with pytest.raises(RateLimited) as caught:
        await env.register(command(email="Alice@example.com", meta=meta))

    assert (caught.value.code, caught.value.message, caught.value.retry_after) == (
        "RATE_LIMITED",
        "Too many register attempts; retry in 42 seconds.",
        42,
    )
    assert env.uow.committed.audit == [audited(AuditAction.RATE_LIMITED, meta=meta, limit=limit)]
    assert (env.uow.committed.users, env.uow.committed.refresh_tokens) == ({}, {})
    assert env.uow.commits == 1
    assert env.limiter.hits == hits
