"""The accounts use cases: one async function each, dependencies keyword-only."""

from domain.accounts.services.auth import (
    AuthResult,
    SessionIssuer,
    TokenPolicy,
    authenticate,
    change_password,
    login,
    logout,
    logout_everywhere,
    refresh_tokens,
    register,
)
from domain.accounts.services.profiles import (
    get_user,
    set_user_role,
    update_learning_preferences,
    update_profile,
)

__all__ = [
    "AuthResult",
    "SessionIssuer",
    "TokenPolicy",
    "authenticate",
    "change_password",
    "get_user",
    "login",
    "logout",
    "logout_everywhere",
    "refresh_tokens",
    "register",
    "set_user_role",
    "update_learning_preferences",
    "update_profile",
]
