"""Who may see what of a user.

Until friendships exist (the social slice), ``FRIENDS`` visibility shows the details to
nobody but the owner and admins: the safe reading of a setting we cannot yet honour.
"""

from __future__ import annotations

from domain.accounts.model import User, Viewer, Visibility


def is_owner_or_admin(viewer: Viewer | None, user: User) -> bool:
    """Private data (email, role, preferences) is the owner's and the admins' only."""
    return viewer is not None and (viewer.user_id == user.id or viewer.is_admin)


def can_view_profile(viewer: Viewer | None, user: User) -> bool:
    """Profile details (bio, avatar, locale) follow the user's visibility setting."""
    if user.profile.visibility is Visibility.PUBLIC:
        return True
    return is_owner_or_admin(viewer, user)
