"""Operator tasks run from the CLI, outside any request."""

from __future__ import annotations

from dataclasses import replace

from domain.accounts.model import AuditAction, AuditEntry, Role
from domain.clock import SystemClock
from drivemaster.settings import Settings
from persistence.engine import create_engine, create_session_factory
from persistence.unit_of_work import SqlUnitOfWork


async def assign_role(settings: Settings, *, email: str, role: str) -> None:
    """Set the role of the account with ``email``; audited with no actor (the operator).

    Raises:
        LookupError: when no account has this email.
    """
    engine = create_engine(settings.database.url)
    try:
        uow = SqlUnitOfWork(create_session_factory(engine))
        async with uow:
            user = await uow.users.get_by_email(email)
            if user is None:
                raise LookupError(f"No account has the email {email}.")
            now = SystemClock().now()
            await uow.users.update(replace(user, role=Role(role), updated_at=now))
            await uow.audit.append(
                AuditEntry(
                    action=AuditAction.ROLE_CHANGED,
                    occurred_at=now,
                    subject_id=user.id,
                    details={"previous": user.role.value, "role": role, "via": "cli"},
                )
            )
            await uow.commit()
    finally:
        await engine.dispose()
