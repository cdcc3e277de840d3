"""Accounts: registration, authentication sessions, profiles, preferences and roles."""
