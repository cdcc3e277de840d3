"""``set_user_role``: admins only, never their own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.accounts.commands import SetUserRole
from domain.accounts.errors import UserNotFound
from domain.accounts.model import AuditAction, RequestMeta, Role, User, Viewer
from domain.accounts.services import set_user_role
from domain.errors import FieldIssue, Forbidden, InvalidInput
from tests.services.support import (
    ADMIN_ID,
    ALICE_ID,
    BOB_ID,
    META,
    NOW,
    Env,
    audited,
    make_user,
    viewer_of,
)

ALICE = make_user()
ADMIN = make_user(user_id=ADMIN_ID, email="root@example.com", role=Role.ADMIN)


async def run(env: Env, command: SetUserRole, viewer: Viewer) -> User:
    return await set_user_role(command, viewer=viewer, uow=env.uow, clock=env.clock)


@pytest.mark.parametrize(("role", "previous"), [(Role.AUTHOR, "learner"), (Role.ADMIN, "learner")])
async def test_an_admin_changes_a_users_role_and_it_is_audited(
    env: Env, role: Role, previous: str
) -> None:
    env.uow.seed(ALICE, ADMIN)

    user = await run(env, SetUserRole(user_id=ALICE_ID, role=role, meta=META), viewer_of(ADMIN))

    assert user == replace(ALICE, role=role, updated_at=NOW)
    assert env.uow.committed.users == {ALICE_ID: user, ADMIN_ID: ADMIN}
    assert env.uow.committed.audit == [
        audited(
            AuditAction.ROLE_CHANGED,
            actor_id=ADMIN_ID,
            subject_id=ALICE_ID,
            previous=previous,
            role=role.value,
        )
    ]
    assert env.uow.commits == 1


async def test_setting_the_role_a_user_has_changes_nothing(env: Env) -> None:
    env.uow.seed(ALICE, ADMIN)

    user = await run(env, SetUserRole(user_id=ALICE_ID, role=Role.LEARNER), viewer_of(ADMIN))

    assert user == ALICE
    assert (env.uow.committed.audit, env.uow.commits) == ([], 0)


@pytest.mark.parametrize("role", [Role.LEARNER, Role.AUTHOR])
async def test_only_admins_may_change_roles(env: Env, role: Role) -> None:
    author = make_user(user_id=BOB_ID, email="bob@example.com", role=role)
    env.uow.seed(ALICE, author)

    with pytest.raises(Forbidden) as caught:
        await run(env, SetUserRole(user_id=ALICE_ID, role=Role.ADMIN), viewer_of(author))

    assert (caught.value.code, caught.value.message, caught.value.field) == (
        "FORBIDDEN",
        "Only admins may change roles.",
        None,
    )
    assert (env.uow.committed.users[ALICE_ID], env.uow.commits) == (ALICE, 0)


async def test_an_admin_cannot_change_their_own_role(env: Env) -> None:
    env.uow.seed(ADMIN)

    with pytest.raises(InvalidInput) as caught:
        await run(env, SetUserRole(user_id=ADMIN_ID, role=Role.LEARNER), viewer_of(ADMIN))

    assert caught.value.issues == (FieldIssue("userId", "Admins cannot change their own role."),)
    assert (env.uow.committed.users, env.uow.commits) == ({ADMIN_ID: ADMIN}, 0)


async def test_changing_the_role_of_an_unknown_user_is_not_found(env: Env) -> None:
    env.uow.seed(ADMIN)

    with pytest.raises(UserNotFound) as caught:
        await run(
            env, SetUserRole(user_id=BOB_ID, role=Role.AUTHOR, meta=RequestMeta()), viewer_of(ADMIN)
        )

    assert (caught.value.code, caught.value.message, caught.value.field) == (
        "NOT_FOUND",
        "No user has this id.",
        "userId",
    )
    assert (env.uow.committed.audit, env.uow.commits) == ([], 0)
