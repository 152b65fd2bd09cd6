"""Finding and opening the source files of a load: one ``<table>.parquet`` or ``<table>.csv`` each.

Why a module of its own: everything that can make a load impossible before a single row is read
(no folder, a required file missing, two files for one table, an unreadable file, missing
columns) is found here, up front, and reported as one ``LoadError`` naming the file. CSV is read
with a fixed dialect (comma, double quote, UTF-8, header row) rather than sniffed: DuckDB's
sniffer can mistake a malformed file for a different shape and quietly drop rows.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from joinedup.domain.contract import REQUIRED_TABLES, TABLES, Table
from joinedup.store.errors import LoadError
from joinedup.store.sql import literal

FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class SourceFile:
    """One table's file, its columns as the file has them and each column's DuckDB type."""

    table: Table
    path: Path
    format: str  # "parquet" or "csv"
    columns: tuple[str, ...]
    types: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def source_type(self) -> dict[str, str]:
        return dict(zip(self.columns, self.types, strict=True))

    @property
    def ignored_columns(self) -> tuple[str, ...]:
        """Columns the contract does not know; kept in rejected rows' JSON, not loaded."""
        return tuple(c for c in self.columns if c not in self.table.column_names)

    def reader_sql(self) -> str:
        """A FROM-clause expression that reads every row of the file, in file order."""
        if self.format == "parquet":
            return f"read_parquet({literal(self.path)})"
        spec = ", ".join(f"{literal(c)}: 'VARCHAR'" for c in self.columns)
        return (
            f"read_csv({literal(self.path)}, auto_detect = false, header = true, "
            f"columns = {{{spec}}}, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true, null_padding = false, encoding = 'utf-8')"
        )


def discover(
    source_dir: Path, con: duckdb.DuckDBPyConnection | None = None
) -> tuple[dict[str, SourceFile], tuple[str, ...]]:
    """Open every contract table's file in ``source_dir``; also list the files that were ignored.

    ``con`` reads Parquet schemas; without one, a connection is opened only if a Parquet file
    needs it (so a folder of CSV files is judged without starting DuckDB). Raises LoadError for
    a missing folder, a missing required table, two files for one table, an unreadable file or
    a file lacking contract columns.
    """
    if not source_dir.exists():
        raise LoadError(f"source folder {source_dir} does not exist")
    if not source_dir.is_dir():
        raise LoadError(f"source {source_dir} is not a folder")
    found: dict[str, SourceFile] = {}
    expected: set[str] = set()
    for table in TABLES:
        candidates = [source_dir / f"{table.name}.{fmt}" for fmt in FORMATS]
        expected.update(p.name for p in candidates)
        present = [p for p in candidates if p.exists()]
        if len(present) > 1:
            raise LoadError(
                f"{source_dir} has both {present[0].name} and {present[1].name}; keep only one"
            )
        if not present:
            if table.name in REQUIRED_TABLES:
                raise LoadError(
                    f"{source_dir} has no {table.name}.parquet or {table.name}.csv "
                    f"(the {table.name} table is required)"
                )
            continue
        found[table.name] = _open(table, present[0], con)
    ignored = tuple(sorted(p.name for p in source_dir.iterdir() if p.name not in expected))
    return found, ignored


def _open(table: Table, path: Path, con: duckdb.DuckDBPyConnection | None) -> SourceFile:
    if path.is_dir():
        raise LoadError(f"{path} is a folder, not a file")
    fmt = path.suffix.lstrip(".")
    if fmt == "csv":
        columns = _csv_header(path)
        types = tuple("VARCHAR" for _ in columns)
    elif con is not None:
        columns, types = _parquet_schema(path, con)
    else:
        with duckdb.connect() as own:
            columns, types = _parquet_schema(path, own)
    missing = [c for c in table.column_names if c not in columns]
    if missing:
        raise LoadError(
            f"{path.name} is missing columns: {', '.join(missing)} "
            f"(the {table.name} table needs {', '.join(table.column_names)})"
        )
    return SourceFile(table, path, fmt, columns, types)


def _csv_header(path: Path) -> tuple[str, ...]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        raise LoadError(f"{path.name} is not UTF-8 text") from None
    except (OSError, csv.Error) as exc:
        raise LoadError(f"{path.name} cannot be read: {_os_reason(exc)}") from None
    if not header:
        raise LoadError(f"{path.name} is empty: expected a header row naming the columns")
    names = [name.strip() or f"column{i}" for i, name in enumerate(header, 1)]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise LoadError(f"{path.name} names a column more than once: {_shown(repeated)}")
    return tuple(names)


def _parquet_schema(
    path: Path, con: duckdb.DuckDBPyConnection
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        with path.open("rb"):
            pass
        rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(path)})").fetchall()
    except OSError as exc:
        raise LoadError(f"{path.name} cannot be read: {_os_reason(exc)}") from None
    except duckdb.Error as exc:
        raise LoadError(f"{path.name} cannot be read as Parquet: {_first_line(exc)}") from None
    return tuple(str(r[0]) for r in rows), tuple(str(r[1]) for r in rows)


def read_error(source: SourceFile, exc: Exception) -> LoadError:
    """A one-line LoadError for a file DuckDB could not read in full.

    DuckDB's CSV messages quote the offending line; that may hold patient data, so only the
    line number and the kind of fault are kept.
    """
    text = str(exc)
    if source.format != "csv":
        return LoadError(f"{source.name} cannot be read as Parquet: {_first_line(exc)}")
    line = re.search(r"CSV Error on Line: (\d+)", text)
    where = f"{source.name} line {line.group(1)}" if line else source.name
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if columns:
        fault = f"expected {columns.group(1)} fields, found {columns.group(2)}"
    elif "unterminated quote" in text:
        fault = "a quoted value is never closed"
    elif "utf-8" in text.lower() or "unicode" in text.lower():
        fault = "not UTF-8 text"
    else:
        fault = "not a well-formed CSV file (comma-separated, double quotes, UTF-8)"
    return LoadError(f"{where}: {fault}")


def _shown(names: list[str]) -> str:
    """Column names for a message: one line, each cut short (a bad quote can make one huge)."""
    return ", ".join(" ".join(n.split())[:40] for n in names[:20])


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _os_reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or _first_line(exc)
