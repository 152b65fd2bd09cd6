"""The `joinedup` command. Each command lives in its own module and registers itself here.

The group is plain click: start-up is part of every command's run time, and click builds the
whole command tree without importing anything heavy.
"""

from __future__ import annotations

import click

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
from joinedup.cli.group import Group


@click.group(
    "joinedup",
    cls=Group,
    no_args_is_help=True,
    # Every command's --help shows its defaults (a command's context inherits this).
    context_settings={"show_default": True},
)
@click.version_option(
    __version__, "--version", message="joinedup %(version)s", help="Show the version and exit."
)
def app() -> None:
    """Run an integrated care system as one partnership."""


# Single commands first, then the command groups, as `joinedup --help` lists them.
synth.register(app)
load.register(app)
run.register(app)
impact.register(app)
demo.register(app)
progress.register(app)
serve.register(app)
imports.register(app)
waitlist.register(app)
users.register(app)
audit.register(app)
record.register(app)
