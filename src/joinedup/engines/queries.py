"""Running the engine's queries: on DuckDB as SQL compiled once and kept, elsewhere through Ibis.

Why: a programme's query is the same SQL every time it is run with the same definitions,
parameters and dates on a store of the same shape, and building it as an Ibis expression and
compiling it costs far more than running it on a small store (about 1.5 s with Ibis's imports,
against under 0.1 s for the query on a practice-sized store). So on DuckDB the compiled SQL,
the small in-memory tables it reads (codelists, period ends, as Parquet files) and its result's
column types are kept in a cache folder, keyed by everything the SQL depends on:

- the builder (a module-level function named "module:function", so nothing else can leak in)
  and its arguments, written out canonically (`_canonical`);
- the store's schema (every table, column and type);
- the code that builds and compiles it: joinedup's own source files, and the installed Ibis,
  sqlglot and DuckDB versions.

A repeat run reads the entry and runs the SQL on DuckDB's own connection, importing neither Ibis
nor pyarrow (with numpy, a quarter of a second): DuckDB reads the kept Parquet tables itself and
the rows come back as Python records. A first run builds, compiles, keeps and runs the same SQL
the same way, so both paths give the same records. The cache holds SQL text, codelists and
dates: no patient data. It lives in `JOINEDUP_CACHE_DIR`, else `$XDG_CACHE_HOME/joinedup`, else
`~/.cache/joinedup`; set `JOINEDUP_CACHE_DIR=off` to compile every time. Entries are written
atomically (a damaged or half-written one is compiled again) and the oldest are pruned beyond
`MAX_ENTRIES`.

Other engines (Spark) build the expression and run it through Ibis each time.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import joinedup
from joinedup.engines.duckdb import DuckDBConnection
from joinedup.store.sql import ident, literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

Records = list[dict[str, Any]]
"""A query's result: one dict per row, column name to Python value (None for null)."""

CACHE_ENV = "JOINEDUP_CACHE_DIR"
OFF = "off"
MAX_ENTRIES = 256
"""Entries kept; each is a query's SQL and its codelists, tens to hundreds of kilobytes."""
STALE_SECONDS = 3600
_FORMAT = 2  # bump when an entry's layout changes


def has_table(con: Any, name: str) -> bool:
    """Whether the store holds table `name` (asked of DuckDB directly, without Ibis).

    Through Ibis, asks for the table rather than listing tables: with duckdb 2.0, ibis 12's
    `list_tables` calls a DuckDB method that no longer exists."""
    if isinstance(con, DuckDBConnection):
        return name in con.table_names()
    from ibis.common.exceptions import TableNotFound

    try:
        con.table(name)
    except TableNotFound:
        return False
    return True


def read_table(con: Any, name: str, columns: tuple[str, ...] = ()) -> Records:
    """A whole small table (organisations, store information), or the `columns` asked for."""
    if isinstance(con, DuckDBConnection):
        wanted = ", ".join(ident(c) for c in columns) if columns else "*"
        return _records(con.raw.execute(f"SELECT {wanted} FROM {ident(name)}"))
    table = con.table(name)
    rows: Records = (table.select(*columns) if columns else table).to_pyarrow().to_pylist()
    return rows


def read_arrays(con: Any, name: str, columns: tuple[str, ...]) -> dict[str, Any]:
    """The `columns` of table `name` as numpy arrays, column by column (a list column as an
    array of arrays): for wide numeric tables, where a record per row would build a Python
    float per value (England's single-year age bases: 612,000 of them, ten times slower)."""
    if isinstance(con, DuckDBConnection):
        wanted = ", ".join(ident(c) for c in columns)
        arrays: dict[str, Any] = con.raw.execute(
            f"SELECT {wanted} FROM {ident(name)}").fetchnumpy()
        return arrays
    table = con.table(name).select(*columns).to_pyarrow()
    return {c: table[c].to_numpy(zero_copy_only=False) for c in columns}


