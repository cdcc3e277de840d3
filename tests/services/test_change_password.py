"""``change_password``: checks the current password, ends every session, signs in anew."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.accounts.commands import ChangePassword, Login
from domain.accounts.errors import InvalidCredentials
from domain.accounts.model import AccessClaims, AuditAction, RefreshToken, Role, TokenPair
from domain.accounts.services.tokens import hash_refresh_token
from domain.errors import FieldIssue, InvalidInput, RateLimited, Unauthenticated
from tests.services.fakes import FakeRateLimiter, fake_hash
from tests.services.support import (
    ACCESS_TTL,
    ALICE_ID,
    FAMILY_B,
    META,
    NEW_PASSWORD,
    NOW,
    PASSWORD,
    REFRESH_TTL,
    Env,
    audited,
    make_token,
    make_user,
    viewer_of,
)

ALICE = make_user()
THIS_DEVICE = make_token("this-device", token_id=1)
OTHER_DEVICE = make_token("other-device", token_id=2, family_id=FAMILY_B)
TOO_SHORT = FieldIssue("newPassword", "Password must be at least 10 characters.")
SAME = FieldIssue("newPassword", "New password must differ from the current one.")


def change(current: str = PASSWORD, new: str = NEW_PASSWORD) -> ChangePassword:
    return ChangePassword(current_password=current, new_password=new, meta=META)


async def test_change_password_ends_every_session_and_signs_in_again(env: Env) -> None:
    env.uow.seed(ALICE, tokens=[THIS_DEVICE, OTHER_DEVICE])

    result = await env.change_password(change(), viewer=viewer_of(ALICE))

    changed = replace(
        ALICE, password_hash=fake_hash(NEW_PASSWORD), session_version=1, updated_at=NOW
    )
    assert result.user == changed
    assert env.uow.committed.users == {ALICE_ID: changed}
    assert result.tokens == TokenPair(
        access_token="access-1",
        access_expires_at=NOW + ACCESS_TTL,
        refresh_token="refresh-1",
        refresh_expires_at=NOW + REFRESH_TTL,
    )
    claims = env.codec.issued["access-1"]
    assert claims == AccessClaims(
        user_id=ALICE_ID,
        role=Role.LEARNER,
        session_version=1,
        token_id=claims.token_id,
        family_id=claims.family_id,
        issued_at=NOW,
        expires_at=NOW + ACCESS_TTL,
    )
    tokens = env.uow.committed.refresh_tokens
    [new_id] = tokens.keys() - {THIS_DEVICE.id, OTHER_DEVICE.id}
    assert tokens == {
        THIS_DEVICE.id: replace(THIS_DEVICE, revoked_at=NOW),
        OTHER_DEVICE.id: replace(OTHER_DEVICE, revoked_at=NOW),
        new_id: RefreshToken(
            id=new_id,
            user_id=ALICE_ID,
            family_id=claims.family_id,
            token_hash=hash_refresh_token("refresh-1"),
            issued_at=NOW,
            expires_at=NOW + REFRESH_TTL,
            user_agent="pytest/9",
            ip="203.0.113.7",
        ),
    }
    assert claims.family_id not in {THIS_DEVICE.family_id, OTHER_DEVICE.family_id}
    assert env.uow.committed.audit == [
        audited(AuditAction.PASSWORD_CHANGED, actor_id=ALICE_ID, subject_id=ALICE_ID)
    ]
    assert env.limiter.hits == [("login_ip", "203.0.113.7"), ("login_email", "alice@example.com")]


async def test_after_the_change_only_the_new_password_and_token_work(env: Env) -> None:
    env.uow.seed(ALICE)
    before = await env.login(Login(email="alice@example.com", password=PASSWORD))

    after = await env.change_password(change(), viewer=viewer_of(ALICE))

    with pytest.raises(Unauthenticated, match="no longer valid"):
        await env.authenticate(before.tokens.access_token)
    assert (await env.authenticate(after.tokens.access_token)).user_id == ALICE_ID
    with pytest.raises(InvalidCredentials):
        await env.login(Login(email="alice@example.com", password=PASSWORD))
    await env.login(Login(email="alice@example.com", password=NEW_PASSWORD))


@pytest.mark.parametrize(
    "current", [pytest.param("wrong horse battery", id="wrong"), pytest.param("x" * 129, id="long")]
)
async def test_a_wrong_current_password_is_audited_and_changes_nothing(
    env: Env, current: str
) -> None:
    env.uow.seed(ALICE, tokens=[THIS_DEVICE])

    with pytest.raises(InvalidCredentials) as caught:
        await env.change_password(change(current=current), viewer=viewer_of(ALICE))

    assert (caught.value.code, caught.value.message, caught.value.field) == (
        "INVALID_CREDENTIALS",
        "Current password is incorrect.",
        "currentPassword",
    )
    assert env.uow.committed.users == {ALICE_ID: ALICE}
    assert env.uow.committed.refresh_tokens == {THIS_DEVICE.id: THIS_DEVICE}
    assert env.uow.committed.audit == [
        audited(AuditAction.PASSWORD_CHANGE_FAILED, actor_id=ALICE_ID, subject_id=ALICE_ID)
    ]
    assert (env.codec.issued, env.uow.commits) == ({}, 1)
    # an over-long guess is refused without paying for a hash
    assert env.hasher.verified == ([] if len(current) > 128 else [(ALICE.password_hash, current)])


@pytest.mark.parametrize(
    ("current", "new", "issues"),
    [
        pytest.param(PASSWORD, "short", [TOO_SHORT], id="weak"),
        pytest.param(
            PASSWORD,
            "Alice-in-wonderland",
            [FieldIssue("newPassword", "Password must not contain your email address.")],
            id="contains-email",
        ),
        pytest.param(PASSWORD, PASSWORD, [SAME], id="same-as-current"),
        pytest.param("short", "short", [TOO_SHORT, SAME], id="weak-and-same"),
    ],
)
async def test_a_bad_new_password_reports_every_issue_and_changes_nothing(
    env: Env, current: str, new: str, issues: list[FieldIssue]
) -> None:
    env.uow.seed(ALICE, tokens=[THIS_DEVICE])

    with pytest.raises(InvalidInput) as caught:
        await env.change_password(change(current=current, new=new), viewer=viewer_of(ALICE))

    assert caught.value.issues == tuple(issues)
    assert env.uow.committed.users == {ALICE_ID: ALICE}
    assert env.uow.committed.refresh_tokens == {THIS_DEVICE.id: THIS_DEVICE}
    assert (env.uow.committed.audit, env.uow.commits, env.limiter.hits) == ([], 0, [])


async def test_change_password_is_rate_limited_like_login(env: Env) -> None:
    env.uow.seed(ALICE)
    env.limiter = FakeRateLimiter({"login_ip": 0}, retry_after=5)

    with pytest.raises(RateLimited) as caught:
        await env.change_password(change(), viewer=viewer_of(ALICE))

    assert (caught.value.message, caught.value.retry_after) == (
        "Too many login attempts; retry in 5 seconds.",
        5,
    )
    assert env.uow.committed.audit == [audited(AuditAction.RATE_LIMITED, limit="login_ip")]
    assert env.uow.committed.users == {ALICE_ID: ALICE}
    assert env.hasher.verified == []


async def test_change_password_of_a_deleted_account_is_unauthenticated(env: Env) -> None:
    with pytest.raises(Unauthenticated, match=r"^The account no longer exists\.$"):
        await env.change_password(change(), viewer=viewer_of(ALICE))

    assert (env.uow.committed.audit, env.uow.commits) == ([], 0)
