"""OperationRunner (HTTP operations' short path) and per-operation authentication."""

from __future__ import annotations

import asyncio
import gc
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import strawberry
from graphql.execution import Executor
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.graphql import OperationType

from domain.accounts.model import AccessClaims, SessionState
from domain.clock import SystemClock
from graph.context import Context, Loaders, Ports
from graph.execution import DirectExecutor, OperationRequest, OperationRunner
from graph.extensions import DocumentCache, ErrorPolicy
from graph.schema import DriveMasterSchema, build_schema
from tests.conftest import LIMITS
from tests.services.support import make_user, viewer_of

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

    leftovers = [item for item in saved_garbage if isinstance(item, Executor | CallerContext)]
    assert not leftovers, leftovers


@strawberry.type
class EchoQuery:
    @strawberry.field
    def echo(self, info: strawberry.Info, word: str) -> str:
        return json.dumps(
            {
                "word": word,
                "variables": info.variable_values,
                "extensions": info.input_extensions,
                "field": info.field_name,
                "path": info.path.as_list(),
            }
        )


def echo_runner(*, incremental: bool) -> OperationRunner:
    schema = strawberry.Schema(
        query=EchoQuery,
        config=StrawberryConfig(enable_experimental_incremental_execution=incremental),
    )
    return OperationRunner(
        schema=schema._schema,
        executor_class=schema.execution_context_class if incremental else DirectExecutor,
        cache=DocumentCache(LIMITS),
        errors=ErrorPolicy(unavailable=(), suggestions=False),
    )


@pytest.mark.parametrize("incremental", [False, True], ids=["direct", "strawberry"])
async def test_resolvers_get_the_same_info_on_the_direct_executor(incremental: bool) -> None:
    """``DirectExecutor`` is Strawberry's execution context minus incremental delivery:
    resolvers see the very same ``Info`` (plain variables, the operation's extensions)."""
    result = await echo_runner(incremental=incremental).run(
        OperationRequest(
            query="query Q($w: String!) { a: echo(word: $w) }",
            variables={"w": "hi"},
            extensions={"trace": True},
        ),
        context=None,
        root_value=None,
        allowed=ALLOWED,
    )

    assert result.errors is None
    assert result.data is not None
    assert json.loads(result.data["a"]) == {
        "word": "hi",
        "variables": {"w": "hi"},
        "extensions": {"trace": True},
        "field": "echo",
        "path": ["a"],
    }


@pytest.mark.parametrize(
    ("query", "directive"),
    [("{ ... @defer { __typename } }", "@defer"), ("{ __typename @stream }", "@stream")],
)
async def test_the_schema_refuses_incremental_delivery_so_the_direct_executor_never_meets_it(
    query: str, directive: str
) -> None:
    schema = build_schema(limits=LIMITS)
    assert not schema.config.enable_experimental_incremental_execution
    result = await schema.runner.run(
        OperationRequest(query=query), context=CallerContext(), root_value=None, allowed=ALLOWED
    )

    assert result.data is None
    assert result.errors is not None
    assert f"Unknown directive '{directive}'" in result.errors[0].message


class CountingExecutor(StrawberryGraphQLCoreExecutionContext):
    built = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        CountingExecutor.built += 1


async def test_an_execution_context_class_given_to_the_schema_is_the_one_that_runs() -> None:
    schema = DriveMasterSchema(
        cache=DocumentCache(LIMITS),
        errors=ErrorPolicy(unavailable=(), suggestions=False),
        query=EchoQuery,
        execution_context_class=CountingExecutor,
    )
    before = CountingExecutor.built
    result = await schema.runner.run(
        OperationRequest(query='{ echo(word: "x") }'),
        context=None,
        root_value=None,
        allowed=ALLOWED,
    )

    assert result.errors is None
    assert CountingExecutor.built == before + 1


class SlowSessions:
    """A session read that takes a while (a cache miss), for one account."""

    def __init__(self, account: Any) -> None:
        self.account = account

    async def session(self, user_id: Any, family_id: Any) -> SessionState:
        await asyncio.sleep(0.05)
        return SessionState(user=self.account, revoked=False)


class AnyTokenCodec:
    """Accepts any token as the account's current session."""

    def __init__(self, account: Any) -> None:
        self.account = account

    def issue(self, claims: AccessClaims) -> str:
        return "token"

    def decode(self, token: str, *, now: datetime) -> AccessClaims:
        return AccessClaims(
            user_id=self.account.id,
            role=self.account.role,
            session_version=self.account.session_version,
            token_id="jti",
            family_id=uuid.uuid4(),
            issued_at=now,
            expires_at=now + timedelta(minutes=5),
        )


async def test_an_operation_starting_on_a_websocket_does_not_unset_the_caller_of_another() -> None:
    """Operations on one socket share its context; each authenticates again as it starts.
    One still running must keep seeing the caller while the next one's read is in flight."""
    account = make_user()

    async def load(ids: Any) -> list[Any]:
        await asyncio.sleep(0.01)
        return [account for _ in ids]

    ports = Ports(
        uow=None,  # type: ignore[arg-type]
        clock=SystemClock(),
        hasher=None,  # type: ignore[arg-type]
        codec=AnyTokenCodec(account),
        sessions=None,  # type: ignore[arg-type]
        limiter=None,  # type: ignore[arg-type]
        session_reader=SlowSessions(account),
    )
    socket = WebSocket({"type": "websocket", "headers": [], "path": "/graphql"}, None, None)  # type: ignore[arg-type]
    context = Context(
        request=socket,
        response=socket,
        request_id="req-1",
        ports=ports,
        make_loaders=lambda: Loaders(user=DataLoader(load_fn=load)),
        bearer="token",
    )
    await context.authenticate()
    schema = build_schema(limits=LIMITS)

    async def run(query: str) -> list[Any]:
        results = await schema.stream(query, context_value=context)
        return [(result.data, result.errors) async for result in results]  # type: ignore[union-attr]

    first = asyncio.create_task(run('query { user(id: "' + str(account.id) + '") { email } }'))
    await asyncio.sleep(0.055)  # the first has authenticated and waits on its loader
    second = asyncio.create_task(run("{ __typename }"))

    assert await first == [({"user": {"email": account.email}}, None)]
    assert await second == [({"__typename": "Query"}, None)]
