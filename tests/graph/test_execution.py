"""OperationRunner (HTTP operations' short path): what it leaves behind for the collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from strawberry.types.graphql import OperationType

from graph.execution import OperationRequest
from graph.extensions import Limits
from graph.schema import build_schema
from tests.services.support import make_user, viewer_of

LIMITS = Limits(
    max_depth=10,
    max_aliases=15,
    max_tokens=2000,
    max_list_size=100,
    introspection=False,
    cache_size=10,
)
ALLOWED = frozenset({OperationType.QUERY, OperationType.MUTATION})


class CallerContext:
    """Just what ``me`` and its permission classes ask of the context."""

    request_id = "req-1"

    def __init__(self) -> None:
        self.account = make_user()

    async def begin_operation(self) -> None:
        return None

    def viewer(self) -> Any:
        return viewer_of(self.account)

    def require_viewer(self) -> Any:
        return viewer_of(self.account)

    def require_account(self) -> Any:
        return self.account


@pytest.fixture
def saved_garbage() -> Iterator[list[Any]]:
    """Whatever only the cycle collector could free, kept for inspection (not freed)."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.parametrize(
    "query", ["{ __typename }", "{ me { id email displayName } }", "{ me { nope } }"]
)
async def test_an_operation_leaves_no_reference_cycles(
    saved_garbage: list[Any], query: str
) -> None:
    """graphql-core's executor references itself (its helpers hold its bound methods); the
    runner breaks that cycle, so a request's objects are freed when it ends and the
    collector's passes stay rare and short."""
    schema = build_schema(limits=LIMITS)
    result = await schema.runner.run(
        OperationRequest(query=query), context=CallerContext(), root_value=None, allowed=ALLOWED
    )
    assert result.data is not None or result.errors
    del result
    gc.collect()

    leftovers = {type(item).__name__ for item in saved_garbage}
    assert not leftovers & {schema.execution_context_class.__name__, "CallerContext"}, leftovers
