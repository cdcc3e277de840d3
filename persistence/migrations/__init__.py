"""Alembic migrations; run them with ``drivemaster migrate`` (or ``persistence.migrate``)."""
