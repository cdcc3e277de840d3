"""Small rules of the accounts model: when a refresh token may still be exchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.accounts.model import RefreshToken

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TOKEN = RefreshToken(
    id=UUID(int=1),
    user_id=UUID(int=2),
    family_id=UUID(int=3),
    token_hash="0" * 64,
    issued_at=NOW - timedelta(days=1),
    expires_at=NOW + timedelta(days=29),
)


@pytest.mark.parametrize(
    ("token", "at", "active"),
    [
        pytest.param(TOKEN, NOW, True, id="fresh"),
        pytest.param(TOKEN, TOKEN.expires_at - timedelta(microseconds=1), True, id="last-moment"),
        pytest.param(TOKEN, TOKEN.expires_at, False, id="at-expiry"),
        pytest.param(replace(TOKEN, used_at=NOW), NOW, False, id="used"),
        pytest.param(replace(TOKEN, revoked_at=NOW), NOW, False, id="revoked"),
    ],
)
def test_is_active(token: RefreshToken, at: datetime, active: bool) -> None:
    assert token.is_active(at) is active
