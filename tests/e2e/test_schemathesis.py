"""Property-based fuzzing of every Query and Mutation field with Schemathesis (SQLite).

Schemathesis loads the schema by introspection from the ASGI app (``from_asgi``) and calls
the app in-process. Each operation's cases come from ``APIOperation.as_strategy`` (positive
and negative generation) under a plain Hypothesis ``@given``, one pytest item per field:
``schemathesis.pytest.from_fixture(...).parametrize()`` cannot be used, because Schemathesis
4.32 reads ``request.node._nodeid``, which pytest 9.2 no longer has (AttributeError).

Schemathesis runs the app's lifespan itself: ``schemathesis.python.asgi`` starts it (in its
own event-loop thread) on the first request, and its pytest plugin shuts it down when each
test ends, so the engine is opened and disposed on that loop.

Half of the cases (a Hypothesis-drawn flag) carry the bearer token of a freshly registered
learner, one learner per operation so that ``logoutEverywhere`` or ``changePassword`` cannot
spoil the token of another operation's cases. The property checked on every response: no
server error, i.e. no HTTP 5xx, no ``extensions.code == "INTERNAL"``, every error classified
with a code, and no non-null violation of the published schema.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes
from starlette.applications import Starlette

from drivemaster.app import create_app, schema_for
from persistence.migrate import upgrade
from tests.conftest import PASSWORD, make_settings, unique_email

# Per operation; FUZZ_MAX_EXAMPLES raises it for a longer, local hunt.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))
# Every code RequestPolicy.classify or a DomainError can produce.
KNOWN_CODES = frozenset(
    {
        "VALIDATION_ERROR",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "RATE_LIMITED",
        "UNAVAILABLE",
        "INTERNAL",
        "EMAIL_TAKEN",
        "INVALID_CREDENTIALS",
        "INVALID_REFRESH_TOKEN",
    }
)
NON_NULL_VIOLATION = "Cannot return null for non-nullable field"
# Ids of users that exist, so that `_entities` also resolves real references.
KNOWN_USER_IDS: list[str] = []


def _field(name: str, value: graphql.ValueNode) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


def _known_or_random_id(index: int) -> str:
    if KNOWN_USER_IDS and index % 2 == 0:
        return KNOWN_USER_IDS[index % len(KNOWN_USER_IDS)]
    return str(uuid.UUID(int=index * 7919 % 2**128, version=4))


_ID_VALUES = st.one_of(
    st.integers(min_value=0, max_value=10_000).map(_known_or_random_id).map(nodes.String),
    st.text(max_size=40).map(nodes.String),
    st.integers().map(nodes.Int),
    st.just(nodes.Null),
)
# Federation entity representations: well-formed `User` references whose id varies (known,
# unknown, malformed, wrong type, null). Malformed representations (not an object, unknown
# __typename, no id) make the server fail; test_federation.py reproduces those bugs.
_ANY = st.builds(
    lambda ident: nodes.Object([_field("__typename", nodes.String("User")), _field("id", ident)]),
    _ID_VALUES,
)
schemathesis.graphql.scalar("_Any", _ANY)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Starlette:
    """The app on its own migrated SQLite file (lifespan is run by Schemathesis)."""
    database: Path = tmp_path_factory.mktemp("fuzz") / "drivemaster.db"
    url = f"sqlite+aiosqlite:///{database}"
    upgrade(url)
    return create_app(make_settings(url))


@pytest.fixture(scope="module")
def graphql_schema(fuzz_app: Starlette) -> Any:
    return schemathesis.graphql.from_asgi("/graphql", fuzz_app)


class Tokens:
    """One freshly registered learner per operation, registered through the app itself."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def for_case(self, case: Any) -> str:
        label: str = case.operation.label
        if label not in self._tokens:
            self._tokens[label] = self._register(case.operation.schema)
        return self._tokens[label]

    @staticmethod
    def _register(schema: Any) -> str:
        email = unique_email("fuzz")
        body = (
            "mutation { register(input: {"
            f"email: {json.dumps(email)}, password: {json.dumps(PASSWORD)}"
            "}) { __typename ... on AuthSuccess { accessToken user { id } } } }"
        )
        response = schema["Mutation"]["register"].Case(body=body).call()
        assert response.status_code == 200, response.text
        payload = response.json()["data"]["register"]
        assert payload["__typename"] == "AuthSuccess", payload
        KNOWN_USER_IDS.append(payload["user"]["id"])
        token: str = payload["accessToken"]
        return token


@pytest.fixture
def tokens() -> Iterator[Tokens]:
    yield Tokens()
    KNOWN_USER_IDS.clear()


def assert_no_server_error(case: Any, response: Any) -> None:
    request = f"{case.operation.label}: {case.body}"
    assert response.status_code < 500, f"{request}\n-> HTTP {response.status_code}: {response.text}"
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        return
    body = response.json()
    assert isinstance(body, dict), f"{request}\n-> {body!r}"
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code != "INTERNAL", f"{request}\n-> server error: {error}"
        assert code in KNOWN_CODES, f"{request}\n-> unclassified error: {error}"
        assert NON_NULL_VIOLATION not in error["message"], f"{request}\n-> {error}"


def operation_labels() -> list[str]:
    """Every Query and Mutation field of the schema the app serves (built without I/O)."""
    served = schema_for(make_settings("sqlite+aiosqlite:///:memory:"))._schema
    roots = [served.query_type, served.mutation_type]
    return [f"{root.name}.{name}" for root in roots if root is not None for name in root.fields]


OPERATION_LABELS = operation_labels()


def test_every_operation_is_fuzzed(graphql_schema: Any) -> None:
    """The introspected schema offers exactly the fields parametrized below."""
    introspected = graphql_schema.client_schema
    labels = [
        f"{root.name}.{name}"
        for root in (introspected.query_type, introspected.mutation_type)
        for name in root.fields
    ]
    assert sorted(labels) == sorted(OPERATION_LABELS)


@pytest.mark.parametrize("label", OPERATION_LABELS)
def test_no_operation_causes_a_server_error(
    graphql_schema: Any, tokens: Tokens, label: str
) -> None:
    operation = graphql_schema.find_operation_by_label(label)
    assert operation is not None, label
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=cases, authenticated=st.booleans())
    def check(case: Any, authenticated: bool) -> None:
        headers = {"authorization": f"Bearer {tokens.for_case(case)}"} if authenticated else {}
        response = case.call(headers=headers)
        assert_no_server_error(case, response)

    check()
