"""Running the measures on Apache Spark, through Ibis's PySpark backend (the `spark` engine).

Why a module of its own: the measures are portable Ibis expressions (engines/measures.py), so
Spark needs no second copy of any rule, only a connection. Everything Spark-specific lives here
and nowhere else: starting or reusing a SparkSession (local mode by default, any master by
option or `JOINEDUP_SPARK_MASTER`), where its tables come from, its settings, and turning a
missing Java or pyspark into one line a user can act on.

Where a Spark run finds its tables (docs/engines.md):
- **a folder of contract tables as Parquet**, the layout `joinedup synth` writes and
  `joinedup load` reads: `patients.parquet` (one file) or `patients/` (a folder of Parquet
  parts, as Spark and data platforms write), one per table. Columns are cast to the data
  contract's types once, at read; a folder is read as it is, so it must already meet the
  contract (e.g. the output of a validated pipeline): `joinedup load` is the check.
- **a DuckDB store** made by `joinedup load` or `joinedup import`: its tables (except the
  rejected rows) are copied to Parquet in a private temporary folder (TMPDIR), read from
  there, and the copy is deleted when the connection closes.

pyspark is an optional extra (`pip install 'joinedup[spark]'`) imported only when a Spark
connection is made, so nothing else pays for it.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from joinedup.domain import contract
from joinedup.domain.errors import UserError

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends import BaseBackend
    from pyspark.sql import DataFrame, SparkSession

MASTER_ENV = "JOINEDUP_SPARK_MASTER"
"""The environment variable naming the Spark master when no option does."""
DEFAULT_MASTER = "local[*]"
"""Spark in this process, on every core: no cluster to set up."""
LOG_ENV = "JOINEDUP_SPARK_LOG4J"
"""The environment variable naming a log4j2 properties file to use instead of ours."""
NOT_EXPORTED = frozenset({"rejects"})
"""Store tables no measure reads, left out of the Parquet copy (rejected rows may hold
identifiable values, so they are not copied anywhere they need not be)."""

JAVA_OPTIONS = "spark.driver.extraJavaOptions"
SETTINGS: Mapping[str, str] = {
    "spark.app.name": "joinedup",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # Dates and timestamps mean what they say, whatever the machine's zone.
    "spark.sql.session.timeZone": "UTC",
    # Results come back to Python (the per-practice totals) through Arrow, not row by row.
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
"""Settings every session joinedup starts gets; spark-defaults.conf can add the rest."""
LOCAL_SETTINGS: Mapping[str, str] = {
    # A local session listens on loopback only.
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
"""Added when the master is local: nothing listens beyond this machine."""


class SparkUnavailableError(UserError):
    """pyspark or Java is missing, or the Spark session cannot start."""


class SparkTablesError(UserError):
    """A Parquet folder that is not the data contract's tables."""


def master_url(master: str | None = None) -> str:
    """The master asked for, else `JOINEDUP_SPARK_MASTER`, else local mode on every core."""
    return master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER


def start_session(
    master: str | None = None, settings: Mapping[str, str] | None = None
) -> tuple[SparkSession, bool]:
    """A SparkSession and whether this call started it.

    An active session (a notebook's, the tests') is reused as it is, as Spark's own
    `getOrCreate` does; otherwise one starts at `master_url(master)` with `SETTINGS`,
    `LOCAL_SETTINGS` for a local master, and `settings` on top.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError(
            "the spark engine needs pyspark: pip install 'joinedup[spark]' (docs/engines.md)"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    url = master_url(master)
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkUnavailableError(
            "the spark engine needs Java 17: install openjdk-17-jre-headless (make system-deps) "
            "or set JAVA_HOME"
        )
    builder = SparkSession.builder.master(url)
    config = {**SETTINGS, **(LOCAL_SETTINGS if url.startswith("local") else {}), **(settings or {})}
    java = config.get(JAVA_OPTIONS, "")
    config[JAVA_OPTIONS] = f"-Dlog4j2.configurationFile={_log_settings()} {java}".strip()
    for key, value in config.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # py4j and pyspark raise several types; report one line
        raise SparkUnavailableError(
            f"Spark did not start at master {url!r}: {str(error).splitlines()[0]}"
        ) from error
    session.sparkContext.setLogLevel("ERROR")
    return session, True


def _log_settings() -> str:
    """The log4j2 file for the driver: `JOINEDUP_SPARK_LOG4J`, else ours (errors only)."""
    own = Path(__file__).with_name("spark_log4j2.properties")
    return Path(os.environ.get(LOG_ENV) or own).resolve().as_uri()


def connect(
    database: Path | str, *, read_only: bool = True, master: str | None = None
) -> BaseBackend:
    """An Ibis PySpark backend over the tables at `database`: a folder of contract Parquet
    tables or a DuckDB store file (module docstring). Spark only reads: `read_only` is accepted
    for the engine interface and must be true."""
    if not read_only:
        raise ValueError("the spark engine reads stores; it does not write them")
    path = Path(database)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no store or Parquet folder here")
    session, started = start_session(master)
    export = None
    try:
        own = session.newSession()
        if path.is_dir():
            folder = path
        else:
            folder = export = Path(tempfile.mkdtemp(prefix="joinedup-spark-"))
            export_store(path, folder)
        for name, frame in read_tables(own, folder).items():
            frame.createOrReplaceTempView(name)
        return _backend(own, export=export, started=session if started else None)
    except BaseException:
        if export is not None:
            shutil.rmtree(export, ignore_errors=True)
        if started:
            session.stop()
        raise


def connect_arrow(session: SparkSession, tables: Mapping[str, pa.Table]) -> BaseBackend:
    """An Ibis backend holding in-memory Arrow tables as its own views (tests, small examples),
    on a new session sharing `session`'s context so two sets of tables never meet."""
    own = session.newSession()
    for name, table in tables.items():
        own.createDataFrame(table).createOrReplaceTempView(name)
    return _backend(own)


