"""The README's settings table names every setting, and only real ones."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_settings import BaseSettings

from drivemaster.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def environment_names() -> set[str]:
    names = {"DRIVEMASTER_ENV"}
    for field in Settings.model_fields.values():
        group = field.default_factory
        if isinstance(group, type) and issubclass(group, BaseSettings):
            prefix = str(group.model_config.get("env_prefix", ""))
            names.update(f"{prefix}{name}".upper() for name in group.model_fields)
    return names


def test_settings_table_matches_the_code() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    assert documented == environment_names()


def test_quick_start_has_exactly_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in section.splitlines() if line.startswith("    make")]
    assert commands == ["make run", "make test"]
