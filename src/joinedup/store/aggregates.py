"""Writing a store of published aggregates, atomically.

Why: most ICS analysts hold no patient-level data, only the published files. The importers
(`joinedup.app.imports`) read and check those files with `sources/`; this module builds a new
DuckDB file beside the target from what they gathered and renames it into place only when it is
complete — the same promise as `joinedup load` (``atomic.py``): a failed import leaves the
previous store exactly as it was. `joinedup run` then reads the store through
`engines.aggregates`.

The store holds:

* ``organisations`` (the data contract's table) — the footprint from the QOF geography mapping,
  all of England or one ICS, enriched by ODS when imported;
* the files as published, checked (``aggregate_schema.SCHEMAS``) — empty when a file was not given;
* ``rejects`` (same columns as the patient-level loader's: table, file, row, line, field,
  reason, raw row as JSON) and its CSV copy; ``load_log``; ``store_info`` (kind, QOF year,
  period, which files went in).

Each part (QOF, CVDPREVENT, ODS) is replaced independently: importing QOF again keeps the
CVDPREVENT rows (and their rejects) and vice versa. A store of patient-level data is never
mixed with aggregates.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from joinedup.domain import contract
from joinedup.store.aggregate_schema import PARTS, QOF_PART, SCHEMAS
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
from joinedup.store.errors import LoadError, StoreError
from joinedup.store.load_log import create_load_log, record_load
from joinedup.store.loader import default_rejects_path
from joinedup.store.reading import connect
from joinedup.store.reject_limit import check_limit, refuse_if_empty, refuse_if_over
from joinedup.store.rejects import create_rejects_table
from joinedup.store.report import TableCounts
from joinedup.store.sql import ident, literal
from joinedup.store.staging import create_table


class RejectedRow(Protocol):
    """A row a reader refused, as every source reader reports it."""

    @property
    def table(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def row_number(self) -> int: ...
    @property
    def line_number(self) -> int | None: ...
    @property
    def field(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def raw(self) -> Mapping[str, str]: ...
    def problems(self) -> tuple[str, ...]: ...


class CheckedFile(Protocol):
    """What a source reader gives for one file: the counts and the rejected rows."""

    @property
    def table(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def rows_in(self) -> int: ...
    @property
    def loaded(self) -> int: ...
    @property
    def rejected(self) -> int: ...
    @property
    def rejects(self) -> Sequence[RejectedRow]: ...


class AggregateImportError(LoadError):
    """An import that cannot go ahead; the previous store is left exactly as it was."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did: counts per file (rows in = loaded + rejected) and where rejects went."""

    db_path: Path
    rejects_csv: Path
    files: tuple[TableCounts, ...]
    period: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def rows_in(self) -> int:
        return sum(f.rows_in for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    def table(self, name: str) -> TableCounts:
        for counts in self.files:
            if counts.table == name:
                return counts
        raise KeyError(f"no table {name!r} in this import")


@dataclass
class AggregateBuild:
    """Everything one import writes, gathered before the database is touched."""

    part: str
    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    organisations: list[dict[str, object]] = field(default_factory=list)
    counts: list[TableCounts] = field(default_factory=list)
    rejects: list[RejectedRow] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, imported: CheckedFile, rows: Iterable[tuple[Any, ...]],
            table: str | None = None, ignored: tuple[str, ...] = ()) -> None:
        name = table or imported.table
        self.tables.setdefault(name, []).extend(rows)
        self.counts.append(TableCounts(name, imported.file_name, imported.rows_in,
                                       imported.loaded, imported.rejected, ignored))
        self.rejects.extend(imported.rejects)


def write_aggregates(
    target: Path, build: AggregateBuild, source: Path, rejects_csv: Path | str | None,
    today: date | None, period: str | None, max_rejected_share: float | None = None,
) -> ImportReport:
    """Replace ``build.part`` of the store at ``target`` with what the importer gathered.

    A file that holds no rows, or would reject more than ``max_rejected_share`` of its rows
    (default ``reject_limit.DEFAULT_MAX_REJECTED_SHARE``), stops the import before anything is
    written (``reject_limit``); so does a target or rejects path that cannot be written, or a
    previous store that cannot be read (its other parts are carried over).
    """
    share = check_limit(max_rejected_share)
    check_target(target)
    rejects_path = Path(rejects_csv) if rejects_csv is not None else default_rejects_path(target)
    check_rejects(rejects_path, target)
    _refuse_bad_files(build, share, target)
    previous = target if target.exists() and target.stat().st_size > 0 else None
    if previous is not None:
        _check_previous(previous)
    sweep(target, rejects_path)
    built = sibling(target, "importing")
    rejects_tmp = sibling(rejects_path, "writing")
    try:
        reserve(rejects_tmp, rejects_path)
        con = create_database(built)
        try:
            con.execute("SET TimeZone = 'UTC'")
            _create(con, build)
            _carry_over(con, previous, build.part)
            create_load_log(con, target)
            record_load(con, source, today or date.today(), build.counts)
            con.execute(  # straight to our temporary sibling, as export_rejects does
                f"COPY (SELECT * FROM main.rejects ORDER BY rowid) TO {literal(rejects_tmp)} "
                "(FORMAT csv, HEADER true, DELIMITER ',', USE_TMP_FILE false)"
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        publish(built, target)
        os.replace(rejects_tmp, rejects_path)
    finally:
        discard(built)
        rejects_tmp.unlink(missing_ok=True)
    return ImportReport(target, rejects_path, tuple(build.counts), period, tuple(build.notes))


def _refuse_bad_files(build: AggregateBuild, max_share: float, target: Path) -> None:
    """Stop before writing when a file holds no rows or rejects more than its share."""
    existed = target.exists() and target.stat().st_size > 0
    for counts in build.counts:
        refuse_if_empty(counts, target, existed)
        refuse_if_over(counts, max_share, functools.partial(_problems, build, counts), target,
                       existed)


def _problems(build: AggregateBuild, counts: TableCounts) -> list[tuple[str, int]]:
    """(reason, 1) for every problem of every row rejected from one file."""
    return [(reason, 1) for r in build.rejects
            if r.file_name == counts.file and r.table == counts.table for reason in r.problems()]


def _check_previous(previous: Path) -> None:
    """The previous store must be readable (its other parts are carried over) and aggregate."""
    try:
        con = connect(previous)
    except StoreError as exc:  # damaged, or open in another program
        raise AggregateImportError(str(exc)) from None
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()}
    finally:
        con.close()
    if "patients" in tables:
        raise AggregateImportError(
            f"{previous} holds patient-level data; import published aggregates into a store "
            "of their own (another --db)")


