"""Register, log in, refresh, log out: the whole session life cycle over HTTP."""

from __future__ import annotations

from tests.conftest import PASSWORD, GraphQLClient, unique_email

ME = "{ me { id email displayName role } }"
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on AuthSuccess { accessToken refreshToken user { id email } }
    ... on Error { code message field }
  }
}
"""


async def test_register_then_me(gql: GraphQLClient) -> None:
    email = unique_email()
    auth = await gql.register(email)
    body = await gql(ME, token=auth["accessToken"])
    assert body == {
        "data": {
            "me": {
                "id": auth["user"]["id"],
                "email": email,
                "displayName": email.split("@")[0],
                "role": "LEARNER",
            }
        }
    }


async def test_login_with_other_case_email(gql: GraphQLClient) -> None:
    email = unique_email()
    await gql.register(email)
    body = await gql(LOGIN, {"input": {"email": email.upper(), "password": PASSWORD}})
    assert body["data"]["login"]["__typename"] == "AuthSuccess"
    assert body["data"]["login"]["user"]["email"] == email
