"""Strawberry input types; each converts itself to a domain command."""
