"""Access tokens that must be refused: expired, tampered, unsigned, other algorithms."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import jwt

from domain.clock import FixedClock
from tests.conftest import TEST_SECRET, GraphQLClient

ME = "{ me { id } }"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return payload


async def unauthenticated(gql: GraphQLClient, token: str) -> str:
    body = await gql(ME, token=token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "retryable": False}
    return str(body["errors"][0]["message"])


async def test_expired_token(gql: GraphQLClient, clock: FixedClock) -> None:
    auth = await gql.register()
    clock.advance(minutes=15, seconds=11)
    assert await unauthenticated(gql, auth["accessToken"]) == (
        "Access token has expired; refresh it."
    )


async def test_token_still_valid_just_before_expiry(gql: GraphQLClient, clock: FixedClock) -> None:
    auth = await gql.register()
    clock.advance(minutes=14, seconds=59)
    assert (await gql(ME, token=auth["accessToken"]))["data"]["me"]["id"] == auth["user"]["id"]


async def test_tampered_payload(gql: GraphQLClient) -> None:
    auth = await gql.register()
    header, _, signature = auth["accessToken"].split(".")
    claims = claims_of(auth["accessToken"]) | {"role": "admin"}
    forged = f"{header}.{_b64(claims)}.{signature}"
    assert await unauthenticated(gql, forged) == (
        "Access token is invalid: Signature verification failed."
    )


async def test_alg_none_token(gql: GraphQLClient) -> None:
    auth = await gql.register()
    claims = claims_of(auth["accessToken"])
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    message = await unauthenticated(gql, unsigned)
    assert message == "Access token is invalid: The specified alg value is not allowed."


async def test_other_algorithm_with_the_same_key(gql: GraphQLClient) -> None:
    auth = await gql.register()
    claims = claims_of(auth["accessToken"])
    other = jwt.encode(claims, TEST_SECRET, algorithm="HS384")
    assert await unauthenticated(gql, other) == (
        "Access token is invalid: The specified alg value is not allowed."
    )


async def test_token_signed_with_another_key(gql: GraphQLClient) -> None:
    auth = await gql.register()
    claims = claims_of(auth["accessToken"])
    forged = jwt.encode(claims, "x" * 48, algorithm="HS256")
    assert await unauthenticated(gql, forged) == (
        "Access token is invalid: Signature verification failed."
    )


async def test_wrong_audience_and_missing_claims(gql: GraphQLClient) -> None:
    auth = await gql.register()
    claims = claims_of(auth["accessToken"])
    wrong_audience = jwt.encode(claims | {"aud": "another-api"}, TEST_SECRET, algorithm="HS256")
    assert await unauthenticated(gql, wrong_audience) == (
        "Access token is invalid: Audience doesn't match."
    )
    no_jti = {k: v for k, v in claims.items() if k != "jti"}
    message = await unauthenticated(gql, jwt.encode(no_jti, TEST_SECRET, algorithm="HS256"))
    assert message == 'Access token is invalid: Token is missing the "jti" claim.'


async def test_token_issued_in_the_future(gql: GraphQLClient, clock: FixedClock) -> None:
    auth = await gql.register()
    claims = claims_of(auth["accessToken"])
    future = int((clock.now() + timedelta(hours=1)).timestamp())
    token = jwt.encode(claims | {"iat": future}, TEST_SECRET, algorithm="HS256")
    assert await unauthenticated(gql, token) == "Access token is invalid: issued in the future."


async def test_garbage_and_empty_bearer(gql: GraphQLClient) -> None:
    message = await unauthenticated(gql, "garbage")
    assert message.startswith("Access token is invalid:")
    anonymous = await gql(ME, headers={"authorization": "Bearer "})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_logout_works_with_an_expired_access_token(
    gql: GraphQLClient, clock: FixedClock
) -> None:
    """The refresh token is logout's credential; a stale access token does not block it."""
    auth = await gql.register()
    clock.advance(hours=1)
    body = await gql(
        "mutation($t: String!) { logout(refreshToken: $t) { __typename } }",
        {"t": auth["refreshToken"]},
        token=auth["accessToken"],
    )
    assert body == {"data": {"logout": {"__typename": "LogoutSuccess"}}}
