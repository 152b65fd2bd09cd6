"""`joinedup audit export`: the whole audit log as CSV, for an admin or an auditor.

Why: the log must leave the server for review and retention in a plain format. The export is
itself audited. It contains patient identifiers: store the file as you store patient data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from joinedup.cli.errors import fail
from joinedup.cli.group import Group
from joinedup.cli.options import PATH
from joinedup.cli.users import db_option, ops_option


@click.group("audit", cls=Group, no_args_is_help=True)
def app() -> None:
    """Read the server's audit log."""


def register(parent: click.Group) -> None:
    """Add the `audit` command group to the app."""
    parent.add_command(app)


@app.command("export")
@db_option
@ops_option
@click.option("--out", type=PATH, help="CSV file to write (default: stdout).")
def export(db: Path | None, ops: str | None, out: Path | None) -> None:
    """Write every audit entry, oldest first, as CSV (patients space-separated)."""
    from joinedup.app.accounts import cli_actor, opened_store
    from joinedup.app.audit import export_audit
    from joinedup.app.errors import UserError

    try:
        with opened_store(db, ops) as store:
            if out is None:
                count = export_audit(store, sys.stdout, cli_actor())
            else:
                with out.open("w", newline="", encoding="utf-8") as handle:
                    count = export_audit(store, handle, cli_actor())
    except UserError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"exported {count} audit entries" + (f" to {out}" if out else ""), err=True)
