"""Reading users and changing profiles, preferences and roles."""

from __future__ import annotations

import strawberry

from domain.accounts import services
from domain.accounts.errors import UserNotFound
from domain.errors import InvalidInput
from graph.context import Info
from graph.errors import NotFoundErrorGQL, ValidationErrorGQL, error_member
from graph.inputs.accounts import (
    SetUserRoleInputGQL,
    UpdateLearningPreferencesInputGQL,
    UpdateProfileInputGQL,
)
from graph.scalars import parse_id
from graph.types.accounts import SetUserRolePayload, UpdateUserPayload, UserGQL, UserUpdatedGQL


def me(info: Info) -> UserGQL:
    """The signed-in user (as read with the session; no second read, no await). Their own
    account: private fields are theirs to see (``granted``)."""
    return UserGQL.from_domain(info.context.require_account(), granted=True)


async def user(info: Info, id: strawberry.ID) -> UserGQL | None:  # noqa: A002
    """A user by id; what is visible of them follows their privacy settings."""
    info.context.require_viewer()
    found = await info.context.loaders.user.load(parse_id(id, field="id"))
    return UserGQL.from_domain(found) if found else None


async def update_profile(
    info: Info,
    input: UpdateProfileInputGQL,  # noqa: A002
) -> UpdateUserPayload:
    """Change the caller's profile."""
    ports = info.context.ports
    viewer = info.context.require_viewer()
    try:
        updated = await services.update_profile(
            input.to_command(), viewer=viewer, uow=ports.uow(), clock=ports.clock
        )
    except InvalidInput as error:
        return ValidationErrorGQL.from_domain(error)
    return UserUpdatedGQL(user=UserGQL.from_domain(updated))


async def update_learning_preferences(
    info: Info,
    input: UpdateLearningPreferencesInputGQL,  # noqa: A002
) -> UpdateUserPayload:
    """Change the caller's learning preferences."""
    ports = info.context.ports
    viewer = info.context.require_viewer()
    try:
        updated = await services.update_learning_preferences(
            input.to_command(), viewer=viewer, uow=ports.uow(), clock=ports.clock
        )
    except InvalidInput as error:
        return ValidationErrorGQL.from_domain(error)
    return UserUpdatedGQL(user=UserGQL.from_domain(updated))


async def set_user_role(info: Info, input: SetUserRoleInputGQL) -> SetUserRolePayload:  # noqa: A002
    """Admins only: give a user another role."""
    ports = info.context.ports
    viewer = info.context.require_viewer()
    try:
        updated = await services.set_user_role(
            input.to_command(info.context.meta), viewer=viewer, uow=ports.uow(), clock=ports.clock
        )
    except InvalidInput as error:
        return ValidationErrorGQL.from_domain(error)
    except UserNotFound as error:
        return error_member(NotFoundErrorGQL, error)
    return UserUpdatedGQL(user=UserGQL.from_domain(updated))
