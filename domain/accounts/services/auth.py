"""Credential use cases: registration, login and password change.

Security decisions, written down:

* Passwords are checked by the ``PasswordHasher`` port (argon2id); a hash made with older
  parameters is replaced on the next successful login. Hashing happens before the write
  transaction, which then locks the user row and re-reads it, so no concurrent change (a
  role, a logout-everywhere) is written over.
* A login for an unknown email still runs one hash verification, so response time does
  not reveal which emails have accounts, and both failures read the same.
* Rate limits count per IP and per email; refusals and failures are audited and committed
  even though the use case fails.
"""

from __future__ import annotations

from dataclasses import replace

from domain.accounts import validation
from domain.accounts.commands import ChangePassword, Login, Register
from domain.accounts.errors import EmailTaken, InvalidCredentials
from domain.accounts.model import (
    AuditAction,
    LearningPreferences,
    Profile,
    RequestMeta,
    Role,
    User,
    Viewer,
)
from domain.accounts.ports import PasswordHasher, RateLimiter, UnitOfWork
from domain.accounts.services.tokens import AuthResult, SessionIssuer, audit
from domain.clock import Clock
from domain.errors import FieldIssue, InvalidInput, RateLimited, Unauthenticated

__all__ = ["change_password", "login", "register"]


async def _enforce_limits(
    limiter: RateLimiter,
    uow: UnitOfWork,
    *,
    operation: str,
    email_key: str,
    meta: RequestMeta,
    clock: Clock,
) -> None:
    checks = [(f"{operation}_email", email_key)]
    if meta.ip:
        checks.insert(0, (f"{operation}_ip", meta.ip))
    for limit, key in checks:
        retry_after = await limiter.hit(limit, key)
        if retry_after is not None:
            async with uow:
                await audit(uow, AuditAction.RATE_LIMITED, at=clock.now(), meta=meta, limit=limit)
                await uow.commit()
            raise RateLimited(
                f"Too many {operation} attempts; retry in {retry_after} seconds.",
                retry_after=retry_after,
            )


async def register(
    command: Register,
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    sessions: SessionIssuer,
    limiter: RateLimiter,
    clock: Clock,
) -> AuthResult:
    """Create a learner account and sign it in.

    Raises:
        InvalidInput: with every issue of the email, password and profile fields.
        EmailTaken: when the email is in use, whatever its letter case.
        RateLimited: when this IP or email registered too often.
    """
    email, issues = validation.check_email(command.email)
    issues += validation.check_password(command.password, email=email)
    if command.display_name is not None:
        display_name, name_issues = validation.check_display_name(command.display_name)
        issues += name_issues
    else:  # derived from the email: never an issue of its own
        local_part = (email or "").split("@")[0]
        display_name = validation.check_display_name(local_part)[0][
            : validation.MAX_DISPLAY_NAME_LENGTH
        ]
    if command.locale is not None:
        issues += validation.check_locale(command.locale)
    if command.time_zone is not None:
        issues += validation.check_time_zone(command.time_zone)
    if issues or email is None:
        raise InvalidInput(issues)
    email_key = validation.normalize_email(email)
    await _enforce_limits(
        limiter, uow, operation="register", email_key=email_key, meta=command.meta, clock=clock
    )
    password_hash = await hasher.hash(command.password)
    now = clock.now()
    user = User(
        id=sessions.secrets.new_id(),
        email=email,
        password_hash=password_hash,
        role=Role.LEARNER,
        profile=Profile(
            display_name=display_name,
            locale=command.locale or "en",
            time_zone=command.time_zone or "UTC",
        ),
        preferences=LearningPreferences(),
        created_at=now,
        updated_at=now,
    )
    async with uow:
        if await uow.users.get_by_email(email_key) is not None:
            raise EmailTaken("An account with this email already exists.", field="email")
        await uow.users.add(user)
        tokens = await sessions.issue(user, family_id=None, now=now, meta=command.meta, uow=uow)
        await audit(uow, AuditAction.REGISTERED, at=now, meta=command.meta, actor_id=user.id)
        await uow.commit()
    return AuthResult(user=user, tokens=tokens)