def _create(con: duckdb.DuckDBPyConnection, build: AggregateBuild) -> None:
    create_rejects_table(con)
    con.execute("CREATE TABLE main.store_info (part VARCHAR, key VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO main.store_info VALUES (?, ?, ?)",
                    [(build.part, k, v) for k, v in sorted(build.info.items())])
    for table in PARTS[build.part]:
        if table == "organisations":
            create_table(con, contract.table("organisations"))
            _insert_organisations(con, build.organisations)
            continue
        _create_empty(con, table)
        schema = SCHEMAS[table]
        rows = build.tables.get(table, [])
        if rows:
            arrow = pa.table({n: pa.array([r[i] for r in rows], type=_ARROW_TYPES[t])
                              for i, (n, t) in enumerate(schema)})
            con.register("_incoming", arrow)
            con.execute(f"INSERT INTO main.{ident(table)} SELECT * FROM _incoming")
            con.unregister("_incoming")
    if build.rejects:
        con.executemany(
            "INSERT INTO main.rejects VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r.table, r.file_name, r.row_number, r.line_number, r.field, r.reason,
              json.dumps(dict(r.raw), ensure_ascii=False)) for r in build.rejects],
        )


_ARROW_TYPES = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
                "DATE": pa.date32(), "BOOLEAN": pa.bool_(), "DOUBLE[]": pa.list_(pa.float64())}
"""The Arrow type the rows of each of `SCHEMAS`' DuckDB types are sent in."""


def _insert_organisations(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    names = contract.table("organisations").column_names
    arrow = pa.table({
        "org_code": pa.array([r["org_code"] for r in rows], pa.string()),
        "name": pa.array([r["name"] for r in rows], pa.string()),
        "org_type": pa.array([r["org_type"] for r in rows], pa.string()),
        "parent_code": pa.array([r["parent_code"] for r in rows], pa.string()),
        "valid_from": pa.array([r["valid_from"] for r in rows], pa.date32()),
        "valid_to": pa.array([r["valid_to"] for r in rows], pa.date32()),
    })
    con.register("_organisations", arrow)
    con.execute(f"INSERT INTO main.organisations SELECT {', '.join(ident(n) for n in names)} "
                "FROM _organisations")
    con.unregister("_organisations")


def _carry_over(con: duckdb.DuckDBPyConnection, previous: Path | None, part: str) -> None:
    """Copy the other part's tables, store_info and rejects from the previous store, if any."""
    others = [p for p in PARTS if p != part]
    for other in others:
        for table in PARTS[other]:
            if table == "organisations":
                continue  # only the QOF part writes it, and it is this part or absent
            if previous is None:
                _create_empty(con, table)
    if previous is None:
        if part != QOF_PART:
            create_table(con, contract.table("organisations"))
        return
    con.execute(f"ATTACH {literal(previous)} AS prior (READ_ONLY)")
    try:
        held = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'prior'"
        ).fetchall()}
        carried: list[str] = []
        for other in others:
            for table in PARTS[other]:
                if table in held:
                    con.execute(f"CREATE TABLE main.{ident(table)} AS "
                                f"SELECT * FROM prior.main.{ident(table)}")
                    carried.append(table)
                elif table == "organisations":
                    create_table(con, contract.table("organisations"))
                else:
                    _create_empty(con, table)
        if "store_info" in held:
            con.execute("INSERT INTO main.store_info SELECT * FROM prior.main.store_info "
                        f"WHERE part <> {literal(part)}")
        if "rejects" in held and carried:
            names = ", ".join(literal(t) for t in carried)
            con.execute("INSERT INTO main.rejects SELECT * FROM prior.main.rejects "
                        f"WHERE table_name IN ({names}) ORDER BY rowid")
    finally:
        con.execute("DETACH prior")


def _create_empty(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """An empty aggregate table with its declared columns."""
    columns = ", ".join(f"{ident(n)} {t}" for n, t in SCHEMAS[table])
    con.execute(f"CREATE TABLE main.{ident(table)} ({columns})")
