"""The request policy: limits, document cache, error codes and masking, metrics.

HTTP operations apply it in ``graph.execution``; operations that Strawberry runs itself
(WebSockets) apply it through ``RequestPolicy``, a single extension with three hooks
(operation, parse, validate) and no per-field hook. ``benchmarks/README.md`` has the figures.

* Parsing and validation results are cached per query text (bounded LRU): a repeated
  operation skips both, and validation is about half the cost of a small query.
* Limits: tokens (parser), depth, aliases, list sizes (literals, ``first``/``last`` and
  variables), and optionally no introspection, all as validation rules.
* Errors: every error gets ``extensions.code`` and ``extensions.retryable``; domain errors
  keep their message; anything unexpected is logged with the request id and masked.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    NoSchemaIntrospectionCustomRule,
    parse,
    specified_rules,
    validate,
)
from graphql.language import ArgumentNode
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from domain.errors import DomainError, RateLimited
from graph import metrics

log = logging.getLogger("drivemaster.graphql")

RETRYABLE = frozenset({"RATE_LIMITED", "UNAVAILABLE"})
# Strawberry's refusals of a request's shape (e.g. a query sent where only subscriptions run).
REQUEST_ERRORS = (InvalidOperationTypeError, CannotGetOperationTypeError, MissingQueryError)
PAGE_ARGUMENTS = frozenset({"first", "last"})
STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)
SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


@dataclass(frozen=True, kw_only=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_list_size: int
    introspection: bool
    cache_size: int


def list_size_rule(max_size: int) -> type[ASTValidationRule]:
    """A rule refusing list literals and page sizes larger than ``max_size``."""

    class MaxListSize(ASTValidationRule):
        def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
            if len(node.values) > max_size:
                self.report_error(GraphQLError(f"Lists may hold at most {max_size} items.", node))

        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            value = node.value
            is_page_size = node.name.value in PAGE_ARGUMENTS and isinstance(value, IntValueNode)
            if is_page_size and int(value.value) > max_size:  # type: ignore[attr-defined]
                self.report_error(
                    GraphQLError(f"'{node.name.value}' may be at most {max_size}.", node)
                )

    return MaxListSize


def json_containers(value: Any) -> Iterator[list[Any] | dict[str, Any]]:
    """Every list and object inside a parsed JSON value, iteratively (no recursion limit for
    deeply nested client input)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            yield item
            pending.extend(item)
        elif isinstance(item, dict):
            yield item
            pending.extend(item.values())


def oversized_list(value: Any, max_size: int) -> bool:
    """Whether a variable value holds a list longer than ``max_size`` anywhere."""
    return any(isinstance(item, list) and len(item) > max_size for item in json_containers(value))


class DocumentCache:
    """Parsed and validated documents by query text; a bounded LRU shared by requests."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._entries: OrderedDict[str, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()
        self.rules: tuple[type[ASTValidationRule], ...] = (
            max_depth_rule(limits.max_depth, None, None),
            max_aliases_rule(limits.max_aliases),
            list_size_rule(limits.max_list_size),
        ) + (() if limits.introspection else (NoSchemaIntrospectionCustomRule,))

    def get(self, query: str) -> tuple[DocumentNode, list[GraphQLError]] | None:
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
        return entry

    def prepare(
        self, schema: GraphQLSchema, query: str
    ) -> tuple[DocumentNode | None, list[GraphQLError]]:
        """The document and its validation errors: from the cache, else parsed within the
        token limit and validated (a syntax error is returned, not cached)."""
        cached = self.get(query)
        if cached is not None:
            return cached[0], list(cached[1])
        try:
            document = parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLError as error:
            return None, [error]
        return document, self.validate(schema, query, document)

    def validate(
        self, schema: GraphQLSchema, query: str, document: DocumentNode
    ) -> list[GraphQLError]:
        """Validate ``document`` (the spec's rules, Strawberry's, the limits) and cache both."""
        errors = validate(schema, document, [*specified_rules, *STRAWBERRY_RULES, *self.rules])
        if self.limits.cache_size:
            self._entries[query] = (document, errors)
            if len(self._entries) > self.limits.cache_size:
                self._entries.popitem(last=False)
        return errors


def classify(error: GraphQLError, unavailable: tuple[type[BaseException], ...]) -> tuple[str, bool]:
    """The error's code and whether its message must be masked."""
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code, False
    # Before execution (no path): syntax, validation and variable coercion errors point at
    # the document (nodes or positions) and are safe to show. An exception with neither
    # escaped our own code, and so did a null in a non-null field (a path, no cause).
    if error.path is None and (
        original is None or isinstance(original, REQUEST_ERRORS) or error.nodes or error.positions
    ):
        return "VALIDATION_ERROR", False
    if isinstance(original, unavailable):
        return "UNAVAILABLE", True
    return "INTERNAL", True


