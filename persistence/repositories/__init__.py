"""Repositories: map table rows to domain objects and back."""
