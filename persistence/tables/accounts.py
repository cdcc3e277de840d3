"""Tables of the accounts area: users, profiles, roles, refresh tokens, audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from persistence.types import UTCDateTime

JSON_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")


class RoleRow(SQLModel, table=True):
    """The roles a user can hold; seeded by the migration."""

    __tablename__ = "roles"

    name: str = Field(primary_key=True, max_length=20)
    description: str = Field(max_length=200)


class UserRow(SQLModel, table=True):
    """An account. ``email_key`` (the case-folded email, computed in Python so that every
    backend folds every script the same way) makes emails unique whatever their case."""

    __tablename__ = "users"

    id: UUID = Field(primary_key=True)
    email: str = Field(max_length=254)
    email_key: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(foreign_key="roles.name", max_length=20, index=True)
    session_version: int = Field(default=0)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ProfileRow(SQLModel, table=True):
    """A user's public face and learning preferences (a JSON document)."""

    __tablename__ = "profiles"

    user_id: UUID = Field(
        primary_key=True, sa_column_args=[sa.ForeignKey("users.id", ondelete="CASCADE")]
    )
    display_name: str = Field(max_length=50)
    bio: str | None = Field(default=None, max_length=500)
    avatar_url: str | None = Field(default=None, max_length=500)
    locale: str = Field(max_length=35)
    time_zone: str = Field(max_length=64)
    visibility: str = Field(max_length=10)
    learning_preferences: dict[str, Any] = Field(sa_type=JSON_DOCUMENT)


class RefreshTokenRow(SQLModel, table=True):
    """A refresh token, stored as the SHA-256 of its secret."""

    __tablename__ = "refresh_tokens"

    id: UUID = Field(primary_key=True)
    user_id: UUID = Field(
        sa_column_args=[sa.ForeignKey("users.id", ondelete="CASCADE")], index=True
    )
    family_id: UUID = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_agent: str | None = Field(default=None, max_length=300)
    ip: str | None = Field(default=None, max_length=45)


class AuditLogRow(SQLModel, table=True):
    """One audit event. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: int | None = Field(
        default=None,
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
    )
    occurred_at: datetime = Field(sa_type=UTCDateTime, index=True)
    action: str = Field(max_length=40, index=True)
    actor_id: UUID | None = Field(default=None, index=True)
    subject_id: UUID | None = Field(default=None, index=True)
    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=300)
    request_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_DOCUMENT)
