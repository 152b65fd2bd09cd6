"""Users, passwords and API tokens in the operational store (each test on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from argon2 import Type
from sqlalchemy import select

from joinedup.domain.login_policy import PasswordError
from joinedup.domain.roles import Role, RoleError
from joinedup.operational import OpsStore, credentials
from joinedup.operational.accounts import AccountError
from joinedup.operational.schema import api_tokens, users

PASSWORD = "correct horse battery staple"


def test_add_and_find_users(ops_store: OpsStore) -> None:
    ops_store.accounts.add("zoe", Role.PRACTICE_USER, "a81001")
    ops_store.accounts.add("adam", Role.ADMIN, password=PASSWORD)
    listed = ops_store.accounts.list()
    assert [(u.name, u.role, u.org_code, u.has_password) for u in listed] == [
        ("adam", Role.ADMIN, None, True),
        ("zoe", Role.PRACTICE_USER, "A81001", False),
    ]
    principal = ops_store.accounts.require("zoe").principal()
    assert (principal.role, principal.org_code) == (Role.PRACTICE_USER, "A81001")
    assert ops_store.accounts.count_admins() == 1


def test_refuses_duplicates_bad_pairings_and_weak_passwords(ops_store: OpsStore) -> None:
    ops_store.accounts.add("amy", Role.ICS_ANALYST)
    with pytest.raises(AccountError, match="already exists"):
        ops_store.accounts.add("amy", Role.BOARD_VIEWER)
    with pytest.raises(RoleError, match="needs --org"):
        ops_store.accounts.add("pat", Role.PRACTICE_USER)
    with pytest.raises(PasswordError):
        ops_store.accounts.add("bob", Role.ADMIN, password="short")
    assert [u.name for u in ops_store.accounts.list()] == ["amy"]
    with pytest.raises(AccountError, match="no user"):
        ops_store.accounts.disable("nobody")


def test_passwords_are_stored_as_argon2id_and_checked(ops_store: OpsStore) -> None:
    ops_store.accounts.add("adam", Role.ADMIN, password=PASSWORD)
    with ops_store.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert ops_store.accounts.check_password("adam", PASSWORD) is not None
    assert ops_store.accounts.check_password("adam", PASSWORD + "!") is None
    assert ops_store.accounts.check_password("nobody", PASSWORD) is None


def test_tokens_are_stored_only_as_a_hash_and_a_new_one_revokes_the_old(
    ops_store: OpsStore,
) -> None:
    ops_store.accounts.add("script", Role.ICS_ANALYST)
    first = ops_store.accounts.issue_token("script")
    user = ops_store.accounts.user_for_token(first)
    assert user is not None and user.name == "script"
    with ops_store.engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(select(api_tokens))]
    assert first not in stored and len(stored[0]) == 64
    second = ops_store.accounts.issue_token("script")
    assert second != first
    assert ops_store.accounts.user_for_token(first) is None
    assert ops_store.accounts.user_for_token(second) is not None
    assert ops_store.accounts.revoke_tokens("script") == 1
    assert ops_store.accounts.user_for_token(second) is None
    assert ops_store.accounts.user_for_token("jdu_not-a-token") is None
    assert ops_store.accounts.user_for_token("Bearer nonsense") is None


def test_disabled_user_is_refused_by_password_token_and_session(ops_store: OpsStore) -> None:
    user = ops_store.accounts.add("leaver", Role.ICS_ANALYST, password=PASSWORD)
    token = ops_store.accounts.issue_token("leaver")
    session = ops_store.sessions.start(user)
    assert ops_store.sessions.resolve(session) is not None
    disabled = ops_store.accounts.disable("leaver")
    assert disabled.disabled
    assert ops_store.accounts.check_password("leaver", PASSWORD) is None
    assert ops_store.accounts.user_for_token(token) is None
    assert ops_store.sessions.resolve(session) is None
    with pytest.raises(AccountError, match="disabled"):
        ops_store.accounts.issue_token("leaver")


def test_production_hashing_uses_rfc_9106_low_memory_argon2id() -> None:
    # RFC 9106 section 4, second recommended option: Argon2id, t=3, p=4, m=2^16 KiB (64 MiB).
    hasher = credentials.PRODUCTION_HASHER
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)
    assert hasher.type is Type.ID
