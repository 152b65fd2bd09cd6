"""The command reference (docs/cli.md), generated from the commands themselves.

Why: a reference written by hand drifts from the code the first time an option changes. docs/cli.md
holds a cogapp block that calls `markdown()`; `cog -r docs/cli.md` rewrites it and
`tests/docs/test_cli_reference.py` fails when the file is stale, so the reference is always what
`--help` says.
"""

from __future__ import annotations

from collections.abc import Iterator

import click


def markdown(app: click.Group | None = None) -> str:
    """Every command and group of `app` (default: joinedup's) as Markdown sections."""
    if app is None:
        from joinedup.cli.main import app as joinedup

        app = joinedup
    parts = [_section(path, command) for path, command in _walk(app, ["joinedup"])]
    return "\n".join(parts)


def _walk(command: click.Command, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            child = command.get_command(ctx, name)
            if child is not None and not child.hidden:
                yield from _walk(child, [*path, name])
    else:
        yield path, command


def _section(path: list[str], command: click.Command) -> str:
    ctx = click.Context(command, info_name=" ".join(path))
    usage = " ".join(command.collect_usage_pieces(ctx))
    lines = [f"## `{' '.join(path)}`", "", _clean(command.help or ""), ""]
    lines += ["```", f"{' '.join(path)} {usage}".rstrip(), "```", ""]
    help_option = command.get_help_option(ctx)  # every command has --help: not listed
    rows = [
        _row(param)
        for param in command.get_params(ctx)
        if param is not help_option and not getattr(param, "hidden", False)
    ]
    if rows:
        lines += ["| argument or option | meaning | default |", "|---|---|---|", *rows, ""]
    return "\n".join(lines)


def _row(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        names = ", ".join(f"`{o}`" for o in param.opts)
    else:
        names = f"`{(param.name or '').upper()}`"
    default = param.to_info_dict()["default"]  # None where none was given
    if param.required:
        shown = "required"
    elif default is None or default is False or default == () or callable(default):
        shown = ""
    else:
        shown = f"`{default}`"
    return f"| {names} | {_clean(param.help or '')} | {shown} |"


def _clean(text: str) -> str:
    """Help text on one line, pipes escaped for a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")
