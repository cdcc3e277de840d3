"""The steps shared by the auth use cases: refresh-token hashing, token pairs, audit lines."""

from __future__ import annotations

from domain.accounts.model import AccessClaims, AuditAction, RefreshToken, RequestMeta, TokenPair
from domain.accounts.services.tokens import audit, hash_refresh_token
from tests.services.support import (
    ACCESS_TTL,
    ADMIN_ID,
    ALICE_ID,
    FAMILY_B,
    META,
    NOW,
    REFRESH_TTL,
    Env,
    audited,
    make_user,
)


def test_refresh_tokens_are_stored_as_their_sha256() -> None:
    assert hash_refresh_token("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


async def test_session_issuer_stages_a_refresh_token_in_the_given_family(env: Env) -> None:
    alice = make_user(session_version=3)
    async with env.uow:
        pair = await env.sessions.issue(
            alice,
            family_id=FAMILY_B,
            now=NOW,
            meta=RequestMeta(user_agent="ua", ip="198.51.100.1"),
            uow=env.uow,
        )
        staged = dict(env.uow.staged.refresh_tokens)

    assert pair == TokenPair(
        access_token="access-1",
        access_expires_at=NOW + ACCESS_TTL,
        refresh_token="refresh-1",
        refresh_expires_at=NOW + REFRESH_TTL,
    )
    [token] = staged.values()
    assert token == RefreshToken(
        id=token.id,
        user_id=ALICE_ID,
        family_id=FAMILY_B,
        token_hash=hash_refresh_token("refresh-1"),
        issued_at=NOW,
        expires_at=NOW + REFRESH_TTL,
        user_agent="ua",
        ip="198.51.100.1",
    )
    claims = env.codec.issued["access-1"]
    assert claims == AccessClaims(
        user_id=ALICE_ID,
        role=alice.role,
        session_version=3,
        token_id=claims.token_id,
        family_id=FAMILY_B,
        issued_at=NOW,
        expires_at=NOW + ACCESS_TTL,
    )
    assert len(claims.token_id) == 32
    assert env.uow.committed.refresh_tokens == {}  # staged only: the caller commits


async def test_audit_subject_defaults_to_the_actor(env: Env) -> None:
    async with env.uow:
        await audit(env.uow, AuditAction.LOGGED_OUT, at=NOW, meta=META, actor_id=ALICE_ID)
        await audit(
            env.uow,
            AuditAction.ROLE_CHANGED,
            at=NOW,
            meta=META,
            actor_id=ADMIN_ID,
            subject_id=ALICE_ID,
            role="author",
        )
        await audit(env.uow, AuditAction.LOGIN_FAILED, at=NOW, meta=META, email="x@example.com")
        await env.uow.commit()

    assert env.uow.committed.audit == [
        audited(AuditAction.LOGGED_OUT, actor_id=ALICE_ID, subject_id=ALICE_ID),
        audited(AuditAction.ROLE_CHANGED, actor_id=ADMIN_ID, subject_id=ALICE_ID, role="author"),
        audited(AuditAction.LOGIN_FAILED, email="x@example.com"),
    ]
