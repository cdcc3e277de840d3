"""Expected failures of the accounts use cases."""

from __future__ import annotations

from domain.errors import DomainError, NotFound


class EmailTaken(DomainError):
    """Raised when registering an email that an account already uses, in any letter case."""

    code = "EMAIL_TAKEN"


class InvalidCredentials(DomainError):
    """Raised when an email/password pair does not match an account (never says which part)."""

    code = "INVALID_CREDENTIALS"


class InvalidRefreshToken(DomainError):
    """Raised when a refresh token is unknown, expired, revoked or already used."""

    code = "INVALID_REFRESH_TOKEN"


class UserNotFound(NotFound):
    """Raised when a command names a user that does not exist."""
