"""Importing published aggregates (QOF, list sizes, IMD, CVDPREVENT) into a store, atomically.

Why a store of its own kind: most ICS analysts hold no patient-level data, only the published
files. ``import_qof`` and ``import_cvdprevent`` read and check those files (``sources/``), then
build a new DuckDB file beside the target and rename it into place only when it is complete —
the same promise as ``joinedup load`` (``atomic.py``): a failed import leaves the previous store
exactly as it was. ``joinedup run`` then reads the store through ``sources.qof.counts``.

The store holds:

* ``organisations`` (the data contract's table) — the footprint from the QOF geography mapping,
  all of England or one ICS (``ics``);
* the files as published, checked: ``qof_geography`` (every mapping row), ``qof_prevalence``,
  ``qof_achievement``, ``qof_indicators``, ``list_sizes_by_age_sex``, ``list_sizes_by_age_base``,
  ``practice_imd``, ``pcn_imd``, ``cvdprevent`` — empty when a file was not given;
* ``rejects`` (same columns as the patient-level loader's: table, file, row, line, field,
  reason, raw row as JSON) and its CSV copy; ``load_log``; ``store_info`` (kind, QOF year,
  period, which files went in).

The QOF part and the CVDPREVENT part are replaced independently: importing QOF again keeps the
CVDPREVENT rows (and their rejects) and vice versa. A store of patient-level data is never
mixed with aggregates.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from joinedup.domain import contract
from joinedup.domain.organisations import FootprintError
from joinedup.sources.cvdprevent import read_cvdprevent
from joinedup.sources.geography import (
    FIELDS as GEOGRAPHY_FIELDS,
)
from joinedup.sources.geography import (
    GeographyFileError,
    organisations_from_mapping,
    qof_year,
    read_mapping,
)
from joinedup.sources.imd import ImdRow, read_pcn_imd, read_practice_imd
from joinedup.sources.qof.achievement import read_achievement
from joinedup.sources.qof.indicators import packaged_mapping, read_indicator_mapping
from joinedup.sources.qof.lists import list_sizes_layout, read_age_bases, read_age_sex_bands
from joinedup.sources.qof.prevalence import read_prevalence
from joinedup.sources.qof.readers import Imported, Reject, SourceFileError
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
from joinedup.store.reading import connect
from joinedup.store.reject_limit import (
    check_limit,
    refuse_if_empty,
    refuse_if_over,
)
from joinedup.store.rejects import create_rejects_table
from joinedup.store.report import TableCounts
from joinedup.store.sql import ident, literal
from joinedup.store.staging import create_table

STORE_KIND = "aggregate"
QOF_PART = "qof"
CVDPREVENT_PART = "cvdprevent"

# Every table each part owns, with its columns: (name, SQL type, Arrow type).
_S, _I, _F, _D = ("VARCHAR", pa.string()), ("BIGINT", pa.int64()), ("DOUBLE", pa.float64()), (
    "DATE", pa.date32())
SCHEMAS: dict[str, tuple[tuple[str, tuple[str, Any]], ...]] = {
    "qof_geography": tuple((name, _S) for name in GEOGRAPHY_FIELDS),
    "qof_prevalence": (("practice_code", _S), ("group_code", _S), ("register", _I),
                       ("list_type", _S), ("list_size", _I)),
    "qof_achievement": (("practice_code", _S), ("indicator_code", _S), ("measure", _S),
                        ("value", _F)),
    "qof_indicators": (("indicator_code", _S), ("point_value", _F), ("group_code", _S),
                       ("group_description", _S), ("domain_code", _S),
                       ("domain_description", _S), ("list_type", _S)),
    "list_sizes_by_age_sex": (("practice_code", _S), ("sex", _S), ("age_from", _I),
                              ("age_to", _I), ("patients", _I)),
    "list_sizes_by_age_base": (("practice_code", _S), ("age_base", _S), ("patients", _F)),
    "practice_imd": (("code", _S), ("year", _I), ("imd_score", _F), ("imd_decile", _I),
                     ("imd_quintile", _I)),
    "pcn_imd": (("code", _S), ("year", _I), ("imd_score", _F), ("imd_decile", _I),
                ("imd_quintile", _I)),
    "cvdprevent": (("area_code", _S), ("area_name", _S), ("indicator_code", _S),
                   ("indicator_name", _S), ("indicator_short_name", _S),
                   ("time_period_name", _S), ("period_end", _D),
                   ("metric_category_type_name", _S), ("metric_category_name", _S),
                   ("category_attribute", _S), ("numerator", _F), ("denominator", _F),
                   ("value", _F), ("lower_confidence_limit", _F),
                   ("upper_confidence_limit", _F), ("factor", _F), ("value_note", _S)),
}
PARTS: dict[str, tuple[str, ...]] = {
    QOF_PART: ("organisations", "qof_geography", "qof_prevalence", "qof_achievement",
               "qof_indicators", "list_sizes_by_age_sex", "list_sizes_by_age_base",
               "practice_imd", "pcn_imd"),
    CVDPREVENT_PART: ("cvdprevent",),
}


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
class _Build:
    """Everything one import writes, gathered before the database is touched."""

    part: str
    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    organisations: list[dict[str, object]] = field(default_factory=list)
    counts: list[TableCounts] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, imported: Imported[Any], rows: Iterable[tuple[Any, ...]],
            table: str | None = None, ignored: tuple[str, ...] = ()) -> None:
        name = table or imported.table
        self.tables.setdefault(name, []).extend(rows)
        self.counts.append(TableCounts(name, imported.file_name, imported.rows_in,
                                       imported.loaded, imported.rejected, ignored))
        self.rejects.extend(imported.rejects)


def import_qof(
    db_path: Path | str,
    *,
    prevalence: Path | str,
    geography: Path | str,
    achievement: Path | str | None = None,
    ages: Path | str | None = None,
    imd: Path | str | None = None,
    pcn_imd: Path | str | None = None,
    indicators: Path | str | None = None,
    year: int | None = None,
    ics: str | None = None,
    rejects_csv: Path | str | None = None,
    today: date | None = None,
    max_rejected_share: float | None = None,
) -> ImportReport:
    """Check the QOF files and replace the QOF part of the store at ``db_path`` with them.

    ``year`` is the first calendar year of the QOF year (2019 for 2019-20); by default it comes
    from the geography file's name (``..._2019_2020.csv``) or the prevalence file's
    (``PREVALENCE_1920.csv``). ``indicators`` defaults to the packaged MAPPING_INDICATORS file
    for the year. ``ics`` keeps one ICS/STP's practices in the footprint (e.g. ``QWO``). A file
    that holds no rows, or would reject more than ``max_rejected_share`` of its rows, stops the
    import (``reject_limit``). Raises AggregateImportError (or TooManyRejectsError), leaving the
    previous store untouched, when the import cannot go ahead.
    """
    share = check_limit(max_rejected_share)
    year_start = year if year is not None else _year_from_names(Path(geography), Path(prevalence))
    build = _Build(QOF_PART)
    try:
        _read_qof(build, year_start, Path(prevalence), Path(geography), achievement, ages, imd,
                  pcn_imd, indicators, ics)
    except (SourceFileError, GeographyFileError, FootprintError) as exc:
        raise AggregateImportError(str(exc)) from None
    label = f"{year_start}-{str(year_start + 1)[2:]}"
    build.info.update({
        "kind": STORE_KIND,
        "qof_year": label,
        "period_start": date(year_start, 4, 1).isoformat(),
        "period_end": date(year_start + 1, 3, 31).isoformat(),
        "ics": ics or "",
    })
    return _write(Path(db_path), build, Path(prevalence), rejects_csv, today, label, share)


def import_cvdprevent(
    db_path: Path | str,
    files: Sequence[Path | str],
    *,
    rejects_csv: Path | str | None = None,
    today: date | None = None,
    max_rejected_share: float | None = None,
) -> ImportReport:
    """Check CVDPREVENT raw-data files and replace the store's CVDPREVENT rows with them.

    Each file is held to ``max_rejected_share`` as ``import_qof`` holds its files.
    """
    share = check_limit(max_rejected_share)
    if not files:
        raise AggregateImportError("give at least one CVDPREVENT file")
    build = _Build(CVDPREVENT_PART)
    try:
        for path in files:
            imported = read_cvdprevent(path)
            build.add(imported, (_values(r) for r in imported.rows))
    except SourceFileError as exc:
        raise AggregateImportError(str(exc)) from None
    build.info.update({"kind": STORE_KIND, "cvdprevent_files": ", ".join(
        Path(p).name for p in files)})
    return _write(Path(db_path), build, Path(files[0]), rejects_csv, today, None, share)


# --- reading ---------------------------------------------------------------------------------


def _year_from_names(geography: Path, prevalence: Path) -> int:
    try:
        return qof_year(geography)[0].year
    except GeographyFileError:
        pass
    match = re.search(r"(?<![0-9])([0-9]{2})([0-9]{2})(?![0-9])", prevalence.stem)
    if match and int(match.group(2)) == (int(match.group(1)) + 1) % 100:
        return 2000 + int(match.group(1))
    raise AggregateImportError(
        f"cannot tell the QOF year from {geography.name} or {prevalence.name}; pass the year "
        "(e.g. --year 2019-20)"
    )


def _read_qof(
    build: _Build, year_start: int, prevalence: Path, geography: Path,
    achievement: Path | str | None, ages: Path | str | None, imd: Path | str | None,
    pcn_imd: Path | str | None, indicators: Path | str | None, ics: str | None,
) -> None:
    mapping = read_mapping(geography, year_start=year_start)
    frame = mapping.practices[list(GEOGRAPHY_FIELDS)]
    geography_rows = [tuple(str(v) for v in r) for r in frame.itertuples(index=False)]
    build.tables["qof_geography"] = geography_rows
    build.counts.append(TableCounts("qof_geography", geography.name, len(geography_rows),
                                    len(geography_rows), 0))
    footprint = read_mapping(geography, ics_code=ics, year_start=year_start) if ics else mapping
    build.organisations = organisations_from_mapping(footprint)

    prevalence_rows = read_prevalence(prevalence)
    build.add(prevalence_rows, (_values(r) for r in prevalence_rows.rows))

    mapping_path = Path(indicators) if indicators is not None else packaged_mapping(year_start)
    indicator_rows = read_indicator_mapping(mapping_path)
    build.add(indicator_rows, (_values(r) for r in indicator_rows.rows))
    build.info["indicator_mapping"] = mapping_path.name

    if achievement is not None:
        achieved = read_achievement(achievement)
        build.add(achieved, (_values(r) for r in achieved.rows))
    if ages is not None:
        _read_ages(build, Path(ages))
    if imd is not None:
        practice = read_practice_imd(imd)
        build.add(practice, (_imd_values(r) for r in practice.rows))
    if pcn_imd is not None:
        pcn = read_pcn_imd(pcn_imd)
        build.add(pcn, (_imd_values(r) for r in pcn.rows))
    build.info["files"] = json.dumps({c.table: c.file for c in build.counts})


def _read_ages(build: _Build, path: Path) -> None:
    if list_sizes_layout(path) == "age_sex":
        bands = read_age_sex_bands(path)
        build.add(bands, (_values(r) for r in bands.rows))
        build.info["ages_layout"] = "age_sex_5y"
        return
    bases, ignored = read_age_bases(path)
    build.add(bases, ((r.practice_code, code, value) for r in bases.rows
                      for code, value in r.bases.items()), ignored=ignored)
    build.info["ages_layout"] = "qof_age_bases"
    if ignored:
        build.notes.append(f"{path.name}: ignored columns that are not age bases: "
                           f"{', '.join(ignored)}")


def _values(row: Any) -> tuple[Any, ...]:
    assert is_dataclass(row) and not isinstance(row, type)
    return tuple(asdict(row).values())


def _imd_values(row: ImdRow) -> tuple[Any, ...]:
    return (row.code, row.year, row.imd_score, row.imd_decile, row.imd_quintile)


# --- writing ---------------------------------------------------------------------------------


def default_rejects_path(db_path: Path) -> Path:
    """``<db stem>.rejects.csv`` next to the database, as ``joinedup load`` does."""
    return db_path.with_name(f"{db_path.stem}.rejects.csv")


def _refuse_bad_files(build: _Build, max_share: float, target: Path) -> None:
    """Stop before writing when a file holds no rows or rejects more than its share."""
    existed = target.exists() and target.stat().st_size > 0
    for counts in build.counts:
        refuse_if_empty(counts, target, existed)
        refuse_if_over(counts, max_share, functools.partial(_problems, build, counts), target,
                       existed)


def _problems(build: _Build, counts: TableCounts) -> list[tuple[str, int]]:
    """(reason, 1) for every problem of every row rejected from one file."""
    return [(reason, 1) for r in build.rejects
            if r.file_name == counts.file and r.table == counts.table for reason in r.problems()]


def _write(
    target: Path, build: _Build, source: Path, rejects_csv: Path | str | None,
    today: date | None, period: str | None, max_share: float,
) -> ImportReport:
    check_target(target)
    rejects_path = Path(rejects_csv) if rejects_csv is not None else default_rejects_path(target)
    check_rejects(rejects_path, target)
    _refuse_bad_files(build, max_share, target)
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
            con.execute(
                f"COPY (SELECT * FROM main.rejects ORDER BY rowid) TO {literal(rejects_tmp)} "
                "(FORMAT csv, HEADER true, DELIMITER ',')"
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


def _check_previous(previous: Path) -> None:
    """The previous store must be readable (its other part is carried over) and aggregate."""
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


def _create(con: duckdb.DuckDBPyConnection, build: _Build) -> None:
    create_rejects_table(con)
    con.execute("CREATE TABLE main.store_info (part VARCHAR, key VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO main.store_info VALUES (?, ?, ?)",
                    [(build.part, k, v) for k, v in sorted(build.info.items())])
    for table in PARTS[build.part]:
        if table == "organisations":
            create_table(con, contract.table("organisations"))
            _insert_organisations(con, build.organisations)
            continue
        schema = SCHEMAS[table]
        columns = ", ".join(f"{ident(n)} {t[0]}" for n, t in schema)
        con.execute(f"CREATE TABLE main.{ident(table)} ({columns})")
        rows = build.tables.get(table, [])
        if rows:
            arrow = pa.table({n: pa.array([r[i] for r in rows], type=t[1])
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
                schema = SCHEMAS[table]
                columns = ", ".join(f"{ident(n)} {t[0]}" for n, t in schema)
                con.execute(f"CREATE TABLE main.{ident(table)} ({columns})")
    if previous is None:
        if part == CVDPREVENT_PART:
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
                    schema = SCHEMAS[table]
                    columns = ", ".join(f"{ident(n)} {t[0]}" for n, t in schema)
                    con.execute(f"CREATE TABLE main.{ident(table)} ({columns})")
        if "store_info" in held:
            con.execute("INSERT INTO main.store_info SELECT * FROM prior.main.store_info "
                        f"WHERE part <> {literal(part)}")
        if "rejects" in held and carried:
            names = ", ".join(literal(t) for t in carried)
            con.execute("INSERT INTO main.rejects SELECT * FROM prior.main.rejects "
                        f"WHERE table_name IN ({names}) ORDER BY rowid")
    finally:
        con.execute("DETACH prior")
