"""Use cases for accounts: add, list, disable, set a password, issue or revoke an API token.

Why here: the CLI (`joinedup users …`) and the admin pages do the same things to accounts and
must audit them the same way, so each use case writes its own audit row and no surface can forget
to. The first admin is made from the CLI, whose operator is recorded as `cli:<login name>`.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from joinedup.domain.audit import Action, Actor, AuditEvent
from joinedup.domain.errors import UserError
from joinedup.domain.roles import parse_role
from joinedup.operational import OpsStore, open_store, ops_url_for
from joinedup.operational.accounts import User

__all__ = ["AddUser", "AddedUser", "OpsStore", "User", "add_user", "cli_actor", "disable_user",
           "issue_token", "list_users", "opened_store", "ops_url", "revoke_tokens",
           "set_password"]


def ops_url(db: Path | None, ops: str | None) -> str:
    """The operational store's URL: `--ops` as given, else the file beside the `--db` store."""
    if ops:
        return ops
    if db is None:
        raise UserError("give --db (the analytics store the server reads) or --ops URL")
    return ops_url_for(db)


@contextmanager
def opened_store(db: Path | None, ops: str | None) -> Iterator[OpsStore]:
    store = open_store(ops_url(db, ops))
    try:
        yield store
    finally:
        store.close()


def cli_actor() -> Actor:
    """The operator at the command line (no account of their own; their login name is kept)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(name=f"cli:{name}"[:64])


@dataclass(frozen=True)
class AddUser:
    name: str
    role: str
    org: str | None = None
    password: str | None = None
    token: bool = False


@dataclass(frozen=True)
class AddedUser:
    user: User
    token: str | None
    """The API token, shown once to the person who asked for it; never stored."""


def _audit(store: OpsStore, actor: Actor, action: Action, name: str,
           client: str | None) -> None:
    store.audit.append(AuditEvent(actor=actor, action=action, resource=f"user/{name}",
                                  client_address=client))


def add_user(store: OpsStore, request: AddUser, actor: Actor,
             client: str | None = None) -> AddedUser:
    user = store.accounts.add(request.name, parse_role(request.role), request.org,
                              request.password)
    _audit(store, actor, Action.USER_ADD, user.name, client)
    token = issue_token(store, user.name, actor, client) if request.token else None
    return AddedUser(user=user, token=token)


def list_users(store: OpsStore) -> list[User]:
    return store.accounts.list()


def disable_user(store: OpsStore, name: str, actor: Actor, client: str | None = None) -> User:
    user = store.accounts.disable(name)
    _audit(store, actor, Action.USER_DISABLE, name, client)
    return user


def set_password(store: OpsStore, name: str, password: str, actor: Actor,
                 client: str | None = None) -> User:
    user = store.accounts.set_password(name, password)
    _audit(store, actor, Action.PASSWORD_SET, name, client)
    return user


def issue_token(store: OpsStore, name: str, actor: Actor, client: str | None = None) -> str:
    token = store.accounts.issue_token(name)
    _audit(store, actor, Action.TOKEN_ISSUE, name, client)
    return token


def revoke_tokens(store: OpsStore, name: str, actor: Actor, client: str | None = None) -> int:
    revoked = store.accounts.revoke_tokens(name)
    _audit(store, actor, Action.TOKEN_REVOKE, name, client)
    return revoked
