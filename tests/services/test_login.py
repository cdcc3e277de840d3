"""``login``: a new session for a matching pair; failures read the same and are audited."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from domain.accounts.commands import Login
from domain.accounts.errors import InvalidCredentials
from domain.accounts.model import AuditAction, RefreshToken, TokenPair
from domain.accounts.services.tokens import hash_refresh_token
from domain.errors import FieldIssue, InvalidInput, RateLimited
from tests.services.fakes import FakeRateLimiter, fake_hash
from tests.services.support import (
    ACCESS_TTL,
    ALICE_ID,
    META,
    NOW,
    PASSWORD,
    REFRESH_TTL,
    Env,
    audited,
    make_user,
)

ALICE = make_user()


async def test_login_opens_a_session(env: Env) -> None:
    env.uow.seed(ALICE)

    result = await env.login(Login(email=" ALICE@Example.com ", password=PASSWORD, meta=META))

    assert result.user == ALICE
    assert result.tokens == TokenPair(
        access_token="access-1",
        access_expires_at=NOW + ACCESS_TTL,
        refresh_token="refresh-1",
        refresh_expires_at=NOW + REFRESH_TTL,
    )
    [token] = env.uow.committed.refresh_tokens.values()
    assert token == RefreshToken(
        id=token.id,
        user_id=ALICE_ID,
        family_id=env.codec.issued["access-1"].family_id,
        token_hash=hash_refresh_token("refresh-1"),
        issued_at=NOW,
        expires_at=NOW + REFRESH_TTL,
        user_agent="pytest/9",
        ip="203.0.113.7",
    )
    assert env.uow.committed.users == {ALICE_ID: ALICE}
    assert env.uow.committed.audit == [
        audited(AuditAction.LOGIN_SUCCEEDED, actor_id=ALICE_ID, subject_id=ALICE_ID)
    ]
    assert env.limiter.hits == [("login_ip", "203.0.113.7"), ("login_email", "alice@example.com")]


@pytest.mark.parametrize(
    ("email", "password", "issues"),
    [
        pytest.param(
            " ",
            "",
            [
                FieldIssue("email", "Email is required."),
                FieldIssue("password", "Password is required."),
            ],
            id="both-missing",
        ),
        pytest.param(
            "alice@example.com",
            "p" * 129,
            [FieldIssue("password", "Password is too long.")],
            id="password-too-long",
        ),
    ],
)
async def test_login_rejects_missing_or_oversized_input(
    env: Env, email: str, password: str, issues: list[FieldIssue]
) -> None:
    env.uow.seed(ALICE)

    with pytest.raises(InvalidInput) as caught:
        await env.login(Login(email=email, password=password, meta=META))

    assert caught.value.issues == tuple(issues)
    assert (env.limiter.hits, env.hasher.verified, env.uow.commits) == ([], [], 0)


@pytest.mark.parametrize(
    ("email", "password", "subject_id", "verified_hash"),
    [
        pytest.param(
            "alice@example.com", "wrong horse battery", ALICE_ID, ALICE.password_hash, id="wrong"
        ),
        pytest.param("nobody@example.com", PASSWORD, None, None, id="unknown-email"),
    ],
)
async def test_login_failure_is_audited_and_says_nothing_specific(
    env: Env, email: str, password: str, subject_id: UUID | None, verified_hash: str | None
) -> None:
    env.uow.seed(ALICE)

    with pytest.raises(InvalidCredentials) as caught:
        await env.login(Login(email=email, password=password, meta=META))

    assert (caught.value.code, caught.value.message, caught.value.field) == (
        "INVALID_CREDENTIALS",
        "Email or password is incorrect.",
        None,
    )
    assert env.hasher.verified == [(verified_hash, password)]  # the unknown email costs a hash too
    assert env.uow.committed.audit == [
        audited(AuditAction.LOGIN_FAILED, subject_id=subject_id, email=email)
    ]
    assert (env.uow.committed.refresh_tokens, env.codec.issued, env.uow.commits) == ({}, {}, 1)
    assert env.uow.committed.users == {ALICE_ID: ALICE}


async def test_wrong_password_and_unknown_email_fail_identically(env: Env) -> None:
    env.uow.seed(ALICE)
    failures = []
    for email, password in [("alice@example.com", "wrong horse"), ("bob@example.com", PASSWORD)]:
        with pytest.raises(InvalidCredentials) as caught:
            await env.login(Login(email=email, password=password))
        failures.append((type(caught.value), str(caught.value), caught.value.field))

    assert failures[0] == failures[1]


async def test_login_rehashes_a_password_hashed_with_old_parameters(env: Env) -> None:
    env.uow.seed(ALICE)
    env.hasher.change_parameters("v2")

    result = await env.login(Login(email="alice@example.com", password=PASSWORD, meta=META))

    rehashed = replace(ALICE, password_hash=fake_hash(PASSWORD, "v2"), updated_at=NOW)
    assert result.user == rehashed
    assert env.uow.committed.users == {ALICE_ID: rehashed}
    assert env.uow.committed.audit == [
        audited(AuditAction.PASSWORD_REHASHED, actor_id=ALICE_ID, subject_id=ALICE_ID),
        audited(AuditAction.LOGIN_SUCCEEDED, actor_id=ALICE_ID, subject_id=ALICE_ID),
    ]
    assert env.uow.commits == 1


async def test_login_rate_limited_checks_no_password(env: Env) -> None:
    env.uow.seed(ALICE)
    env.limiter = FakeRateLimiter({"login_email": 0}, retry_after=60)

    with pytest.raises(RateLimited) as caught:
        await env.login(Login(email="Alice@example.com", password=PASSWORD, meta=META))

    assert (caught.value.message, caught.value.retry_after) == (
        "Too many login attempts; retry in 60 seconds.",
        60,
    )
    assert env.uow.committed.audit == [audited(AuditAction.RATE_LIMITED, limit="login_email")]
    assert (env.hasher.verified, env.codec.issued, env.uow.commits) == ([], {}, 1)
    assert env.limiter.hits == [("login_ip", "203.0.113.7"), ("login_email", "alice@example.com")]
