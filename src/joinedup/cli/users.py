"""`joinedup users …`: add, list and disable users, set passwords, issue API tokens.

Why on the CLI: the first admin has to come from somewhere, and scripts need tokens. Whoever runs
these commands holds the operational store itself, so they act as its operator; every change is
audited as `cli:<login name>`. A token is printed once, as the line `token: …` on stdout (all
else goes to stderr), and only its hash is kept. Heavy imports happen inside each command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from getpass import getpass
from pathlib import Path

import click

from joinedup.cli.errors import fail
from joinedup.cli.group import Group
from joinedup.cli.options import PATH, F


@click.group("users", cls=Group, no_args_is_help=True)
def app() -> None:
    """Manage the server's users, roles and API tokens."""


db_option = click.option(
    "--db",
    type=PATH,
    help="Analytics store the server reads; the users live beside it in <stem>.ops.sqlite.",
)
ops_option = click.option(
    "--ops",
    help="Operational store instead: a PostgreSQL URL (postgresql://…) or a SQLite file path.",
)
name_argument = click.argument("name", help="User name.")


def password_stdin_option(default: bool) -> Callable[[F], F]:
    """`--password-stdin`; on by default where a password is all the command takes."""
    return click.option(
        "--password-stdin",
        is_flag=True,
        default=default,
        help="Read a password (the first line of standard input; asked for twice when it is a "
        "terminal).",
    )


def register(parent: click.Group) -> None:
    """Add the `users` command group to the app."""
    parent.add_command(app)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass("Password: ")
        if getpass("Password again: ") != first:
            raise fail("the passwords do not match")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@app.command("add")
@name_argument
@click.option(
    "--role",
    required=True,
    help="admin, ics_analyst, programme_lead, board_viewer, practice_user or care_professional.",
)
@click.option(
    "--org", help="ODS code of the user's organisation (practice_user, care_professional)."
)
@click.option("--token", is_flag=True, help="Also issue an API token, printed once.")
@password_stdin_option(default=False)
@db_option
@ops_option
def add(
    name: str,
    role: str,
    org: str | None,
    token: bool,
    password_stdin: bool,
    db: Path | None,
    ops: str | None,
) -> None:
    """Add a user (the first admin this way), optionally with a password and an API token."""
    from joinedup.app.accounts import AddUser, add_user, cli_actor, opened_store
    from joinedup.app.errors import UserError

    password = _read_password() if password_stdin else None
    try:
        with opened_store(db, ops) as store:
            added = add_user(store, AddUser(name, role, org, password, token), cli_actor())
    except UserError as exc:
        raise fail(str(exc)) from None
    user = added.user
    where = f" for {user.org_code}" if user.org_code else ""
    click.echo(f"added {user.name} ({user.role.value}{where})", err=True)
    if added.token:
        click.echo(f"token: {added.token}")


@app.command("list")
@db_option
@ops_option
def list_command(db: Path | None, ops: str | None) -> None:
    """List every user: name, role, organisation, status and whether they have a password."""
    from joinedup.app.accounts import list_users, opened_store
    from joinedup.app.errors import UserError

    try:
        with opened_store(db, ops) as store:
            users = list_users(store)
    except UserError as exc:
        raise fail(str(exc)) from None
    click.echo(f"{'name':<24} {'role':<18} {'org':<10} {'status':<9} password")
    for user in users:
        status = "disabled" if user.disabled else "enabled"
        click.echo(
            f"{user.name:<24} {user.role.value:<18} {user.org_code or '-':<10} "
            f"{status:<9} {'yes' if user.has_password else 'no'}"
        )


@app.command("disable")
@name_argument
@db_option
@ops_option
def disable(name: str, db: Path | None, ops: str | None) -> None:
    """Disable a user at once: sign-in refused, token revoked, sessions ended."""
    from joinedup.app.accounts import cli_actor, disable_user, opened_store
    from joinedup.app.errors import UserError

    try:
        with opened_store(db, ops) as store:
            disable_user(store, name, cli_actor())
    except UserError as exc:
        raise fail(str(exc)) from None
    click.echo(f"disabled {name}", err=True)


@app.command("token")
@name_argument
@click.option("--revoke", is_flag=True, help="Revoke the token; issue none.")
@db_option
@ops_option
def token_command(name: str, revoke: bool, db: Path | None, ops: str | None) -> None:
    """Issue a new API token for a user (revoking the old one), printed once as `token: …`."""
    from joinedup.app.accounts import cli_actor, issue_token, opened_store, revoke_tokens
    from joinedup.app.errors import UserError

    try:
        with opened_store(db, ops) as store:
            if revoke:
                count = revoke_tokens(store, name, cli_actor())
                click.echo(f"revoked {count} token(s) of {name}", err=True)
                return
            token = issue_token(store, name, cli_actor())
    except UserError as exc:
        raise fail(str(exc)) from None
    click.echo(f"token: {token}")


@app.command("password")
@name_argument
@password_stdin_option(default=True)
@db_option
@ops_option
def password_command(name: str, password_stdin: bool, db: Path | None, ops: str | None) -> None:
    """Set a user's password (read from standard input)."""
    from joinedup.app.accounts import cli_actor, opened_store, set_password
    from joinedup.app.errors import UserError

    if not password_stdin:
        raise fail("give the password with --password-stdin")
    password = _read_password()
    try:
        with opened_store(db, ops) as store:
            set_password(store, name, password, cli_actor())
    except UserError as exc:
        raise fail(str(exc)) from None
    click.echo(f"password set for {name}", err=True)
