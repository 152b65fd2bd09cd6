"""Building a database beside the target and swapping it in only when it is complete.

Why: a load takes a minute and can fail at any point (a bad file, a full disk, Ctrl-C). Readers
of the previous database must never see a half-built one, and a failed load must leave the
previous file byte-for-byte as it was. The new database is built in a temporary file in the
same folder (so ``os.replace`` is an atomic rename on one filesystem) and renamed onto the
target only after it is closed and checkpointed; on any failure the temporary files go.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path

from joinedup.store.errors import LoadError

_DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def is_duckdb_file(path: Path) -> bool:
    """True when the file starts like a DuckDB database."""
    with path.open("rb") as handle:
        return handle.read(12)[8:12] == _DUCKDB_MAGIC


def check_target(target: Path) -> None:
    """Refuse targets a load must not touch: no such folder, a folder, a non-DuckDB file."""
    if not target.parent.is_dir():
        raise LoadError(f"cannot create {target}: folder {target.parent} does not exist")
    if target.is_dir():
        raise LoadError(f"{target} is a folder; give a database file path")
    if target.exists() and target.stat().st_size > 0 and not is_duckdb_file(target):
        raise LoadError(f"{target} exists and is not a DuckDB database; refusing to overwrite it")


def sibling(target: Path, suffix: str) -> Path:
    """A hidden, unique path next to ``target`` for building its replacement."""
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.{suffix}")


def discard(path: Path) -> None:
    """Remove a temporary database and everything DuckDB keeps beside it."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    spill = path.with_name(path.name + ".tmp")
    if spill.is_dir():
        shutil.rmtree(spill, ignore_errors=True)


def publish(built: Path, target: Path) -> None:
    """Rename a finished database onto ``target`` atomically.

    A write-ahead log left beside the old target belongs to the old file; if it stayed, DuckDB
    would replay it onto the new one. It is moved aside first, put back if the rename fails,
    and removed once the new file is in place.
    """
    wal = target.with_name(target.name + ".wal")
    aside: Path | None = None
    if wal.exists():
        aside = sibling(target, "old-wal")
        os.replace(wal, aside)
    try:
        os.replace(built, target)
    except BaseException:
        if aside is not None:
            os.replace(aside, wal)
        raise
    if aside is not None:
        aside.unlink(missing_ok=True)
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
