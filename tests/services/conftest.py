"""Fixtures of the service tests: fresh fakes and a fixed clock, nothing else."""

from __future__ import annotations

import pytest

from tests.services.support import Env


@pytest.fixture
def env() -> Env:
    return Env.create()
