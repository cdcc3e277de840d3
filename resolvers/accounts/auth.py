"""Sign-up, sign-in and session mutations."""

from __future__ import annotations

from domain.accounts import services
from domain.accounts.commands import Logout, RefreshTokens
from domain.accounts.errors import EmailTaken, InvalidCredentials, InvalidRefreshToken
from domain.errors import InvalidInput, Unauthenticated
from graph.context import Info
from graph.errors import (
    EmailTakenErrorGQL,
    InvalidCredentialsErrorGQL,
    InvalidRefreshTokenErrorGQL,
    ValidationErrorGQL,
    error_member,
)
from graph.inputs.accounts import ChangePasswordInputGQL, LoginInputGQL, RegisterInputGQL
from graph.types.accounts import (
    AuthSuccessGQL,
    ChangePasswordPayload,
    LoginPayload,
    LogoutPayload,
    LogoutSuccessGQL,
    RefreshTokensPayload,
    RegisterPayload,
)


async def register(info: Info, input: RegisterInputGQL) -> RegisterPayload:  # noqa: A002
    """Create a learner account and sign it in."""
    ports = info.context.ports
    try:
        result = await services.register(
            input.to_command(info.context.meta),
            uow=ports.uow(),
            hasher=ports.hasher,
            sessions=ports.sessions,
            limiter=ports.limiter,
            clock=ports.clock,
        )
    except InvalidInput as error:
        return ValidationErrorGQL.from_domain(error)
    except EmailTaken as error:
        return error_member(EmailTakenErrorGQL, error)
    return AuthSuccessGQL.from_domain(result.user, result.tokens)


async def login(info: Info, input: LoginInputGQL) -> LoginPayload:  # noqa: A002
    """Exchange an email and password for a new session."""
    ports = info.context.ports
    try:
        result = await services.login(
            input.to_command(info.context.meta),
            uow=ports.uow(),
            hasher=ports.hasher,
            sessions=ports.sessions,
            limiter=ports.limiter,
            clock=ports.clock,
        )
    except InvalidInput as error:
        return ValidationErrorGQL.from_domain(error)
    except InvalidCredentials as error:
        return error_member(InvalidCredentialsErrorGQL, error)
    return AuthSuccessGQL.from_domain(result.user, result.tokens)


async def refresh_tokens(info: Info, refresh_token: str) -> RefreshTokensPayload:
    """Spend a refresh token for a new pair (rotation; reuse revokes the session)."""
    ports = info.context.ports
    try:
        result = await services.refresh_tokens(
            RefreshTokens(refresh_token=refresh_token, meta=info.context.meta),
            uow=ports.uow(),
            sessions=ports.sessions,
            clock=ports.clock,
        )
    except InvalidRefreshToken as error:
        return error_member(InvalidRefreshTokenErrorGQL, error)
    return AuthSuccessGQL.from_domain(result.user, result.tokens)


async def logout(info: Info, refresh_token: str) -> LogoutPayload:
    """End this session: its refresh token and its access tokens stop working.

    The refresh token is the credential here: an expired or revoked access token sent along
    does not stop a client from logging out (a valid one must belong to the same user).
    """
    ports = info.context.ports
    try:
        viewer = info.context.viewer()
    except Unauthenticated:
        viewer = None
    try:
        await services.logout(
            Logout(refresh_token=refresh_token, meta=info.context.meta),
            viewer=viewer,
            uow=ports.uow(),
            clock=ports.clock,
        )
    except InvalidRefreshToken as error:
        return error_member(InvalidRefreshTokenErrorGQL, error)
    return LogoutSuccessGQL(revoked_sessions=1)


async def logout_everywhere(info: Info) -> LogoutSuccessGQL:
    """End every session of the caller, on every device."""
    ports = info.context.ports
    revoked = await services.logout_everywhere(
        info.context.require_viewer(),
        meta=info.context.meta,
        uow=ports.uow(),
        clock=ports.clock,
    )
    return LogoutSuccessGQL(revoked_sessions=revoked)


async def change_password(
    info: Info,
    input: ChangePasswordInputGQL,  # noqa: A002
) -> ChangePasswordPayload:
    """Replace the password; every other session ends, this client gets new tokens."""
    ports = info.context.ports
    try:
        result = await services.change_password(
            input.to_command(info.context.meta),
            viewer=info.context.require_viewer(),
            uow=ports.uow(),
            hasher=ports.hasher,
            sessions=ports.sessions,
            limiter=ports.limiter,
            clock=ports.clock,
        )
    except InvalidInput as error:
        return ValidationErrorGQL.from_domain(error)
    except InvalidCredentials as error:
        return error_member(InvalidCredentialsErrorGQL, error)
    return AuthSuccessGQL.from_domain(result.user, result.tokens)
