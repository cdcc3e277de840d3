"""Permission classes on fields. Failures raise domain errors that carry the GraphQL code."""

from __future__ import annotations

from typing import Any, Protocol

from strawberry.permission import BasePermission

from domain.accounts.model import Role, User
from domain.accounts.policy import can_view_profile, is_owner_or_admin
from domain.errors import Forbidden
from graph.context import Info


class UserSource(Protocol):
    """A graph type that exposes one user's data."""

    user: User
    granted: bool  # the response is for the user themselves (e.g. right after login)


class IsAuthenticated(BasePermission):
    """The request carries a valid access token."""

    message = "Authentication required."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        info.context.require_viewer()
        return True


class IsAdmin(BasePermission):
    """The caller's current role is admin."""

    message = "Only admins may do this."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.require_viewer()
        if viewer.role is not Role.ADMIN:
            raise Forbidden(self.message)
        return True


class IsOwnerOrAdmin(BasePermission):
    """Private user data: the user themselves or an admin."""

    message = "Only the user and admins may see this field."

    def has_permission(self, source: UserSource, info: Info, **kwargs: Any) -> bool:
        if source.granted:
            return True
        if not is_owner_or_admin(info.context.viewer(), source.user):
            raise Forbidden(self.message)
        return True


class CanViewProfile(BasePermission):
    """Profile details: as the user's visibility setting allows."""

    message = "This user's profile is not visible to you."

    def has_permission(self, source: UserSource, info: Info, **kwargs: Any) -> bool:
        if source.granted:
            return True
        if not can_view_profile(info.context.viewer(), source.user):
            raise Forbidden(self.message)
        return True