def run(con: Any, builder: str, *args: Any) -> Records:
    """The rows of the table `builder(con, *args)` describes, where `builder` ("module:function")
    returns an Ibis table expression built from the store's tables and `args` alone."""
    if not isinstance(con, DuckDBConnection):
        expr: ir.Table = _resolve(builder)(con, *args)
        rows: Records = expr.to_pyarrow().to_pylist()
        return rows
    cache = _cache_folder()
    key = _key(con, builder, args) if cache is not None else ""
    query = _read(cache / key) if cache is not None else None
    if query is not None:
        return query.execute(con)
    with tempfile.TemporaryDirectory(prefix="joinedup-query-") as scratch:
        query = _compile(con, builder, args, Path(scratch))
        kept = _keep(cache, key, query) if cache is not None else None
        return (kept or query).execute(con)


def prepare(con: Any, builder: str, *args: Any) -> bool:
    """Compile and keep the query `run(con, builder, *args)` would run, without running it, so
    the first real run is a repeat; False where nothing can be kept (another engine, the cache
    off or unwritable), True when the query is kept."""
    cache = _cache_folder()
    if not isinstance(con, DuckDBConnection) or cache is None:
        return False
    key = _key(con, builder, args)
    if _read(cache / key) is None:
        with tempfile.TemporaryDirectory(prefix="joinedup-query-") as scratch:
            _keep(cache, key, _compile(con, builder, args, Path(scratch)))
    return _read(cache / key) is not None


@dataclasses.dataclass(frozen=True)
class _Compiled:
    """A query as DuckDB runs it: SQL whose result has the expression's column types, and the
    in-memory tables it names, each kept as a Parquet file in `folder`."""

    sql: str
    tables: tuple[str, ...]
    folder: Path

    def table_path(self, index: int) -> Path:
        return self.folder / f"table{index}.parquet"

    def execute(self, con: DuckDBConnection) -> Records:
        """Run on DuckDB's own connection, each in-memory table a temporary view of its Parquet
        file (temporary objects are allowed on a read-only store)."""
        for i, name in enumerate(self.tables):
            con.raw.execute(f"CREATE OR REPLACE TEMPORARY VIEW {ident(name)} AS "
                            f"SELECT * FROM read_parquet({literal(self.table_path(i))})")
        try:
            return _records(con.raw.execute(self.sql))
        finally:
            for name in self.tables:
                con.raw.execute(f"DROP VIEW IF EXISTS temp.{ident(name)}")


def _compile(
    con: DuckDBConnection, builder: str, args: tuple[Any, ...], folder: Path
) -> _Compiled:
    """Build the expression, compile it for DuckDB and write its in-memory tables to `folder`.

    The SQL is wrapped in casts to the expression's types, as Ibis casts its results (a sum of
    integers is DuckDB's 128-bit integer, an Ibis int64), so the records are the ones Ibis gives.
    """
    import pyarrow.parquet as pq
    from ibis.backends.sql.datatypes import DuckDBType
    from ibis.expr import operations as ops

    expr: ir.Table = _resolve(builder)(con.ibis, *args)
    names = []
    for i, op in enumerate(expr.op().find(ops.InMemoryTable)):
        names.append(op.name)
        pq.write_table(op.data.to_pyarrow(op.schema), folder / f"table{i}.parquet")
    casts = ", ".join(f"CAST({ident(n)} AS {DuckDBType.to_string(t)}) AS {ident(n)}"
                      for n, t in expr.schema().items())
    sql = f"SELECT {casts} FROM ({con.ibis.compile(expr)}) AS compiled"
    return _Compiled(sql, tuple(names), folder)


def _records(cursor: Any) -> Records:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _resolve(builder: str) -> Callable[..., Any]:
    module, _, function = builder.partition(":")
    built: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return built


def _cache_folder() -> Path | None:
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() == OFF:
        return None
    if setting:
        return Path(setting) / "queries"
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory (a bare container): compile every time
            return None
    return Path(base) / "joinedup" / "queries"


