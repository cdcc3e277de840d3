"""Parsing of scalar inputs that GraphQL itself cannot check (IDs are UUIDs)."""

from __future__ import annotations

from uuid import UUID

from domain.errors import FieldIssue, InvalidInput


def parse_id(value: str, *, field: str) -> UUID:
    """Parse an ``ID`` argument as a UUID; a malformed one names its field."""
    try:
        return UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput([FieldIssue(field, f"'{field}' must be a UUID.")]) from None
