"""How the CLI reports a user's mistake: one clear line on stderr and exit code 2, no traceback."""

from __future__ import annotations

import typer


class UserError(Exception):
    """A problem the user can fix (a missing file, a bad option); shown without a traceback."""


def fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)