def read_tables(session: SparkSession, folder: Path) -> dict[str, DataFrame]:
    """Every table in a Parquet folder, contract tables cast to the contract's types."""
    found: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.suffix == ".parquet":
            found[entry.stem] = entry
        elif entry.is_dir() and any(entry.glob("*.parquet")):
            found[entry.name] = entry
    missing = [name for name in contract.REQUIRED_TABLES if name not in found]
    if missing and "store_info" not in found:
        raise SparkTablesError(
            f"{folder}: no {missing[0]} table (expected {missing[0]}.parquet or a "
            f"{missing[0]}/ folder of Parquet parts)"
        )
    frames = {}
    for name, where in found.items():
        try:
            frame = session.read.parquet(str(where))
        except Exception as error:  # Spark's analysis errors come through py4j in several types
            reason = str(error).strip().splitlines()[0]
            raise SparkTablesError(f"{where.name}: Spark cannot read it: {reason}") from error
        if name in _CONTRACT_TABLES:
            frame = _as_contract(frame, contract.table(name), where)
        frames[name] = frame
    return frames


def export_store(store: Path, folder: Path) -> list[str]:
    """Copy a DuckDB store's tables (but `NOT_EXPORTED`) to `folder` as `<table>.parquet`."""
    import duckdb

    with duckdb.connect(str(store), read_only=True) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
            ).fetchall()
            if row[0] not in NOT_EXPORTED
        ]
        for name in names:
            target = str(folder / f"{name}.parquet").replace("'", "''")
            db.execute(f"COPY \"{name}\" TO '{target}' (FORMAT parquet)")
    return names


_CONTRACT_TABLES = frozenset(t.name for t in contract.TABLES)
_SPARK_TYPES: Mapping[str, str] = {
    "string": "string",
    "date": "date",
    "timestamp": "timestamp",
    "int": "bigint",
    "float": "double",
    "bool": "boolean",
}
"""The contract's abstract types as Spark SQL types (as engines/tables.py maps them for Ibis)."""


def _as_contract(frame: DataFrame, table: contract.Table, where: Path) -> DataFrame:
    """The contract's columns in its order and types (every one must be there, as for
    `joinedup load`); other columns are left out."""
    from pyspark.sql import functions as F

    missing = [c for c in table.column_names if c not in frame.columns]
    if missing:
        raise SparkTablesError(
            f"{where.name} is missing columns: {', '.join(missing)} "
            f"(the {table.name} table needs {', '.join(table.column_names)})"
        )
    return frame.select(
        *[F.col(c.name).cast(_SPARK_TYPES[c.type]).alias(c.name) for c in table.columns]
    )


def _backend(
    session: SparkSession, *, export: Path | None = None, started: SparkSession | None = None
) -> BaseBackend:
    backend = _backend_class()().connect(session)
    backend.cleanup = (export, started)
    return backend


@functools.cache
def _backend_class() -> type[BaseBackend]:
    """Ibis's PySpark backend whose `disconnect` stops only a session this engine started
    (never a notebook's or the tests') and deletes its Parquet copy of a store."""
    import ibis
    from ibis.backends.pyspark import Backend

    ibis.pyspark  # noqa: B018 - loading the backend through ibis registers its options

    class SparkBackend(Backend):
        cleanup: tuple[Path | None, SparkSession | None] = (None, None)

        def disconnect(self) -> None:
            export, started = self.cleanup
            self.cleanup = (None, None)
            try:
                if started is not None:
                    started.stop()
            finally:
                if export is not None:
                    shutil.rmtree(export, ignore_errors=True)

    return SparkBackend
