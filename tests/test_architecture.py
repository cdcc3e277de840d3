"""Dependency rules of DESIGN.md, checked on the source: the domain stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = {
    "strawberry",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "redis",
    "fakeredis",
    "aiokafka",
    "uvicorn",
    "alembic",
    "limits",
    "argon2",
    "jwt",
    "httpx",
    "pydantic_settings",
    "prometheus_client",
}
PROJECT = {"domain", "graph", "resolvers", "persistence", "workers", "drivemaster"}
# package -> project packages it must not import
FORBIDDEN = {
    "domain": PROJECT - {"domain"},
    "persistence": {"graph", "resolvers", "drivemaster", "workers"},
    "graph": {"persistence", "drivemaster", "workers"},
    "resolvers": {"persistence", "drivemaster", "workers"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_forbidden_project_imports(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files(package)
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert offenders == []


def test_domain_imports_no_framework() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files("domain")
        for name in imported_modules(path)
        if name.split(".")[0] in FRAMEWORKS
    ]
    assert offenders == []


def test_graph_types_import_only_the_domain() -> None:
    allowed = {"domain", "graph"}
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files("graph/types")
        for name in imported_modules(path)
        if name.split(".")[0] in PROJECT - allowed
    ]
    assert offenders == []


def test_tables_never_leave_persistence() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in PROJECT - {"persistence"}
        if (ROOT / package).exists()
        for path in python_files(package)
        for name in imported_modules(path)
        if name.startswith("persistence.tables")
    ]
    assert offenders == []


def test_the_checker_sees_imports() -> None:
    """Guard against a vacuous pass: the scan finds the imports we know are there."""
    assert "domain.accounts.model" in imported_modules(ROOT / "graph/types/accounts.py")
    assert len(python_files("domain")) >= 10
