"""SQL repositories for the accounts area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.errors import EmailTaken
from domain.accounts.model import (
    AuditEntry,
    LearningPreferences,
    Profile,
    RefreshToken,
    Role,
    User,
    Visibility,
)
from domain.accounts.validation import normalize_email
from persistence.tables.accounts import AuditLogRow, ProfileRow, RefreshTokenRow, UserRow


def user_from_rows(user: UserRow, profile: ProfileRow) -> User:
    """Build the domain ``User`` from its two rows."""
    return User(
        id=user.id,
        email=user.email,
        password_hash=user.password_hash,
        role=Role(user.role),
        session_version=user.session_version,
        created_at=user.created_at,
        updated_at=user.updated_at,
        profile=Profile(
            display_name=profile.display_name,
            bio=profile.bio,
            avatar_url=profile.avatar_url,
            locale=profile.locale,
            time_zone=profile.time_zone,
            visibility=Visibility(profile.visibility),
        ),
        preferences=LearningPreferences.from_json(profile.learning_preferences),
    )


def _user_values(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "email_key": normalize_email(user.email),
        "password_hash": user.password_hash,
        "role": user.role.value,
        "session_version": user.session_version,
        "updated_at": user.updated_at,
    }


def _profile_values(user: User) -> dict[str, object]:
    profile = user.profile
    return {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "avatar_url": profile.avatar_url,
        "locale": profile.locale,
        "time_zone": profile.time_zone,
        "visibility": profile.visibility.value,
        "learning_preferences": user.preferences.to_json(),
    }


USERS_WITH_PROFILES = select(UserRow, ProfileRow).join(
    ProfileRow, col(ProfileRow.user_id) == col(UserRow.id)
)


class SqlUserRepository:
    """Implements ``UserRepository``; a user is one ``users`` row and one ``profiles`` row.

    The ids of accounts it adds or updates go into ``changed`` (see ``SqlUnitOfWork``).
    """

    def __init__(self, session: AsyncSession, *, changed: set[UUID]) -> None:
        self._session = session
        self._changed = changed

    async def add(self, user: User) -> None:
        self._changed.add(user.id)
        self._session.add(
            UserRow(id=user.id, created_at=user.created_at, **_user_values(user))  # type: ignore[arg-type]
        )
        try:
            await self._session.flush()
        except IntegrityError as error:
            raise EmailTaken("An account with this email already exists.", field="email") from error
        self._session.add(ProfileRow(user_id=user.id, **_profile_values(user)))  # type: ignore[arg-type]
        await self._session.flush()

    async def get(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        statement = USERS_WITH_PROFILES.where(UserRow.id == user_id)
        if for_update:  # no-op on SQLite, which serializes writers anyway
            statement = statement.with_for_update()
        row = (await self._session.exec(statement)).first()
        return user_from_rows(*row) if row else None

    async def get_many(self, user_ids: Sequence[UUID]) -> list[User | None]:
        rows = await self._session.exec(USERS_WITH_PROFILES.where(col(UserRow.id).in_(user_ids)))
        found = {user.id: user_from_rows(user, profile) for user, profile in rows}
        return [found.get(user_id) for user_id in user_ids]

    async def get_by_email(self, email: str) -> User | None:
        statement = USERS_WITH_PROFILES.where(UserRow.email_key == normalize_email(email))
        row = (await self._session.exec(statement)).first()
        return user_from_rows(*row) if row else None

    async def update(self, user: User) -> None:
        self._changed.add(user.id)
        await self._session.exec(
            sa.update(UserRow).where(col(UserRow.id) == user.id).values(**_user_values(user))
        )
        await self._session.exec(
            sa.update(ProfileRow)
            .where(col(ProfileRow.user_id) == user.id)
            .values(**_profile_values(user))
        )


def _token_from_row(row: RefreshTokenRow) -> RefreshToken:
    return RefreshToken(
        id=row.id,
        user_id=row.user_id,
        family_id=row.family_id,
        token_hash=row.token_hash,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
        user_agent=row.user_agent,
        ip=row.ip,
    )


class SqlRefreshTokenRepository:
    """Implements ``RefreshTokenRepository``. The ids of accounts whose sessions it revokes go
    into ``changed`` (see ``SqlUnitOfWork``)."""

    def __init__(self, session: AsyncSession, *, changed: set[UUID]) -> None:
        self._session = session
        self._changed = changed

    async def add(self, token: RefreshToken) -> None:
        self._session.add(
            RefreshTokenRow(
                id=token.id,
                user_id=token.user_id,
                family_id=token.family_id,
                token_hash=token.token_hash,
                issued_at=token.issued_at,
                expires_at=token.expires_at,
                used_at=token.used_at,
                revoked_at=token.revoked_at,
                user_agent=token.user_agent[:300] if token.user_agent else None,
                ip=token.ip,
            )
        )
        await self._session.flush()

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        statement = select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash)
        row = (await self._session.exec(statement)).first()
        return _token_from_row(row) if row else None

    async def mark_used(self, token_id: UUID, *, at: datetime) -> bool:
        result = await self._session.exec(
            sa.update(RefreshTokenRow)
            .where(
                col(RefreshTokenRow.id) == token_id,
                col(RefreshTokenRow.used_at).is_(None),
                col(RefreshTokenRow.revoked_at).is_(None),
            )
            .values(used_at=at)
        )
        return bool(result.rowcount)

    async def _revoke(self, condition: sa.ColumnElement[bool], at: datetime) -> int:
        result = await self._session.exec(
            sa.update(RefreshTokenRow)
            .where(condition, col(RefreshTokenRow.revoked_at).is_(None))
            .values(revoked_at=at)
            .returning(col(RefreshTokenRow.user_id))
        )
        owners = list(result.scalars())
        self._changed.update(owners)
        return len(owners)

    async def revoke_family(self, family_id: UUID, *, at: datetime) -> int:
        return await self._revoke(col(RefreshTokenRow.family_id) == family_id, at)

    async def revoke_all_for_user(self, user_id: UUID, *, at: datetime) -> int:
        return await self._revoke(col(RefreshTokenRow.user_id) == user_id, at)


class SqlAuditLog:
    """Implements ``AuditLog``: inserts only."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, entry: AuditEntry) -> None:
        self._session.add(
            AuditLogRow(
                occurred_at=entry.occurred_at,
                action=entry.action.value,
                actor_id=entry.actor_id,
                subject_id=entry.subject_id,
                ip=entry.ip,
                user_agent=entry.user_agent[:300] if entry.user_agent else None,
                request_id=entry.request_id,
                details=entry.details,
            )
        )
        await self._session.flush()
