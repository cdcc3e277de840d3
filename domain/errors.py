"""The root of every expected domain failure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One violated rule on one input field."""

    field: str
    message: str


class DomainError(Exception):
    """Raised when a use case cannot proceed for a reason the caller can act on."""

    code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """Raised when a command's input breaks one or more rules; every issue is reported."""

    code = "VALIDATION_ERROR"

    def __init__(self, issues: list[FieldIssue]) -> None:
        if not issues:
            raise ValueError("InvalidInput needs at least one issue")
        first = issues[0]
        super().__init__(first.message, field=first.field)
        self.issues = tuple(issues)


class NotFound(DomainError):
    """Raised when the entity a command names does not exist (or is hidden from the caller)."""

    code = "NOT_FOUND"


class Forbidden(DomainError):
    """Raised when the caller is known but may not perform the operation."""

    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    """Raised when an operation needs a valid access token and none (or a bad one) was given."""

    code = "UNAUTHENTICATED"


class RateLimited(DomainError):
    """Raised when a caller exceeded a rate limit; ``retry_after`` is in whole seconds."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