@dataclass(frozen=True, kw_only=True)
class ErrorPolicy:
    """What a client sees of an error: a code, whether to retry, and only safe messages.

    Domain errors keep their message; errors of the request's shape (syntax, validation,
    variables) keep theirs, without field suggestions unless enabled; anything else is
    logged with the request id and masked.
    """

    unavailable: tuple[type[BaseException], ...]
    suggestions: bool

    def format_all(self, errors: Sequence[GraphQLError], request_id: str) -> list[GraphQLError]:
        return [self.format(error, request_id) for error in errors]

    def format(self, error: GraphQLError, request_id: str) -> GraphQLError:
        code, masked = classify(error, self.unavailable)
        extensions: dict[str, Any] = {
            **(error.extensions or {}),
            "code": code,
            "retryable": code in RETRYABLE,
        }
        original = error.original_error
        if isinstance(original, RateLimited):
            extensions["retryAfter"] = original.retry_after
        if isinstance(original, DomainError) and original.field:
            extensions["field"] = original.field
        message = error.message
        if code == "VALIDATION_ERROR" and not self.suggestions:
            message = SUGGESTION.sub("", message)
        if masked:
            extensions["requestId"] = request_id
            message = (
                "A service this request needs is unavailable; retry shortly."
                if code == "UNAVAILABLE"
                else f"Internal error; quote request id {request_id} when reporting it."
            )
            log.error(
                "unhandled error at %s: %s",
                ".".join(map(str, error.path or [])),
                error.message,
                exc_info=original,
                extra={"request_id": request_id, "code": code},
            )
        metrics.ERRORS.labels(code).inc()
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None if masked else original,
            extensions=extensions,
        )


def request_id_of(context: Any) -> str:
    return str(getattr(context, "request_id", "-"))


def oversized_variables(variables: dict[str, Any] | None, limits: Limits) -> list[GraphQLError]:
    """The error for variables holding a list over the limit, if they do."""
    if variables and oversized_list(variables, limits.max_list_size):
        return [GraphQLError(f"Variables may hold lists of at most {limits.max_list_size} items.")]
    return []


class RequestPolicy(SchemaExtension):
    """The policy as a Strawberry extension, for the operations Strawberry runs itself
    (WebSocket subscriptions and operations); HTTP operations take ``graph.execution``."""

    def __init__(self, *, cache: DocumentCache, errors: ErrorPolicy) -> None:
        self._cache = cache
        self._errors = errors
        self._cached: tuple[DocumentNode, list[GraphQLError]] | None = None
        self._streamed = False

    async def on_operation(self) -> AsyncIterator[None]:
        started = time.perf_counter()
        begin = getattr(self.execution_context.context, "begin_operation", None)
        if begin is not None:
            await begin()
        yield
        context = self.execution_context
        if not self._streamed:
            self._format_result(context.result)
        try:
            kind = context.operation_type.value
        except RuntimeError:
            kind = "unknown"
        metrics.observe_operation(context.operation_name, kind, time.perf_counter() - started)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """WebSocket results are sent before ``on_operation`` ends: format them here."""
        self._streamed = True
        self._format_result(result)
        yield

    def _format_result(self, result: Any) -> None:
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            request_id = request_id_of(self.execution_context.context)
            result.errors = self._errors.format_all(errors, request_id)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None and context.graphql_document is None:
            self._cached = self._cache.get(query)
            if self._cached is not None:
                context.graphql_document = self._cached[0]
            else:
                context.parse_options["max_tokens"] = self._cache.limits.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self._cached is not None:
            errors = list(self._cached[1])
        else:
            if context.graphql_document is None:
                return
            errors = self._cache.validate(
                context.schema._schema, context.query or "", context.graphql_document
            )
        context.pre_execution_errors = errors or oversized_variables(
            context.variables, self._cache.limits
        )
        yield
