"""Golden values of the profile and preference rules in ``domain.accounts.validation``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.accounts.validation import (
    check_avatar_url,
    check_bio,
    check_display_name,
    check_exam_date,
    check_locale,
    check_range,
    check_time_zone,
)
from domain.errors import FieldIssue

NAME_LONG = FieldIssue("displayName", "Display name must be at most 50 characters.")
BIO_CONTROL = FieldIssue("bio", "Bio must not contain control characters.")
NOT_HTTPS = FieldIssue("avatarUrl", "Avatar URL must be an absolute https:// URL.")
LOCALE = FieldIssue("locale", "Locale must be a language tag such as 'en' or 'en-GB'.")
ZONE = FieldIssue("timeZone", "Time zone must be an IANA name such as 'Europe/London'.")
TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("Ada", ("Ada", [])),
        ("  Ada \t  Lovelace\n", ("Ada Lovelace", [])),
        ("n" * 50, ("n" * 50, [])),
        ("", ("", [FieldIssue("displayName", "Display name is required.")])),
        (" \t\n ", ("", [FieldIssue("displayName", "Display name is required.")])),
        ("n" * 51, ("n" * 51, [NAME_LONG])),
        (" " + "n" * 50 + " ", ("n" * 50, [])),  # length counts after trimming
    ],
)
def test_check_display_name(name: str, result: tuple[str, list[FieldIssue]]) -> None:
    assert check_display_name(name) == result


@pytest.mark.parametrize("name", ["Ada\x00", "Ada\x07Lovelace"])
def test_check_display_name_rejects_control_characters(name: str) -> None:
    assert check_display_name(name)[1] != []


@pytest.mark.parametrize(
    ("bio", "result"),
    [
        ("  I drive.  ", ("I drive.", [])),
        ("line one\nline two", ("line one\nline two", [])),
        ("", (None, [])),
        ("   ", (None, [])),
        ("b" * 500, ("b" * 500, [])),
        ("b" * 501, (None, [FieldIssue("bio", "Bio must be at most 500 characters.")])),
        ("bell\x07", (None, [BIO_CONTROL])),
        ("nul\x00byte", (None, [BIO_CONTROL])),
        ("delete\x7f", (None, [BIO_CONTROL])),
    ],
)
def test_check_bio(bio: str, result: tuple[str | None, list[FieldIssue]]) -> None:
    assert check_bio(bio) == result


URL_500 = "https://cdn.example.com/" + "a" * 476


@pytest.mark.parametrize(
    ("url", "result"),
    [
        ("https://cdn.example.com/a.png", ("https://cdn.example.com/a.png", [])),
        ("  https://cdn.example.com/a.png?s=64 ", ("https://cdn.example.com/a.png?s=64", [])),
        (URL_500, (URL_500, [])),
        ("", (None, [])),
        ("   ", (None, [])),
        (
            URL_500 + "a",
            (None, [FieldIssue("avatarUrl", "Avatar URL must be at most 500 characters.")]),
        ),
        ("http://cdn.example.com/a.png", (None, [NOT_HTTPS])),
        ("ftp://cdn.example.com/a.png", (None, [NOT_HTTPS])),
        ("//cdn.example.com/a.png", (None, [NOT_HTTPS])),
        ("https://", (None, [NOT_HTTPS])),
        ("https:///a.png", (None, [NOT_HTTPS])),
        ("javascript:alert(1)", (None, [NOT_HTTPS])),
        ("https://cdn.example.com/a\x00.png", (None, [NOT_HTTPS])),
    ],
)
def test_check_avatar_url(url: str, result: tuple[str | None, list[FieldIssue]]) -> None:
    assert check_avatar_url(url) == result


@pytest.mark.parametrize("locale", ["en", "fil", "de-AT", "es-419", "sr-Latn", "sr-Latn-RS"])
def test_check_locale_accepts_common_tags(locale: str) -> None:
    assert check_locale(locale) == []


@pytest.mark.parametrize(
    "locale", ["", "e", "EN", "en_GB", "en-gb", "english", "sr-latn-RS", "en-GB-x", " en"]
)
def test_check_locale_rejects(locale: str) -> None:
    assert check_locale(locale) == [LOCALE]


def test_check_locale_rejects_a_trailing_newline() -> None:
    assert check_locale("en\n") == [LOCALE]


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"])
def test_check_time_zone_accepts_iana_names(name: str) -> None:
    assert check_time_zone(name) == []


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus",
        "europe/london",
        " UTC",
        "Europe/London\n",
        "Europe/",
        "../etc/passwd",
        "/etc/localtime",
        "Europe/London\x00",
    ],
)
def test_check_time_zone_rejects(name: str) -> None:
    assert check_time_zone(name) == [ZONE]


@pytest.mark.parametrize("name", ["Europe", "America"])
def test_check_time_zone_rejects_a_region_directory(name: str) -> None:
    assert check_time_zone(name) == [ZONE]


@pytest.mark.parametrize(
    ("value", "issues"),
    [
        (5, []),
        (240, []),
        (4, [FieldIssue("dailyGoalMinutes", "Daily goal must be between 5 and 240.")]),
        (241, [FieldIssue("dailyGoalMinutes", "Daily goal must be between 5 and 240.")]),
    ],
)
def test_check_range_is_inclusive(value: int, issues: list[FieldIssue]) -> None:
    found = check_range(value, low=5, high=240, field="dailyGoalMinutes", label="Daily goal")
    assert found == issues


@pytest.mark.parametrize(
    ("value", "issues"),
    [
        (TODAY, []),
        (TODAY + timedelta(days=731), []),
        (TODAY - timedelta(days=1), ["Target exam date must not be in the past."]),
        (TODAY + timedelta(days=732), ["Target exam date must be within two years."]),
    ],
)
def test_check_exam_date(value: date, issues: list[str]) -> None:
    assert check_exam_date(value, today=TODAY) == [FieldIssue("targetExamDate", m) for m in issues]


def test_checkers_name_the_field_they_are_given() -> None:
    assert (
        check_display_name("", field="name")[1],
        check_bio("\x07", field="about")[1],
        check_avatar_url("http://x.example", field="picture")[1],
        check_locale("x", field="lang"),
        check_time_zone("x", field="tz"),
        check_exam_date(TODAY - timedelta(days=1), today=TODAY, field="exam"),
    ) == (
        [FieldIssue("name", "Display name is required.")],
        [FieldIssue("about", BIO_CONTROL.message)],
        [FieldIssue("picture", NOT_HTTPS.message)],
        [FieldIssue("lang", LOCALE.message)],
        [FieldIssue("tz", ZONE.message)],
        [FieldIssue("exam", "Target exam date must not be in the past.")],
    )
