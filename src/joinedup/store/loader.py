"""``load``: validate a folder of contract files and replace the database with the result.

Why this shape: a load either completes or leaves nothing behind. The new database is built in
a temporary file beside the target (``atomic``), every table is read and checked set-wise in
DuckDB (``staging``), the rejects are written to the database and a CSV (``rejects``), a line
goes into the load log, and only then are the new files renamed into place. Tables load in the
contract's order, so a table's references are checked against rows already accepted, and a
rejected patient's events are rejected in turn. A table whose rejected share passes the limit
(``reject_limit``) stops the load there, before anything replaces the previous database.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from joinedup.domain.contract import REQUIRED_TABLES, TABLES
from joinedup.store.atomic import (
    check_rejects,
    check_target,
    create_database,
    discard,
    publish,
    reserve,
    sibling,
    sweep,
)
from joinedup.store.load_log import create_load_log, record_load
from joinedup.store.parsing import DateFormat
from joinedup.store.parsing import date_format as date_format_named
from joinedup.store.reject_limit import (
    check_limit,
    refuse_if_empty,
    refuse_if_over,
)
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


@dataclass(frozen=True)
class _Rules:
    """What every table of one load is judged by, and what the refusal message needs."""

    as_of: date
    day: DateFormat
    max_rejected_share: float
    target: Path
    existed: bool  # a previous database was there to keep


def load(
    source_dir: str | Path,
    db_path: str | Path,
    *,
    today: date | None = None,
    rejects_csv: str | Path | None = None,
    progress: ProgressCallback | None = None,
    max_rejected_share: float | None = None,
    date_format: str | None = None,
) -> LoadReport:
    """Load the contract tables in ``source_dir`` into a new DuckDB database at ``db_path``.

    ``today`` is the date that "in the future" is judged against (default: the real today).
    Rejected rows go to the database's ``rejects`` table and to ``rejects_csv`` (default
    ``<db stem>.rejects.csv`` beside the database). A table that would reject more than
    ``max_rejected_share`` of its rows stops the load (TooManyRejectsError), as does a required
    table with no rows. ``date_format`` names the day-first form text dates are in
    (``parsing.DATE_FORMATS``); ISO dates are always read. Raises LoadError, leaving any
    previous database and rejects file untouched, when the load cannot go ahead.
    """
    source = Path(source_dir)
    target = Path(db_path)
    day = date_format_named(date_format)
    share = check_limit(max_rejected_share)
    rejects_path = Path(rejects_csv) if rejects_csv is not None else default_rejects_path(target)
    check_target(target)
    check_rejects(rejects_path, target)
    rules = _Rules(today or date.today(), day, share, target,
                   target.exists() and target.stat().st_size > 0)
    notify: ProgressCallback = progress or (lambda event: None)
    sources, ignored = discover(source)  # every file opened and its header checked first

    sweep(target, rejects_path)
    built = sibling(target, "loading")
    rejects_tmp = sibling(rejects_path, "writing")
    try:
        reserve(rejects_tmp, rejects_path)
        tables = _build(built, sources, source, rules, rejects_tmp, notify)
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
        today=rules.as_of,
        tables=tuple(tables),
        ignored_files=ignored,
    )


def _build(
    built: Path,
    sources: dict[str, SourceFile],
    source_dir: Path,
    rules: _Rules,
    rejects_csv: Path,
    notify: ProgressCallback,
) -> list[TableCounts]:
    """Build the complete new database at ``built`` and its rejects CSV; return the counts."""
    con = create_database(built)
    try:
        # Timestamps with an offset are stored in UTC, whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        create_rejects_table(con)
        target_files = {name: (s.name, s.format) for name, s in sources.items()}
        tables = [
            _load_table(con, t.name, sources.get(t.name), rules, target_files, notify)
            for t in TABLES
        ]
        create_load_log(con, rules.target)
        record_load(con, source_dir, rules.as_of, tables)
        export_rejects(con, rejects_csv)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return tables


def _load_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    source: SourceFile | None,
    rules: _Rules,
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
    step = TableLoad(con, source, rules.as_of, target_files, rules.day)
    for number, (label, action) in enumerate(
        (("reading", step.read), ("checking", step.check), ("writing", step.write)), 1
    ):
        notify(ProgressEvent(name, label, number, steps))
        action()
    counts = step.counts()
    if name in REQUIRED_TABLES:
        refuse_if_empty(counts, rules.target, rules.existed)
    refuse_if_over(counts, rules.max_rejected_share, step.problem_counts, rules.target,
                   rules.existed)
    step.drop()
    notify(ProgressEvent(name, "done", steps, steps, counts))
    return counts
