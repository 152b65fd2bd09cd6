"""The `joinedup` command. Each command lives in its own module and registers itself here."""

from __future__ import annotations

import typer

from joinedup import __version__
from joinedup.cli import (
    audit,
    demo,
    impact,
    imports,
    load,
    progress,
    record,
    run,
    serve,
    synth,
    users,
    waitlist,
)

app = typer.Typer(
    name="joinedup",
    help="Run an integrated care system as one partnership.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"joinedup {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Run an integrated care system as one partnership."""


synth.register(app)
load.register(app)
run.register(app)
impact.register(app)
demo.register(app)
imports.register(app)
progress.register(app)
waitlist.register(app)
users.register(app)
audit.register(app)
serve.register(app)
record.register(app)