def _key(con: DuckDBConnection, builder: str, args: tuple[Any, ...]) -> str:
    content = {
        "format": _FORMAT,
        "builder": builder,
        "args": _canonical(list(args)),
        "schema": con.schema(),
        "code": _code_stamp(),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _canonical(value: Any) -> Any:
    """`value` as JSON-able data that is equal exactly when the values are, in one order
    (sets sorted, mappings by key, dataclasses by their compared fields with the class name).
    Anything else is refused, so an argument the key cannot see is never cached."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, enum.Enum):
        return [type(value).__qualname__, value.name]
    if isinstance(value, PurePath):
        return ["path", str(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _canonical(getattr(value, f.name))
                  for f in dataclasses.fields(value) if f.compare}
        return [type(value).__module__ + "." + type(value).__qualname__, fields]
    if isinstance(value, Mapping):
        items = [[_canonical(k), _canonical(v)] for k, v in value.items()]
        return ["map", sorted(items, key=json.dumps)]
    if isinstance(value, set | frozenset):
        return ["set", sorted((_canonical(v) for v in value), key=json.dumps)]
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    raise TypeError(f"cannot key a compiled query on a {type(value).__name__}")


_STAMP: list[str] = []


def _code_stamp() -> str:
    """joinedup's source files (name, size, modification time) and the versions of the
    libraries that compile and run the SQL: any change compiles afresh. Computed once."""
    if not _STAMP:
        digest = hashlib.sha256()
        root = Path(joinedup.__file__).parent
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(f for f in files if f.endswith(".py")):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        digest.update(_library_versions().encode())
        _STAMP.append(digest.hexdigest())
    return _STAMP[0]


def _library_versions() -> str:
    """DuckDB's version and the installed Ibis and sqlglot distributions, read from their
    metadata folders' names (importlib.metadata takes 40 ms to find them)."""
    import duckdb

    found = [duckdb.__version__]
    for folder in {Path(p) for p in sys.path if p and Path(p).is_dir()}:
        found += sorted(n for n in os.listdir(folder)
                        if n.startswith(("ibis_framework-", "sqlglot-")) and "dist-info" in n)
    return ",".join(found)


def _read(entry: Path) -> _Compiled | None:
    """The query kept as `entry`, or None when it is not there or is damaged (compile again).

    A Parquet file is checked by its leading and trailing magic bytes, which a truncated or
    overwritten file loses; anything subtler fails when DuckDB reads it."""
    try:
        about = json.loads((entry / "query.json").read_text())
        query = _Compiled(about["sql"], tuple(about["tables"]), entry)
        for i in range(len(query.tables)):
            if not _whole_parquet(query.table_path(i)):
                return None
        os.utime(entry)  # recently used: pruned last
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return query


def _whole_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4)
        if path.stat().st_size < 12:
            return False
        handle.seek(-4, os.SEEK_END)
        return head == _PARQUET_MAGIC and handle.read(4) == _PARQUET_MAGIC


_PARQUET_MAGIC = b"PAR1"


def _keep(cache: Path, key: str, query: _Compiled) -> _Compiled | None:
    """Keep a copy of `query` as `cache/key`, all or nothing, and return it as kept; None when
    the cache cannot be written (a read-only home, a full disk): that costs only the compile."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=cache))
        for i in range(len(query.tables)):
            shutil.copyfile(query.table_path(i), staging / query.table_path(i).name)
        (staging / "query.json").write_text(json.dumps({"sql": query.sql,
                                                         "tables": list(query.tables)}))
        _replace(cache / key, staging)
        _prune(cache)
    except OSError:
        return None
    return _read(cache / key)


def _replace(target: Path, staging: Path) -> None:
    """Move `staging` to `target`, moving aside what is there (a damaged entry, which would
    otherwise be compiled again on every run, or one another process kept first)."""
    try:
        staging.rename(target)
        return
    except OSError:
        pass
    aside = Path(tempfile.mkdtemp(prefix=".old-", dir=target.parent))
    try:
        target.rename(aside / "entry")
        staging.rename(target)
    except OSError:
        pass
    shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _prune(cache: Path) -> None:
    """Keep the `MAX_ENTRIES` most recently used entries, and remove what a writer killed half
    way left behind (a staging folder an hour old)."""
    now = time.time()
    entries: list[tuple[float, Path]] = []
    for path in cache.iterdir():
        used = path.stat().st_mtime
        if path.name.startswith("."):
            if now - used > STALE_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        else:
            entries.append((used, path))
    entries.sort()
    for _, old in entries[: max(0, len(entries) - MAX_ENTRIES)]:
        shutil.rmtree(old, ignore_errors=True)