async def login(
    command: Login,
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    sessions: SessionIssuer,
    limiter: RateLimiter,
    clock: Clock,
) -> AuthResult:
    """Exchange an email and password for a new session.

    Raises:
        InvalidInput: when the email or password is missing or malformed.
        RateLimited: when this IP or email failed too often.
        InvalidCredentials: when no account matches the pair.
    """
    issues: list[FieldIssue] = []
    if not command.email.strip():
        issues.append(FieldIssue("email", "Email is required."))
    elif len(command.email) > validation.MAX_EMAIL_LENGTH or "\x00" in command.email:
        issues.append(FieldIssue("email", "Email is not valid."))
    if not command.password:
        issues.append(FieldIssue("password", "Password is required."))
    elif len(command.password) > validation.MAX_PASSWORD_LENGTH:
        issues.append(FieldIssue("password", "Password is too long."))
    if issues:
        raise InvalidInput(issues)
    email_key = validation.normalize_email(command.email)
    await _enforce_limits(
        limiter, uow, operation="login", email_key=email_key, meta=command.meta, clock=clock
    )
    async with uow:
        user = await uow.users.get_by_email(email_key)
    matched = await hasher.verify(user.password_hash if user else None, command.password)
    rehashed = (
        await hasher.hash(command.password)
        if user is not None and matched and hasher.needs_rehash(user.password_hash)
        else None
    )
    now = clock.now()
    async with uow:
        if user is None or not matched:
            await audit(
                uow,
                AuditAction.LOGIN_FAILED,
                at=now,
                meta=command.meta,
                subject_id=user.id if user else None,
                email=email_key,
            )
            await uow.commit()
            raise InvalidCredentials("Email or password is incorrect.")
        if rehashed is not None:
            # Lock and re-read: a concurrent change (a role, say) is kept, not written over.
            user = await uow.users.get(user.id, for_update=True) or user
            user = replace(user, password_hash=rehashed, updated_at=now)
            await uow.users.update(user)
            await audit(
                uow, AuditAction.PASSWORD_REHASHED, at=now, meta=command.meta, actor_id=user.id
            )
        tokens = await sessions.issue(user, family_id=None, now=now, meta=command.meta, uow=uow)
        await audit(uow, AuditAction.LOGIN_SUCCEEDED, at=now, meta=command.meta, actor_id=user.id)
        await uow.commit()
    return AuthResult(user=user, tokens=tokens)


async def change_password(
    command: ChangePassword,
    *,
    viewer: Viewer,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    sessions: SessionIssuer,
    limiter: RateLimiter,
    clock: Clock,
) -> AuthResult:
    """Replace the password, end every other session and sign this client in again.

    Raises:
        InvalidInput: when the new password breaks the policy or equals the current one.
        InvalidCredentials: when the current password is wrong.
        RateLimited: when too many wrong current passwords were tried.
    """
    async with uow:
        user = await uow.users.get(viewer.user_id)
    if user is None:
        raise Unauthenticated("The account no longer exists.")
    issues = validation.check_password(command.new_password, email=user.email, field="newPassword")
    if command.new_password == command.current_password:
        issues.append(FieldIssue("newPassword", "New password must differ from the current one."))
    if issues:
        raise InvalidInput(issues)
    await _enforce_limits(
        limiter,
        uow,
        operation="login",
        email_key=validation.normalize_email(user.email),
        meta=command.meta,
        clock=clock,
    )
    matched = len(command.current_password) <= validation.MAX_PASSWORD_LENGTH and (
        await hasher.verify(user.password_hash, command.current_password)
    )
    new_hash = await hasher.hash(command.new_password) if matched else None
    now = clock.now()
    async with uow:
        if not matched:
            await audit(
                uow, AuditAction.PASSWORD_CHANGE_FAILED, at=now, meta=command.meta, actor_id=user.id
            )
            await uow.commit()
            raise InvalidCredentials("Current password is incorrect.", field="currentPassword")
        # Lock and re-read (hashing is done): concurrent changes are kept, not written over.
        user = await uow.users.get(user.id, for_update=True) or user
        user = replace(
            user,
            password_hash=new_hash or user.password_hash,
            session_version=user.session_version + 1,
            updated_at=now,
        )
        await uow.users.update(user)
        await uow.refresh_tokens.revoke_all_for_user(user.id, at=now)
        tokens = await sessions.issue(user, family_id=None, now=now, meta=command.meta, uow=uow)
        await audit(uow, AuditAction.PASSWORD_CHANGED, at=now, meta=command.meta, actor_id=user.id)
        await uow.commit()
    return AuthResult(user=user, tokens=tokens)
