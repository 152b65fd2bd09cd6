"""Quoting for the SQL the store writes. Every name and path goes through here.

Why: contract columns include SQL keywords (``date``, ``start``, ``end``) and paths may hold
quotes; building statements from quoted pieces keeps both safe.
"""

from __future__ import annotations

from pathlib import Path


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str | Path) -> str:
    """A quoted SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"
