"""Expected failures as data: the ``Error`` interface and one type per domain failure."""

from __future__ import annotations

from typing import TypeVar

import strawberry

from domain.errors import DomainError, InvalidInput


@strawberry.interface(name="Error", description="An expected failure the user can act on.")
class ErrorGQL:
    code: str = strawberry.field(description="Stable machine-readable code.")
    message: str = strawberry.field(description="Human-readable explanation.")
    field: str | None = strawberry.field(
        default=None, description="The input field at fault, when there is one."
    )


@strawberry.type(name="FieldIssue", description="One violated rule on one input field.")
class FieldIssueGQL:
    field: str
    message: str


@strawberry.type(name="ValidationError", description="The input broke one or more rules.")
class ValidationErrorGQL(ErrorGQL):
    issues: list[FieldIssueGQL] = strawberry.field(description="Every issue found, in order.")

    @classmethod
    def from_domain(cls, error: InvalidInput) -> ValidationErrorGQL:
        return cls(
            code=error.code,
            message=error.message,
            field=error.field,
            issues=[FieldIssueGQL(field=i.field, message=i.message) for i in error.issues],
        )


@strawberry.type(name="EmailTakenError", description="An account already uses this email.")
class EmailTakenErrorGQL(ErrorGQL):
    pass


@strawberry.type(name="InvalidCredentialsError", description="The email or password is incorrect.")
class InvalidCredentialsErrorGQL(ErrorGQL):
    pass


@strawberry.type(
    name="InvalidRefreshTokenError",
    description="The refresh token is unknown, expired, revoked or was already used.",
)
class InvalidRefreshTokenErrorGQL(ErrorGQL):
    pass


@strawberry.type(name="NotFoundError", description="The entity named by the input does not exist.")
class NotFoundErrorGQL(ErrorGQL):
    pass


E = TypeVar("E", bound=ErrorGQL)


def error_member(cls: type[E], error: DomainError) -> E:
    """Build the union member ``cls`` for a domain error."""
    return cls(code=error.code, message=error.message, field=error.field)
