"""Security adapters: argon2id password hashing, JWT access tokens, the signing key.

JWT decisions: HS256 only (``algorithms`` is pinned, so ``alg: none`` and RS/HS confusion are
refused by PyJWT before any claim is read); ``exp``, ``iat``, ``iss``, ``aud``, ``sub`` and
``jti`` are required; expiry and issue time are checked against the injected clock (so tests
can move time), with 10 seconds of leeway for clock skew between API processes.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import argon2
import jwt

from domain.accounts.model import AccessClaims, Role
from domain.errors import Unauthenticated

ALGORITHM = "HS256"
LEEWAY_SECONDS = 10
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti"]


class ConfigurationError(RuntimeError):
    """Raised at start-up when a setting makes it unsafe or impossible to serve."""


class Argon2PasswordHasher:
    """Implements ``PasswordHasher`` with argon2id; hashing runs in a worker thread."""

    def __init__(self, *, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        target = password_hash or self._dummy_hash
        try:
            matched = await asyncio.to_thread(self._hasher.verify, target, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False
        return bool(matched) and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


class JwtAccessTokenCodec:
    """Implements ``AccessTokenCodec`` with PyJWT and a shared HMAC key."""

    def __init__(self, *, secret: bytes, issuer: str, audience: str) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience

    def issue(self, claims: AccessClaims) -> str:
        payload = {
            "sub": str(claims.user_id),
            "role": claims.role.value,
            "sv": claims.session_version,
            "jti": claims.token_id,
            "fid": str(claims.family_id),
            "iat": int(claims.issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "iss": self._issuer,
            "aud": self._audience,
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    def decode(self, token: str, *, now: datetime) -> AccessClaims:
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
            )
            expires_at = datetime.fromtimestamp(int(payload["exp"]), UTC)
            issued_at = datetime.fromtimestamp(int(payload["iat"]), UTC)
            claims = AccessClaims(
                user_id=UUID(payload["sub"]),
                role=Role(payload["role"]),
                session_version=int(payload["sv"]),
                token_id=str(payload["jti"]),
                family_id=UUID(payload["fid"]),
                issued_at=issued_at,
                expires_at=expires_at,
            )
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(f"Access token is invalid: {error}.") from error
        except (KeyError, ValueError, TypeError) as error:
            raise Unauthenticated("Access token is invalid: malformed claims.") from error
        if (now - expires_at).total_seconds() > LEEWAY_SECONDS:
            raise Unauthenticated("Access token has expired; refresh it.")
        if (issued_at - now).total_seconds() > LEEWAY_SECONDS:
            raise Unauthenticated("Access token is invalid: issued in the future.")
        return claims


class UrlSafeSecrets:
    """Implements ``SecretSource``: 256-bit URL-safe tokens and UUID4s, from the OS."""

    def token(self) -> str:
        return secrets.token_urlsafe(32)

    def new_id(self) -> UUID:
        return uuid4()


def load_signing_key(*, secret: str | None, key_file: Path, production: bool) -> bytes:
    """The JWT signing key: the configured secret, else (not in production) a key file.

    The key file is created once with 0600 permissions and reused, so tokens survive restarts.

    Raises:
        ConfigurationError: in production without ``AUTH_JWT_SECRET``.
    """
    if secret:
        return secret.encode()
    if production:
        raise ConfigurationError(
            "AUTH_JWT_SECRET is not set. In production (DRIVEMASTER_ENV=production) the JWT "
            "signing secret must be provided, at least 32 bytes, the same on every API "
            "process; e.g. AUTH_JWT_SECRET=$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')."
        )
    if key_file.exists():
        key = key_file.read_text().strip()
        if len(key) < 32:
            raise ConfigurationError(f"The JWT key file {key_file} is shorter than 32 bytes.")
        return key.encode()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key.encode()
