"""Prometheus metrics of the GraphQL surface."""

from __future__ import annotations

import re
from typing import Any

from prometheus_client import Counter, Histogram

OPERATION_SECONDS = Histogram(
    "drivemaster_graphql_operation_seconds",
    "GraphQL operation latency, by operation name and type.",
    ["operation", "type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
ERRORS = Counter("drivemaster_graphql_errors_total", "GraphQL errors returned, by code.", ["code"])

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_TRACKED_NAMES = 500
_seen: set[str] = set()


def operation_label(name: object) -> str:
    """Client-chosen names are labels only while well-formed and few (bounded cardinality).

    ``name`` is whatever the client sent as ``operationName`` (not always a string).
    """
    if name is None or name == "":
        return "anonymous"
    if not isinstance(name, str):
        return "other"
    if name in _seen:
        return name
    if not _NAME.match(name) or len(_seen) >= _MAX_TRACKED_NAMES:
        return "other"
    _seen.add(name)
    return name


class LabelChildren:
    """A metric's children by label values, kept once made: ``labels`` costs a few µs per
    call. At most ``limit`` are kept (callers bound their labels anyway); past it they are
    made on each call, still correct."""

    def __init__(self, metric: Any, *, limit: int = 1_000) -> None:
        self._metric = metric
        self._limit = limit
        self._children: dict[tuple[str, ...], Any] = {}

    def get(self, *labels: str) -> Any:
        child = self._children.get(labels)
        if child is None:
            child = self._metric.labels(*labels)
            if len(self._children) < self._limit:
                self._children[labels] = child
        return child


_operation_timers = LabelChildren(OPERATION_SECONDS)


def observe_operation(name: object, kind: str, seconds: float) -> None:
    """Record an operation's latency (names bounded by ``operation_label``)."""
    _operation_timers.get(operation_label(name), kind).observe(seconds)
