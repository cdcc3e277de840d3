"""Input rules for accounts: emails, passwords, profile fields and learning preferences.

Every checker collects all the issues of a command before failing, so a client can show
them at once. Field names are the GraphQL input's (camelCase), so errors name what the
client sent.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
import zoneinfo
from datetime import date
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from domain.errors import FieldIssue

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_avatar_url",
    "check_bio",
    "check_display_name",
    "check_email",
    "check_exam_date",
    "check_locale",
    "check_password",
    "check_range",
    "check_time_zone",
    "normalize_email",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128  # argon2 cost is per byte; a cap keeps login from being a DoS vector
MIN_DISTINCT_PASSWORD_CHARACTERS = 5
MAX_EMAIL_LENGTH = 254
MAX_DISPLAY_NAME_LENGTH = 50
MAX_BIO_LENGTH = 500
MAX_URL_LENGTH = 500
LOCALE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
NOT_TIME_ZONES = frozenset({"Factory", "localtime", "posixrules"})

# The most common leaked passwords that pass the length rule (NIST SP 800-63B asks for a
# blocklist rather than composition rules).
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "qwertyuiop",
        "qwerty1234",
        "1q2w3e4r5t",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "abcdefghij",
        "abc1234567",
        "letmein123",
        "welcome123",
        "monkey1234",
        "dragon1234",
        "football12",
        "baseball12",
        "sunshine12",
        "princess12",
        "trustno1234",
        "administrator",
        "drivemaster",
        "drivemaster1",
        "drivingtest",
        "theorytest1",
    }
)


def normalize_email(email: str) -> str:
    """The comparison key of an email, the same at registration and at login.

    A valid address is taken in email_validator's normalized form (Unicode NFC, the domain
    decoded from IDNA), then case-folded; anything else is trimmed, NFC-normalized and
    case-folded, so it can never match a stored key by accident of spelling.
    """
    candidate = email.strip()
    with contextlib.suppress(EmailNotValidError):
        candidate = validate_email(candidate, check_deliverability=False).normalized
    return unicodedata.normalize("NFC", candidate).casefold()


def check_email(email: str, *, field: str = "email") -> tuple[str | None, list[FieldIssue]]:
    """Validate an email's syntax (no DNS lookup) and return its normalized form."""
    candidate = email.strip()
    if not candidate:
        return None, [FieldIssue(field, "Email is required.")]
    if len(candidate) > MAX_EMAIL_LENGTH:
        return None, [FieldIssue(field, f"Email must be at most {MAX_EMAIL_LENGTH} characters.")]
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        return None, [FieldIssue(field, f"Email is not valid: {error}")]
    if len(normalize_email(result.normalized)) > MAX_EMAIL_LENGTH:
        return None, [FieldIssue(field, f"Email must be at most {MAX_EMAIL_LENGTH} characters.")]
    return result.normalized, []


def check_password(
    password: str, *, email: str | None = None, field: str = "password"
) -> list[FieldIssue]:
    """Apply the password policy: length, variety, not common, not the email."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [FieldIssue(field, f"Password must be at least {MIN_PASSWORD_LENGTH} characters.")]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [FieldIssue(field, f"Password must be at most {MAX_PASSWORD_LENGTH} characters.")]
    lowered = password.casefold()
    if len(set(lowered)) < MIN_DISTINCT_PASSWORD_CHARACTERS:
        return [
            FieldIssue(
                field,
                f"Password must use at least {MIN_DISTINCT_PASSWORD_CHARACTERS} "
                "different characters.",
            )
        ]
    if lowered in COMMON_PASSWORDS:
        return [FieldIssue(field, "Password is too common; choose another.")]
    if email:
        local_part = normalize_email(email).split("@", 1)[0]
        if len(local_part) >= 4 and local_part in lowered:
            return [FieldIssue(field, "Password must not contain your email address.")]
    return []


def check_display_name(name: str, *, field: str = "displayName") -> tuple[str, list[FieldIssue]]:
    """Trim a display name and check its length and characters."""
    cleaned = " ".join(name.split())
    if not cleaned:
        return cleaned, [FieldIssue(field, "Display name is required.")]
    if CONTROL_CHARACTERS.search(cleaned):
        return cleaned, [FieldIssue(field, "Display name must not contain control characters.")]
    if len(cleaned) > MAX_DISPLAY_NAME_LENGTH:
        return cleaned, [
            FieldIssue(field, f"Display name must be at most {MAX_DISPLAY_NAME_LENGTH} characters.")
        ]
    return cleaned, []


def check_bio(bio: str, *, field: str = "bio") -> tuple[str | None, list[FieldIssue]]:
    """Trim a bio (line breaks normalized to ``\\n``); an empty one clears it."""
    cleaned = bio.replace("\r\n", "\n").strip()
    if len(cleaned) > MAX_BIO_LENGTH:
        return None, [FieldIssue(field, f"Bio must be at most {MAX_BIO_LENGTH} characters.")]
    if CONTROL_CHARACTERS.search(cleaned.replace("\n", "").replace("\t", "")):
        return None, [FieldIssue(field, "Bio must not contain control characters.")]
    return cleaned or None, []


def check_avatar_url(url: str, *, field: str = "avatarUrl") -> tuple[str | None, list[FieldIssue]]:
    """Accept an absolute https URL (or empty, which clears the avatar)."""
    cleaned = url.strip()
    if not cleaned:
        return None, []
    if len(cleaned) > MAX_URL_LENGTH:
        return None, [FieldIssue(field, f"Avatar URL must be at most {MAX_URL_LENGTH} characters.")]
    issue = [FieldIssue(field, "Avatar URL must be an absolute https:// URL.")]
    if any(character.isspace() for character in cleaned) or CONTROL_CHARACTERS.search(cleaned):
        return None, issue
    try:
        parts = urlsplit(cleaned)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None, issue
    if parts.scheme != "https" or not parts.hostname:
        return None, issue
    return cleaned, []


def check_locale(locale: str, *, field: str = "locale") -> list[FieldIssue]:
    """A BCP 47 tag of the common shape: ``en``, ``de-AT``, ``sr-Latn-RS``."""
    if not LOCALE_PATTERN.fullmatch(locale):
        return [FieldIssue(field, "Locale must be a language tag such as 'en' or 'en-GB'.")]
    return []


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - NOT_TIME_ZONES


def check_time_zone(name: str, *, field: str = "timeZone") -> list[FieldIssue]:
    """An IANA time zone name such as ``Europe/Berlin`` (not a region folder or alias file)."""
    if name not in _time_zones():
        return [FieldIssue(field, "Time zone must be an IANA name such as 'Europe/London'.")]
    return []


def check_range(value: int, *, low: int, high: int, field: str, label: str) -> list[FieldIssue]:
    """An integer within ``[low, high]``."""
    if not low <= value <= high:
        return [FieldIssue(field, f"{label} must be between {low} and {high}.")]
    return []


def check_exam_date(value: date, *, today: date, field: str = "targetExamDate") -> list[FieldIssue]:
    """An exam date not in the past and at most two years ahead."""
    if value < today:
        return [FieldIssue(field, "Target exam date must not be in the past.")]
    if (value - today).days > 731:
        return [FieldIssue(field, "Target exam date must be within two years.")]
    return []
