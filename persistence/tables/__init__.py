"""SQLModel tables. They never leave ``persistence``: repositories map them to domain objects."""

from persistence.tables.accounts import AuditLogRow, ProfileRow, RefreshTokenRow, RoleRow, UserRow

__all__ = ["AuditLogRow", "ProfileRow", "RefreshTokenRow", "RoleRow", "UserRow"]
