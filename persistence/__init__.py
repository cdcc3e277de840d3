"""Adapters that implement the domain's ports: SQL (SQLModel), Redis, rate limits."""
