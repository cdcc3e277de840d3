"""The federated schema: root types assembled from the resolvers, plus the request policy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from domain.errors import FieldIssue, InvalidInput
from graph.extensions import DocumentCache, Limits, RequestPolicy
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
    """Errors are logged by ``RequestPolicy`` (with request ids), not by Strawberry's logger;
    ``_entities`` checks its representations instead of failing inside Strawberry."""

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
    cache = DocumentCache(limits)

    def request_id(context: Any) -> str:
        return str(getattr(context, "request_id", "-"))

    def policy() -> SchemaExtension:
        return RequestPolicy(
            cache=cache,
            unavailable=unavailable,
            request_id=request_id,
            suggestions=suggestions,
        )

    extensions: list[Callable[[], SchemaExtension]] = [policy]
    return DriveMasterSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not suggestions,
            batching_config={"max_operations": max_batch_operations},
        ),
        federation_version=FEDERATION_VERSION,
    )
