"""The domain errors: codes, messages and the issues of ``InvalidInput``."""

from __future__ import annotations

import pytest

from domain.accounts.errors import EmailTaken, InvalidCredentials, InvalidRefreshToken, UserNotFound
from domain.errors import (
    DomainError,
    FieldIssue,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
)

EMAIL = FieldIssue("email", "Email is required.")
PASSWORD = FieldIssue("password", "Password must be at least 10 characters.")


def test_invalid_input_needs_an_issue() -> None:
    with pytest.raises(ValueError, match=r"^InvalidInput needs at least one issue$"):
        InvalidInput([])


def test_invalid_input_with_one_issue() -> None:
    error = InvalidInput([EMAIL])
    assert (error.code, error.message, error.field, error.issues, str(error)) == (
        "VALIDATION_ERROR",
        "Email is required.",
        "email",
        (EMAIL,),
        "Email is required.",
    )


def test_the_first_of_several_issues_becomes_message_and_field() -> None:
    issues = [PASSWORD, EMAIL]
    error = InvalidInput(issues)
    issues.append(FieldIssue("late", "Added after raising."))

    assert (error.message, error.field, error.issues) == (
        PASSWORD.message,
        "password",
        (PASSWORD, EMAIL),
    )
    assert isinstance(error, DomainError)


def test_domain_error_carries_message_and_optional_field() -> None:
    assert (DomainError("No.").message, DomainError("No.").field) == ("No.", None)
    error = DomainError("Bad id.", field="id")
    assert (error.code, error.message, error.field, error.args) == (
        "DOMAIN_ERROR",
        "Bad id.",
        "id",
        ("Bad id.",),
    )


def test_rate_limited_carries_retry_after() -> None:
    error = RateLimited("Slow down.", retry_after=7)
    assert (error.code, error.message, error.field, error.retry_after) == (
        "RATE_LIMITED",
        "Slow down.",
        None,
        7,
    )


def test_field_issue_is_a_frozen_value() -> None:
    assert FieldIssue("email", "x") == FieldIssue(field="email", message="x")
    with pytest.raises(AttributeError):
        EMAIL.field = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NotFound, "NOT_FOUND"),
        (Forbidden, "FORBIDDEN"),
        (Unauthenticated, "UNAUTHENTICATED"),
        (EmailTaken, "EMAIL_TAKEN"),
        (InvalidCredentials, "INVALID_CREDENTIALS"),
        (InvalidRefreshToken, "INVALID_REFRESH_TOKEN"),
        (UserNotFound, "NOT_FOUND"),
    ],
)
def test_error_codes(error: type[DomainError], code: str) -> None:
    assert (error.code, issubclass(error, DomainError)) == (code, True)
