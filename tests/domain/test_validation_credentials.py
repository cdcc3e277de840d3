"""Golden values of the email and password rules in ``domain.accounts.validation``."""

from __future__ import annotations

import pytest

from domain.accounts.validation import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_email,
    check_password,
    normalize_email,
)
from domain.errors import FieldIssue

SHORT = "Password must be at least 10 characters."
LONG = "Password must be at most 128 characters."
DULL = "Password must use at least 5 different characters."
COMMON = "Password is too common; choose another."
HAS_EMAIL = "Password must not contain your email address."


def test_password_length_limits() -> None:
    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (10, 128)


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("alice@example.com", "alice@example.com"),
        ("  Alice@EXAMPLE.com\n", "alice@example.com"),
        ("STRASSE@example.com", "strasse@example.com"),
        ("Straße@example.com", "strasse@example.com"),
    ],
)
def test_normalize_email_trims_and_casefolds(email: str, key: str) -> None:
    assert normalize_email(email) == key


@pytest.mark.parametrize(
    ("email", "normalized"),
    [
        ("alice@example.com", "alice@example.com"),
        ("  Alice@EXAMPLE.COM ", "Alice@example.com"),
        ("first.last+tag@mail.example.co.uk", "first.last+tag@mail.example.co.uk"),
        ("a" * 64 + "@example.com", "a" * 64 + "@example.com"),
    ],
)
def test_check_email_accepts_and_normalizes(email: str, normalized: str) -> None:
    assert check_email(email) == (normalized, [])


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Email is required."),
        (" \t ", "Email is required."),
        ("a" * 243 + "@example.com", "Email must be at most 254 characters."),
        ("alice.example.com", "Email is not valid: An email address must have an @-sign."),
        (
            "alice@localhost",
            "Email is not valid: The part after the @-sign is not valid. It should have a period.",
        ),
        (
            "alice@@example.com",
            "Email is not valid: The part after the @-sign contains invalid characters: '@'.",
        ),
        (
            "al ice@example.com",
            "Email is not valid: The email address contains invalid characters before the "
            "@-sign: SPACE.",
        ),
    ],
)
def test_check_email_rejects_with_a_message(email: str, message: str) -> None:
    assert check_email(email) == (None, [FieldIssue("email", message)])


def test_check_email_names_the_field_it_is_given() -> None:
    assert check_email("", field="newEmail") == (
        None,
        [FieldIssue("newEmail", "Email is required.")],
    )


@pytest.mark.parametrize(
    "password",
    [
        "abcdefghik",  # exactly the minimum length
        "abcdefgh" * 16,  # exactly the maximum length
        "aabbccddee",  # exactly five different characters
        "correct horse battery",
        "Pässwörter sind schön",
    ],
)
def test_check_password_accepts(password: str) -> None:
    assert check_password(password) == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", SHORT),
        ("abcdefghi", SHORT),
        ("abcdefgh" * 16 + "x", LONG),
        ("aaaabbbbcc", DULL),
        ("AaAaBbBbCc", DULL),  # letter case does not make characters different
        ("1111111111", DULL),  # also common: the first rule broken is the one reported
        ("Password123", COMMON),
        ("QWERTYUIOP", COMMON),
        ("drivemaster", COMMON),
    ],
)
def test_check_password_rejects_with_the_first_rule_broken(password: str, message: str) -> None:
    assert check_password(password) == [FieldIssue("password", message)]


@pytest.mark.parametrize(
    ("password", "email", "issues"),
    [
        ("my alice secret", "alice@example.com", [HAS_EMAIL]),
        ("my ALICE secret", " Alice@Example.com ", [HAS_EMAIL]),
        ("bob is my secret", "bob@example.com", []),  # local parts under 4 characters are ignored
        ("my alice secret", None, []),
        ("my alice secret", "", []),
        ("example.com rocks", "alice@example.com", []),  # only the local part counts
    ],
)
def test_check_password_must_not_contain_the_email(
    password: str, email: str | None, issues: list[str]
) -> None:
    assert check_password(password, email=email) == [FieldIssue("password", m) for m in issues]


def test_check_password_names_the_field_it_is_given() -> None:
    assert check_password("short", field="newPassword") == [FieldIssue("newPassword", SHORT)]
