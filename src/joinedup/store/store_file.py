"""What sits at a store path, told to a user in words: the checks every opening of a store makes.

Why one module: `run` and `progress` read stores, `load` and the imports replace them, and a user
can point any of them at the wrong thing (a text file, a folder, a pipe, an empty file, a copy
cut short, a store another program holds open). Each must get the same one-line answer naming
the path, never a traceback or an engine's multi-line message. The file is judged from the
operating system first (what kind of file, can it be read, does it start like DuckDB); what the
engine says when opening it anyway is sorted into the same few plain reasons.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import duckdb

_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
_HEADERS = 3 * 4096  # a DuckDB file opens with its main header and two database headers
_LOCK_HOLDER = re.compile(r"\(PID ([0-9]+)\)")


def os_reason(exc: OSError) -> str:
    """The operating system's words for a failure ("Permission denied")."""
    return exc.strerror or type(exc).__name__


def path_problem(path: Path) -> str | None:
    """Why the thing at ``path`` is not a DuckDB file ("is a folder", ...); None if it is one.

    A missing path is "does not exist" and an empty file "is empty": whether those are
    problems is for the caller to say (a load may create or replace them).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read ({os_reason(exc)})"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a database file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"  # a pipe or a device: never opened, never replaced
    if info.st_size == 0:
        return "is empty"
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        return f"cannot be read ({os_reason(exc)})"
    if head[8:12] != _MAGIC:
        return "is not a DuckDB database"
    return None


def is_duckdb_file(path: Path) -> bool:
    """True when the file at ``path`` starts like a DuckDB database."""
    return path_problem(path) is None


def engine_problem(exc: duckdb.Error) -> str:
    """What DuckDB's refusal to open a file means, in a few words that quote no data."""
    text = str(exc)
    lowered = text.lower()
    if "conflicting lock" in lowered or "could not set lock" in lowered:
        holder = _LOCK_HOLDER.search(text)
        who = f" (process {holder.group(1)})" if holder else ""
        return f"is open in another program{who}; close it and try again"
    if "not a valid duckdb database" in lowered:
        return "is not a DuckDB database"
    if "corrupt" in lowered or "checksum" in lowered or "could not read enough bytes" in lowered:
        return "is damaged or truncated; load or import it again"
    if "version" in lowered:
        return "was written by a DuckDB version this one cannot read"
    if isinstance(exc, duckdb.IOException):
        reason = text.rsplit('": ', 1)[-1].strip().splitlines()[0]
        return f"cannot be opened ({reason})"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"cannot be opened as a DuckDB store ({first})"


def check_whole(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """"is damaged or truncated" when the file is shorter than the blocks the database lists.

    A copy cut short opens without complaint and fails only when a query reaches a missing
    block; DuckDB's own count of blocks (``PRAGMA database_size``) against the file's length
    finds it at once.
    """
    row = con.execute("PRAGMA database_size").fetchone()
    if row is None:
        return None
    block_size, total_blocks = int(row[2]), int(row[3])
    if path.stat().st_size < _HEADERS + block_size * total_blocks:
        return "is damaged or truncated; load or import it again"
    return None
