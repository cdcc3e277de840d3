"""One GraphQL operation over HTTP, on a short path: policy, then graphql-core.

Strawberry's ``Schema.execute`` builds an execution context, an extension runner and a
middleware manager for every operation and enters each extension hook as an async context
manager; for a small query that machinery costs about as much as executing it
(``benchmarks/README.md``). DriveMaster's only extension is its request policy, so HTTP
operations apply the policy directly, in the order Strawberry would:

1. no query: ``MissingQueryError`` (the view answers 400);
2. the document from the cache, else parsed within the token limit (a syntax error is a
   result with errors);
3. the operation: unknown name is ``CannotGetOperationTypeError``, a type the transport
   does not allow (a mutation over GET) is ``InvalidOperationTypeError`` (both 400);
4. validation (cached with the document), then the variables' list sizes;
5. graphql-core's executor with Strawberry's resolve info (``DirectExecutor``, or
   Strawberry's own class for a schema with incremental delivery), so resolvers, permission
   classes and ``Info`` behave exactly as under ``Schema.execute``;
6. errors formatted by ``ErrorPolicy`` (codes, masking, logs), the latency observed.

Everything the schema defines (types, resolvers, permissions, federation) is Strawberry's;
only the per-request driver differs. WebSocket operations still run through Strawberry,
with the same policy as an extension (``graph.extensions.RequestPolicy``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode
from graphql import ExecutionResult as CoreResult
from graphql import OperationType as CoreOperationType
from graphql.execution import Executor
from strawberry.exceptions import MissingQueryError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graph import metrics
from graph.extensions import DocumentCache, ErrorPolicy, oversized_variables, request_id_of

KINDS = {kind: OperationType(kind.value) for kind in CoreOperationType}


class DirectExecutor(Executor[None]):
    """Strawberry's execution context on graphql-core's plain ``Executor``.

    Strawberry's class extends graphql-core's ``IncrementalExecutor``, which keeps the
    bookkeeping of incremental delivery (``@defer``/``@stream``) on every operation and
    every object completed: a tenth of a small query's execution. Schemas that do not
    enable incremental execution (``StrawberryConfig.enable_experimental_incremental_execution``;
    without it both directives fail validation) never use it, and run on this class:
    the same execution, and the same ``Info`` for resolvers (Strawberry's
    ``build_resolve_info``, with the operation's extensions).
    """

    build_resolve_info = StrawberryGraphQLCoreExecutionContext.build_resolve_info

    def __init__(
        self, *args: Any, operation_extensions: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.operation_extensions = operation_extensions


@dataclass(slots=True, kw_only=True)
class OperationRequest:
    """What a client sent for one operation."""

    query: str | None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None


class OperationRunner:
    """Runs HTTP operations against one schema with the request policy; one per schema."""

    def __init__(
        self,
        *,
        schema: GraphQLSchema,
        executor_class: type[Any],
        cache: DocumentCache,
        errors: ErrorPolicy,
    ) -> None:
        self._schema = schema
        self._executor_class = executor_class
        self._cache = cache
        self._errors = errors

    async def run(
        self,
        request: OperationRequest,
        *,
        context: Any,
        root_value: Any,
        allowed: Iterable[OperationType],
    ) -> ExecutionResult:
        """The operation's result, its errors already formatted for the client.

        Raises:
            MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError: the
                request is not an operation this transport can run (HTTP 400).
        """
        started = time.perf_counter()
        kind = "unknown"
        name = request.operation_name
        try:
            document, errors = self._document(request.query)
            if document is not None:
                operation = _operation(document, request.operation_name)
                if name is None and operation.name is not None:
                    name = operation.name.value
                operation_type = KINDS[operation.operation]
                if operation_type not in allowed:  # a mutation over GET
                    raise InvalidOperationTypeError(operation_type)
                kind = operation_type.value
            result = (
                ExecutionResult(data=None, errors=errors)
                if errors
                else await self._execute(document, request, context, root_value)
            )
        finally:
            metrics.observe_operation(name, kind, time.perf_counter() - started)
        if result.errors:
            result.errors = self._errors.format_all(result.errors, request_id_of(context))
        return result

    def _document(self, query: str | None) -> tuple[DocumentNode | None, list[GraphQLError]]:
        if not query:
            raise MissingQueryError
        return self._cache.prepare(self._schema, query)

    async def _execute(
        self,
        document: DocumentNode | None,
        request: OperationRequest,
        context: Any,
        root_value: Any,
    ) -> ExecutionResult:
        assert document is not None  # noqa: S101 - no errors means a parsed document
        errors = oversized_variables(request.variables, self._cache.limits)
        if errors:
            return ExecutionResult(data=None, errors=errors)
        begin = getattr(context, "begin_operation", None)
        if begin is not None:
            await begin()
        # ``graphql.execute`` in two steps, so that the executor can be released after it.
        executor = self._executor_class.build(
            self._schema,
            document,
            root_value,
            context,
            request.variables,
            request.operation_name,
            is_awaitable=optimized_is_awaitable,
            operation_extensions=request.extensions,
        )
        if isinstance(executor, list):  # variables that do not fit the operation
            return ExecutionResult(data=None, errors=executor)
        try:
            result = executor.execute_operation()
            if optimized_is_awaitable(result):
                result = await result
        finally:
            # The executor holds its helpers, which hold its bound methods: a reference
            # cycle that would keep it, and the context, request and everything else it
            # reaches, alive until the garbage collector's next pass. Breaking it frees
            # them as the request ends; the collector then has almost nothing to do
            # (``benchmarks/README.md``).
            executor.async_helpers = None
        if not isinstance(result, CoreResult):  # incremental delivery: the schema has none
            raise TypeError(f"unexpected incremental result {type(result).__name__}")
        return ExecutionResult(data=result.data, errors=result.errors)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    """The operation to run: the one named ``name``, else the first (as Strawberry picks it)."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    raise CannotGetOperationTypeError(name)
