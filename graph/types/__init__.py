"""Strawberry types: ``...GQL`` classes with explicit GraphQL names and ``from_domain``."""
