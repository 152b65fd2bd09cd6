"""Building a database beside the target and swapping it in only when it is complete.

Why: a load takes a minute and can fail at any point (a bad file, a full disk, Ctrl-C, a kill).
Readers of the previous database must never see a half-built one, and a failed load must leave
the previous file byte-for-byte as it was. The new database is built in a temporary file in the
same folder (so ``os.replace`` is an atomic rename on one filesystem) and renamed onto the
target only after it is closed and checkpointed; on any failure the temporary files go.

A process killed outright (``kill -9``, power loss) cannot clean up after itself. Its temporary
files carry its host and process id in their names, and the next load or import into the same
folder removes those whose process is no longer running (``sweep``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import socket
from pathlib import Path

import duckdb

from joinedup.domain.memory import duckdb_settings
from joinedup.store.errors import LoadError
from joinedup.store.store_file import os_reason, path_problem

_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
# .<target name>.<host>-<pid>-<random>.<suffix>, optionally followed by DuckDB's .wal or .tmp
_SIBLING = re.compile(
    r"^\.(?P<name>.+)\.(?P<host>[0-9a-f]{6})-(?P<pid>[0-9]+)-[0-9a-f]{12}"
    r"\.(?P<suffix>loading|importing|writing)(\.wal|\.tmp)?$"
)


def check_target(target: Path) -> None:
    """Refuse targets a load must not touch: no such folder, a folder, a non-DuckDB file."""
    if not target.parent.is_dir():
        raise LoadError(f"cannot create {target}: folder {target.parent} does not exist")
    problem = path_problem(target)
    if problem in (None, "does not exist", "is empty"):
        return  # a database to replace, or nothing (yet) worth keeping
    if problem == "is a folder, not a database file":
        raise LoadError(f"{target} is a folder; give a database file path")
    if problem == "is not a DuckDB database":
        raise LoadError(f"{target} exists and is not a DuckDB database; refusing to overwrite it")
    raise LoadError(f"{target} {problem}; refusing to overwrite it")


def check_rejects(rejects: Path, target: Path) -> None:
    """Refuse a rejects CSV path that cannot be written, or that is the database itself."""
    if not rejects.parent.is_dir():
        raise LoadError(f"cannot write {rejects}: folder {rejects.parent} does not exist")
    if rejects.resolve() == target.resolve():
        raise LoadError("the rejects CSV and the database must be different files")
    problem = path_problem(rejects)
    if problem == "is a folder, not a database file":
        raise LoadError(f"--rejects {rejects} is a folder; give a CSV file path")
    if problem == "is not a regular file":
        raise LoadError(f"--rejects {rejects} is not a regular file; refusing to replace it")


def sibling(target: Path, suffix: str) -> Path:
    """A hidden, unique path next to ``target`` for building its replacement."""
    token = f"{_HOST}-{os.getpid()}-{secrets.token_hex(6)}"
    return target.with_name(f".{target.name}.{token}.{suffix}")


def reserve(path: Path, what: Path) -> None:
    """Create the empty file ``path`` (a sibling of ``what``), or say why the folder refuses."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except OSError as exc:
        raise LoadError(f"cannot write {what}: {os_reason(exc)}") from None


def spill_folder(path: Path) -> Path:
    """Where DuckDB writes what does not fit in memory while building the database at `path`."""
    return path.with_name(path.name + ".tmp")


def create_database(path: Path) -> duckdb.DuckDBPyConnection:
    """A new DuckDB database at ``path``; LoadError when its folder cannot hold one.

    A load bigger than memory spills to disk rather than fail. DuckDB does that by itself:
    beyond its memory_limit (80% of the machine's memory by default) it writes to its
    temp_directory. A 10 M patient store (104 M rows) loads at a peak of 13.0 GiB, and in about
    the same time at 3.4 GiB when the limit is 3.3 GB, and all England's 57 M at 19.9 GiB of a
    24 GiB machine (`JOINEDUP_MEMORY_LIMIT` sets a lower limit, domain/memory.py). The spill
    folder is set here, beside the new database, because that is where `discard` and `sweep`
    clean up after a failed or killed load (it is DuckDB's default, stated so a change of
    default cannot move it elsewhere).
    preserve_insertion_order stays on, although turning it off would save memory: the staging
    tables' rowid is the file's row number, which the rejects report.
    """
    try:
        config = {**duckdb_settings(), "temp_directory": str(spill_folder(path))}
        return duckdb.connect(str(path), config=config)
    except duckdb.Error as exc:
        reason = str(exc).rsplit('": ', 1)[-1].strip().splitlines()[0]
        raise LoadError(f"cannot create a database in {path.parent}: {reason}") from None


def discard(path: Path) -> None:
    """Remove a temporary database and everything DuckDB keeps beside it."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    spill = spill_folder(path)
    if spill.is_dir():
        shutil.rmtree(spill, ignore_errors=True)


def sweep(*targets: Path) -> list[Path]:
    """Remove temporary files beside ``targets`` that a killed load or import left behind.

    Only files this machine's processes made, whose process has ended, are removed; a load
    running now in another process keeps its files. Returns what was removed.
    """
    removed: list[Path] = []
    for target in targets:
        try:
            entries = list(target.parent.iterdir())
        except OSError:
            continue
        for entry in entries:
            match = _SIBLING.match(entry.name)
            if match is None or match["name"] != target.name or match["host"] != _HOST:
                continue
            if _running(int(match["pid"]), entry):
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
            removed.append(entry)
    return removed


def _running(pid: int, entry: Path) -> bool:
    """Whether the process that made `entry` may still be running.

    A process id is reused once its process ends (a busy machine runs through them), so a live
    process with that id counts only if it started before the file was made (Linux: its start
    time from /proc); elsewhere any live process with the id counts, which keeps files rather
    than remove a running load's.
    """
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    started = _process_start(pid)
    if started is None:
        return True
    try:
        made = entry.stat().st_mtime
    except OSError:
        return False
    return started <= made + 1.0  # a process started after the file was made is another one


def _process_start(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), where /proc says; else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "; field 22 is 20th here
    try:
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError, OSError):
        return None


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
