"""How the CLI reports a user's mistake: one clear line on stderr and exit code 2, no traceback.

Every error a user can fix derives from `joinedup.app.errors.UserError`; commands catch that
one class (`user_errors`) and anything else is a bug that keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from click.exceptions import Exit

from joinedup.app.errors import UserError


def fail(message: str) -> Exit:
    """Print `error: message` on stderr and return the exit (code 2) for the caller to raise."""
    click.secho(f"error: {message}", err=True, fg="red")
    return Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a `UserError` raised inside the block into one `error:` line and exit code 2."""
    try:
        yield
    except UserError as exc:
        raise fail(str(exc)) from None
