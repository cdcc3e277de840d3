"""Resolvers of the accounts area."""
