"""A command group that lists its commands in the order they were added.

Why: click lists a group's commands alphabetically, but `joinedup --help` and docs/cli.md put the
main job first (synth, load, run, ...), in the order the code registers the commands.
"""

from __future__ import annotations

import click


class Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)
