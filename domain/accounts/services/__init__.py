"""The accounts use cases: one async function each, dependencies keyword-only."""

from domain.accounts.services.auth import change_password, login, register
from domain.accounts.services.profiles import (
    set_user_role,
    update_learning_preferences,
    update_profile,
)
from domain.accounts.services.sessions import (
    authenticate,
    logout,
    logout_everywhere,
    refresh_tokens,
)
from domain.accounts.services.tokens import AuthResult, SessionIssuer, TokenPolicy

__all__ = [
    "AuthResult",
    "SessionIssuer",
    "TokenPolicy",
    "authenticate",
    "change_password",
    "login",
    "logout",
    "logout_everywhere",
    "refresh_tokens",
    "register",
    "set_user_role",
    "update_learning_preferences",
    "update_profile",
]
