"""How much memory the embedded engine may use: `JOINEDUP_MEMORY_LIMIT`, for every command.

Why: DuckDB uses up to 80% of the machine's memory by default before it spills to disk. That is
right on a machine of its own, but all England's 57 M patients then load at 19.9 GiB of a 24 GiB
machine (benchmarks/RESULTS.md), which leaves a shared server nothing. One environment variable,
read wherever joinedup opens DuckDB (loading, importing, measuring, serving), sets the limit for
every command alike; DuckDB spills whatever does not fit to a folder beside the store.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from joinedup.domain.errors import UserError

MEMORY_LIMIT_ENV = "JOINEDUP_MEMORY_LIMIT"
_SIZE = re.compile(r"^\s*[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


class MemoryLimitError(UserError):
    """`JOINEDUP_MEMORY_LIMIT` is not a size."""


def memory_limit(environ: Mapping[str, str] | None = None) -> str | None:
    """The limit asked for (e.g. ``8GB``, ``512MiB``), or None for DuckDB's own default.

    Raises MemoryLimitError, naming the variable, for anything but a number and a unit.
    """
    value = (os.environ if environ is None else environ).get(MEMORY_LIMIT_ENV, "").strip()
    if not value:
        return None
    if not _SIZE.match(value):
        raise MemoryLimitError(
            f"{MEMORY_LIMIT_ENV}={value!r} is not a size: give a number and a unit, e.g. 8GB or "
            "512MiB"
        )
    return value


def duckdb_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings every DuckDB connection of joinedup opens with: the memory limit asked for,
    else none (DuckDB's own default, 80% of memory). One piece for the engine and the store."""
    limit = memory_limit(environ)
    return {} if limit is None else {"memory_limit": limit}
