"""The federated schema: root types assembled from the resolvers, plus the request policy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import strawberry
from graphql import GraphQLError
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import (
    DEFAULT_ALLOWED_OPERATION_TYPES,
    StrawberryGraphQLCoreExecutionContext,
)
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from domain.errors import FieldIssue, InvalidInput
from graph.execution import DirectExecutor, OperationRequest, OperationRunner
from graph.extensions import DocumentCache, ErrorPolicy, Limits, RequestPolicy
from graph.permissions import IsAdmin, IsAuthenticated
from graph.types.accounts import UserGQL
from resolvers.accounts import auth, users

FEDERATION_VERSION: Final = "2.11"


@strawberry.type
class Query:
    me: UserGQL = strawberry.field(resolver=users.me, description="The signed-in user.")
    user: UserGQL | None = strawberry.field(
        resolver=users.user, description="A user by id; null when there is none."
    )


@strawberry.type
class Mutation:
    register = strawberry.mutation(resolver=auth.register)
    login = strawberry.mutation(resolver=auth.login)
    refresh_tokens = strawberry.mutation(resolver=auth.refresh_tokens)
    logout = strawberry.mutation(resolver=auth.logout)
    logout_everywhere = strawberry.mutation(
        resolver=auth.logout_everywhere, permission_classes=[IsAuthenticated]
    )
    change_password = strawberry.mutation(
        resolver=auth.change_password, permission_classes=[IsAuthenticated]
    )
    update_profile = strawberry.mutation(
        resolver=users.update_profile, permission_classes=[IsAuthenticated]
    )
    update_learning_preferences = strawberry.mutation(
        resolver=users.update_learning_preferences, permission_classes=[IsAuthenticated]
    )
    set_user_role = strawberry.mutation(resolver=users.set_user_role, permission_classes=[IsAdmin])


# Key fields of every entity this subgraph resolves (tests check it covers the _Entity union).
ENTITY_KEYS: Final = {"User": frozenset({"id"})}


def check_representations(representations: Sequence[Any]) -> None:
    """Refuse malformed ``_entities`` representations before any of them is resolved."""
    issues: list[FieldIssue] = []
    for index, representation in enumerate(representations):
        field = f"representations[{index}]"
        if not isinstance(representation, dict):
            issues.append(FieldIssue(field, "A representation must be an object."))
            continue
        keys = ENTITY_KEYS.get(representation.get("__typename"))  # type: ignore[arg-type]
        if keys is None:
            names = ", ".join(sorted(ENTITY_KEYS))
            issues.append(FieldIssue(field, f"'__typename' must be one of: {names}."))
        elif set(representation) - {"__typename"} != keys or not all(
            isinstance(representation[key], str) for key in keys
        ):
            expected = ", ".join(sorted(keys))
            issues.append(FieldIssue(field, f"Expected exactly the key fields: {expected}."))
    if issues:
        raise InvalidInput(issues)


class DriveMasterSchema(strawberry.federation.Schema):
    """The federated schema with DriveMaster's request policy.

    ``execute`` (HTTP operations) runs on ``graph.execution``'s short path; WebSocket
    operations go through Strawberry with the policy as an extension. Errors are logged by
    the policy (with request ids), not by Strawberry's logger; ``_entities`` checks its
    representations instead of failing inside Strawberry.
    """

    def __init__(self, *, cache: DocumentCache, errors: ErrorPolicy, **options: Any) -> None:
        super().__init__(
            extensions=[lambda: RequestPolicy(cache=cache, errors=errors)],
            **options,
        )
        # Strawberry's own class unless it would only add incremental delivery nobody uses
        # (a custom class passed in ``options`` is kept as given).
        plain = (
            self.execution_context_class is StrawberryGraphQLCoreExecutionContext
            and not self.config.enable_experimental_incremental_execution
        )
        self.runner = OperationRunner(
            schema=self._schema,
            executor_class=DirectExecutor if plain else self.execution_context_class,
            cache=cache,
            errors=errors,
        )

    async def execute(  # noqa: PLR0917 - Strawberry's signature
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        return await self.runner.run(
            OperationRequest(
                query=query,
                variables=variable_values,
                operation_name=operation_name,
                extensions=operation_extensions,
            ),
            context=context_value,
            root_value=root_value,
            allowed=DEFAULT_ALLOWED_OPERATION_TYPES
            if allowed_operation_types is None
            else allowed_operation_types,
        )

    # Strawberry builds the _entities field from this signature: keep its annotations.
    def entities_resolver(
        self, info: strawberry.Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        check_representations(representations)
        copies = [FederationAny(dict(r)) for r in representations]  # type: ignore[call-overload]
        return super().entities_resolver(info, copies)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema(
    *,
    limits: Limits,
    suggestions: bool = True,
    max_batch_operations: int = 10,
    unavailable: tuple[type[BaseException], ...] = (),
) -> DriveMasterSchema:
    """The schema with its request policy; one per process."""
    return DriveMasterSchema(
        cache=DocumentCache(limits),
        errors=ErrorPolicy(unavailable=unavailable, suggestions=suggestions),
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(
            disable_field_suggestions=not suggestions,
            batching_config={"max_operations": max_batch_operations},
        ),
        federation_version=FEDERATION_VERSION,
    )
