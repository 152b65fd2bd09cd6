"""``load``: validate a folder of contract files and replace the database with the result.

Why this shape: a load either completes or leaves nothing behind. The new database is built in
a temporary file beside the target (``atomic``), every table is read and checked set-wise in
DuckDB (``staging``), the rejects are written to the database and a CSV (``rejects``), a line
goes into the load log, and only then are the new files renamed into place. Tables load in the
contract's order, so a table's references are checked against rows already accepted, and a
rejected patient's events are rejected in turn.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from joinedup.domain.contract import TABLES
from joinedup.store.atomic import check_target, discard, publish, sibling
from joinedup.store.errors import LoadError
from joinedup.store.load_log import create_load_log, record_load
from joinedup.store.rejects import create_rejects_table, export_rejects
from joinedup.store.report import LoadReport, TableCounts
from joinedup.store.source_files import SourceFile, discover
from joinedup.store.staging import TableLoad, create_table

STEPS = ("reading", "checking", "writing", "done")


@dataclass(frozen=True)
class ProgressEvent:
    """A table reached a step. ``absent`` tables (optional, not supplied) skip straight on."""

    table: str
    step: str  # one of STEPS, or "absent"
    step_number: int  # 1..len(STEPS)
    steps: int
    counts: TableCounts | None = None  # set when step is "done" or "absent"


ProgressCallback = Callable[[ProgressEvent], None]


def default_rejects_path(db_path: Path) -> Path:
    """``<db stem>.rejects.csv`` next to the database."""
    return db_path.with_name(f"{db_path.stem}.rejects.csv")


def load(
    source_dir: str | Path,
    db_path: str | Path,
    *,
    today: date | None = None,
    rejects_csv: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> LoadReport:
    """Load the contract tables in ``source_dir`` into a new DuckDB database at ``db_path``.

    ``today`` is the date that "in the future" is judged against (default: the real today).
    Rejected rows go to the database's ``rejects`` table and to ``rejects_csv`` (default
    ``<db stem>.rejects.csv`` beside the database). Raises LoadError, leaving any previous
    database and rejects file untouched, when the load cannot go ahead.
    """
    source = Path(source_dir)
    target = Path(db_path)
    as_of = today or date.today()
    rejects_path = Path(rejects_csv) if rejects_csv is not None else default_rejects_path(target)
    check_target(target)
    if not rejects_path.parent.is_dir():
        raise LoadError(f"cannot write {rejects_path}: folder {rejects_path.parent} does not exist")
    if rejects_path.resolve() == target.resolve():
        raise LoadError("the rejects CSV and the database must be different files")
    notify: ProgressCallback = progress or (lambda event: None)

    built = sibling(target, "loading")
    rejects_tmp = sibling(rejects_path, "writing")
    try:
        tables, ignored = _build(built, source, target, as_of, rejects_tmp, notify)
        publish(built, target)
        os.replace(rejects_tmp, rejects_path)
    except (duckdb.InterruptException, RuntimeError) as exc:
        # DuckDB turns Ctrl-C during a query into "Query interrupted"; give callers the usual
        # KeyboardInterrupt so an interrupted load looks the same wherever it was stopped.
        if isinstance(exc, duckdb.InterruptException) or str(exc) == "Query interrupted":
            raise KeyboardInterrupt from exc
        raise
    finally:
        discard(built)
        rejects_tmp.unlink(missing_ok=True)
    return LoadReport(
        db_path=target,
        rejects_csv=rejects_path,
        source_dir=source,
        today=as_of,
        tables=tuple(tables),
        ignored_files=ignored,
    )


def _build(
    built: Path,
    source_dir: Path,
    previous: Path,
    as_of: date,
    rejects_csv: Path,
    notify: ProgressCallback,
) -> tuple[list[TableCounts], tuple[str, ...]]:
    """Build the complete new database at ``built`` and its rejects CSV; return the counts."""
    con = duckdb.connect(str(built))
    try:
        # Timestamps with an offset are stored in UTC, whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        sources, ignored = discover(source_dir, con)
        create_rejects_table(con)
        target_files = {name: (s.name, s.format) for name, s in sources.items()}
        tables = [
            _load_table(con, t.name, sources.get(t.name), as_of, target_files, notify)
            for t in TABLES
        ]
        create_load_log(con, previous)
        record_load(con, source_dir, as_of, tables)
        export_rejects(con, rejects_csv)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return tables, ignored


def _load_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    source: SourceFile | None,
    as_of: date,
    target_files: dict[str, tuple[str, str]],
    notify: ProgressCallback,
) -> TableCounts:
    table = next(t for t in TABLES if t.name == name)
    create_table(con, table)
    steps = len(STEPS)
    if source is None:
        counts = TableCounts(table=name, file=None, rows_in=0, loaded=0, rejected=0)
        notify(ProgressEvent(name, "absent", steps, steps, counts))
        return counts
    step = TableLoad(con, source, as_of, target_files)
    for number, (label, action) in enumerate(
        (("reading", step.read), ("checking", step.check), ("writing", step.write)), 1
    ):
        notify(ProgressEvent(name, label, number, steps))
        action()
    counts = step.counts()
    step.drop()
    notify(ProgressEvent(name, "done", steps, steps, counts))
    return counts
