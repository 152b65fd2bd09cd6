"""The command reference (docs/cli.md), generated from the commands themselves.

Why: a reference written by hand drifts from the code the first time an option changes. docs/cli.md
holds a cogapp block that calls `markdown()`; `cog -r docs/cli.md` rewrites it and
`tests/docs/test_cli_reference.py` fails when the file is stale, so the reference is always what
`--help` says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

Command = Any
"""A click command or group as Typer builds it (Typer vendors its own click, so these are read
by what they hold, not by class)."""


def markdown(app: typer.Typer | None = None) -> str:
    """Every command and group of `app` (default: joinedup's) as Markdown sections."""
    if app is None:
        from joinedup.cli.main import app as joinedup

        app = joinedup
    root = typer.main.get_command(app)
    parts = [_section(path, command) for path, command in _walk(root, ["joinedup"])]
    return "\n".join(parts)


def _walk(command: Command, path: list[str]) -> Iterator[tuple[list[str], Command]]:
    if hasattr(command, "list_commands"):
        ctx = command.context_class(command)
        for name in command.list_commands(ctx):
            child = command.get_command(ctx, name)
            if child is not None and not child.hidden:
                yield from _walk(child, [*path, name])
    else:
        yield path, command


def _section(path: list[str], command: Command) -> str:
    ctx = command.context_class(command, info_name=" ".join(path))
    usage = " ".join(command.collect_usage_pieces(ctx))
    lines = [f"## `{' '.join(path)}`", "", _clean(command.help or ""), ""]
    lines += ["```", f"{' '.join(path)} {usage}".rstrip(), "```", ""]
    rows = [_row(param) for param in command.get_params(ctx) if _shown(param)]
    if rows:
        lines += ["| argument or option | meaning | default |", "|---|---|---|", *rows, ""]
    return "\n".join(lines)


def _shown(param: Any) -> bool:
    return not getattr(param, "hidden", False) and param.name != "help"


def _row(param: Any) -> str:
    if param.param_type_name == "option":
        names = ", ".join(f"`{o}`" for o in param.opts)
        meaning = param.help or ""
    else:
        names = f"`{(param.name or '').upper()}`"
        meaning = getattr(param, "help", None) or ""
    if param.required:
        default = "required"
    elif param.default is None or param.default is False or callable(param.default):
        default = ""
    else:
        default = f"`{param.default}`"
    return f"| {names} | {_clean(meaning)} | {default} |"


def _clean(text: str) -> str:
    """Help text on one line, pipes escaped for a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")
