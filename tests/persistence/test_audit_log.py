"""SqlAuditLog on SQLite and PostgreSQL: inserts work, the database refuses UPDATE and DELETE."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accounts.model import AuditAction, AuditEntry
from persistence.tables import AuditLogRow
from persistence.unit_of_work import SqlUnitOfWork
from tests.conftest import NOW


async def _append(uow: SqlUnitOfWork, entry: AuditEntry) -> None:
    async with uow:
        await uow.audit.append(entry)
        await uow.commit()


async def _rows_for(
    session_factory: async_sessionmaker[AsyncSession], request_id: str
) -> list[AuditLogRow]:
    async with session_factory() as session:
        statement = select(AuditLogRow).where(AuditLogRow.request_id == request_id)
        return list((await session.exec(statement)).all())


async def test_append_stores_every_field(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    actor, subject, request_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4().hex
    entry = AuditEntry(
        action=AuditAction.ROLE_CHANGED,
        occurred_at=NOW,
        actor_id=actor,
        subject_id=subject,
        ip="2001:db8::1",
        user_agent="agent/" + "y" * 400,
        request_id=request_id,
        details={"from": "learner", "to": "author", "nested": {"n": [1, 2.5, None, True]}},
    )

    await _append(uow, entry)

    [row] = await _rows_for(session_factory, request_id)
    assert isinstance(row.id, int)
    assert row.model_dump(exclude={"id"}) == {
        "occurred_at": NOW,
        "action": "role_changed",
        "actor_id": actor,
        "subject_id": subject,
        "ip": "2001:db8::1",
        "user_agent": ("agent/" + "y" * 400)[:300],
        "request_id": request_id,
        "details": {"from": "learner", "to": "author", "nested": {"n": [1, 2.5, None, True]}},
    }


async def test_append_assigns_increasing_ids(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    request_id = uuid.uuid4().hex
    for action in (AuditAction.LOGIN_FAILED, AuditAction.LOGIN_SUCCEEDED):
        await _append(uow, AuditEntry(action=action, occurred_at=NOW, request_id=request_id))

    rows = sorted(await _rows_for(session_factory, request_id), key=lambda row: row.id or 0)

    assert [row.action for row in rows] == ["login_failed", "login_succeeded"]
    assert [row.details for row in rows] == [{}, {}]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'tampered' WHERE request_id = :request_id",
        "DELETE FROM audit_log WHERE request_id = :request_id",
    ],
    ids=["update", "delete"],
)
async def test_database_refuses_to_change_the_audit_log(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession], statement: str
) -> None:
    request_id = uuid.uuid4().hex
    await _append(
        uow, AuditEntry(action=AuditAction.LOGGED_OUT, occurred_at=NOW, request_id=request_id)
    )

    async with session_factory() as session:
        connection = await session.connection()
        with pytest.raises(DBAPIError, match="audit_log is append-only"):
            await connection.execute(sa.text(statement), {"request_id": request_id})

    [row] = await _rows_for(session_factory, request_id)
    assert row.action == "logged_out"
