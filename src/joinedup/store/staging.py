"""One table's way through a load: read, check, write the good rows and the rejects.

Why staged in temporary tables: each step is one set-wise statement over the whole table, so
DuckDB does the work in parallel and nothing is done row by row in Python. The raw rows stay
until the rejects are written, so every rejected row is kept exactly as the file had it.

Temporary tables per table ``t``: ``raw_t`` (the file as read, in file order: ``rowid + 1`` is
the data row number), ``stage_t`` (parsed values, present flags and row-level problems),
``dups_t`` (repeats and the row they repeat), ``problems_t`` (every rejected row with its
problems) and ``rejected_keys_t`` (keys present in the file but not loaded, for later tables'
"refers to a rejected ..." reasons).
"""

from __future__ import annotations

from datetime import date

import duckdb

from joinedup.domain.contract import Table
from joinedup.store.checks import (
    Check,
    any_fails,
    duplicate_spec,
    link_checks,
    links,
    present,
    problem_list,
    row_checks,
    row_ref,
)
from joinedup.store.organisation_tree import tree_rejects
from joinedup.store.parsing import ISO_DATE, STORED_TYPES, DateFormat, column_sql
from joinedup.store.report import TableCounts
from joinedup.store.source_files import SourceFile, read_error
from joinedup.store.sql import ident, literal

# Tables whose rejected keys later tables need, to say "refers to a rejected ...".
REFERENCED = ("organisations", "patients")


def create_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """The empty contract table in the database, typed as the contract says."""
    columns = ", ".join(f"{ident(c.name)} {STORED_TYPES[c.type]}" for c in table.columns)
    con.execute(f"CREATE TABLE main.{ident(table.name)} ({columns})")


class TableLoad:
    """The statements that load one table from one source file."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        source: SourceFile,
        today: date,
        target_files: dict[str, tuple[str, str]],
        day: DateFormat = ISO_DATE,
    ) -> None:
        self.con = con
        self.source = source
        self.table = source.table
        self.today = today
        self.target_files = target_files
        self.day = day
        name = self.table.name
        self.raw = ident(f"raw_{name}")
        self.stage = ident(f"stage_{name}")
        self.dups = ident(f"dups_{name}")
        self.problems = ident(f"problems_{name}")

    def read(self) -> None:
        """Copy the file into ``raw_t``, in file order; a malformed file raises LoadError."""
        try:
            self.con.execute(
                f"CREATE TEMP TABLE {self.raw} AS SELECT * FROM {self.source.reader_sql()}"
            )
        except duckdb.Error as exc:
            raise read_error(self.source, exc) from None

    def check(self) -> None:
        """Find every row to reject and why, into ``problems_t``."""
        self._stage()
        self._find_duplicates()
        self._find_problems()
        if self.table.name == "organisations":
            self._check_tree()

    def write(self) -> None:
        """Insert the rows that passed into the contract table, in the table's stored order
        (contract.Table.stored_order), and the rest into rejects."""
        columns = ", ".join(ident(c) for c in self.table.column_names)
        order = ", ".join([*(ident(c) for c in self.table.stored_order), "_row"])
        self.con.execute(
            f"INSERT INTO main.{ident(self.table.name)} SELECT {columns} FROM {self.stage} "
            f"WHERE _row NOT IN (SELECT _row FROM {self.problems}) ORDER BY {order}"
        )
        if self.table.name in REFERENCED:
            key = ident(self.table.key[0])
            self.con.execute(
                f"CREATE TEMP TABLE {ident('rejected_keys_' + self.table.name)} AS "
                f"SELECT {key}, min(_row) AS _row FROM {self.stage} WHERE {key} IS NOT NULL "
                f"AND {key} NOT IN (SELECT {key} FROM main.{ident(self.table.name)}) "
                f"GROUP BY {key}"
            )
        raw_row = ", ".join(f"{literal(c)}: r.{ident(c)}" for c in self.source.columns)
        line = "p._row + 1" if self.source.format == "csv" else "CAST(NULL AS BIGINT)"
        self.con.execute(
            "INSERT INTO main.rejects "
            f"SELECT {literal(self.table.name)}, {literal(self.source.name)}, p._row, {line}, "
            "p.problems[1].field, "
            "array_to_string(list_transform(p.problems, lambda x: x.reason), '; '), "
            f"CAST(to_json({{{raw_row}}}) AS VARCHAR) "
            f"FROM {self.problems} p JOIN {self.raw} r ON r.rowid = p._row - 1 ORDER BY p._row"
        )

    def counts(self) -> TableCounts:
        """Counted from the tables themselves; TableCounts refuses counts that lose rows."""
        name = self.table.name
        row = self.con.execute(
            f"SELECT (SELECT count(*) FROM {self.raw}), (SELECT count(*) FROM {self.problems}), "
            f"(SELECT count(*) FROM main.rejects WHERE table_name = {literal(name)}), "
            f"(SELECT count(*) FROM main.{ident(name)})"
        ).fetchone()
        assert row is not None
        rows_in, rejected, listed, loaded = (int(n) for n in row)
        if listed != rejected:
            raise AssertionError(f"{name}: {rejected} rejected rows but {listed} in rejects")
        return TableCounts(
            table=name,
            file=self.source.name,
            rows_in=rows_in,
            loaded=loaded,
            rejected=rejected,
            ignored_columns=self.source.ignored_columns,
        )

    def problem_counts(self) -> list[tuple[str, int]]:
        """(reason, rows) for each reason found in this table; a row counts once per reason."""
        rows = self.con.execute(
            f"SELECT p.reason, count(*) FROM (SELECT unnest(problems) AS p FROM {self.problems}) "
            "GROUP BY p.reason"
        ).fetchall()
        return [(str(reason), int(n)) for reason, n in rows]

    def drop(self) -> None:
        """Free the memory the big temporary tables hold (rejected keys stay for later tables)."""
        for temp in (self.raw, self.stage, self.dups, self.problems):
            self.con.execute(f"DROP TABLE IF EXISTS {temp}")

    # -- steps -----------------------------------------------------------------------------

    def _stage(self) -> None:
        types = self.source.source_type
        parsed = ["rowid + 1 AS _row"]
        for c in self.table.columns:
            sql = column_sql(ident(c.name), types[c.name], c.type, self.day)
            parsed.append(f"{sql.parsed} AS {ident(c.name)}")
            parsed.append(f"{sql.present} AS {ident(present(c.name))}")
        checks = row_checks(self.table, self.today, day=self.day)
        self.con.execute(
            f"CREATE TEMP TABLE {self.stage} AS "
            f"SELECT *, CASE WHEN {any_fails(checks)} THEN {problem_list(checks)} END AS _problems "
            f"FROM (SELECT {', '.join(parsed)} FROM {self.raw})"
        )

    def _find_duplicates(self) -> None:
        spec = duplicate_spec(self.table)
        if spec is None:
            self.con.execute(f"CREATE TEMP TABLE {self.dups} (_row BIGINT, _first BIGINT)")
            return
        cols = ", ".join(ident(c) for c in spec.columns)
        # Hash every row, sort the hashes and keep rows whose hash equals a neighbour's: only
        # those few can repeat, and only they are compared column by column. (Sorting is much
        # faster in DuckDB than grouping tens of millions of distinct values.)
        self.con.execute(
            f"CREATE TEMP TABLE {self.dups} AS "
            f"WITH hashed AS (SELECT _row, hash({cols}) AS _h FROM {self.stage} "
            f"  WHERE {spec.eligible}), "
            "flagged AS (SELECT _row FROM (SELECT _row, "
            "  _h = lag(_h) OVER byhash OR _h = lead(_h) OVER byhash AS _maybe "
            "  FROM hashed WINDOW byhash AS (ORDER BY _h)) WHERE _maybe), "
            f"ranked AS (SELECT _row, min(_row) OVER (PARTITION BY {cols}) AS _first "
            f"  FROM {self.stage} WHERE _row IN (SELECT _row FROM flagged)) "
            "SELECT _row, _first FROM ranked WHERE _row <> _first"
        )

    def _find_problems(self) -> None:
        checks = link_checks(self.table, "s", self.target_files)
        spec = duplicate_spec(self.table)
        if spec is not None:
            checks.append(
                Check(
                    spec.field,
                    "d._first IS NOT NULL",
                    f"{literal(spec.reason_prefix)} || {row_ref('d._first', self.source.format)}",
                )
            )
        joins = [f"LEFT JOIN {self.dups} d ON s._row = d._row"]
        for link in links(self.table):
            target, key, col = ident(link.target), ident(link.key), ident(link.column)
            joins.append(f"LEFT JOIN main.{target} {link.alias} ON s.{col} = {link.alias}.{key}")
            joins.append(
                f"LEFT JOIN {ident('rejected_keys_' + link.target)} {link.rejected_alias} "
                f"ON s.{col} = {link.rejected_alias}.{key}"
            )
        self.con.execute(
            f"CREATE TEMP TABLE {self.problems} AS "
            f"SELECT s._row, list_concat(coalesce(s._problems, []), {problem_list(checks)}) "
            f"AS problems FROM {self.stage} s {' '.join(joins)} "
            f"WHERE s._problems IS NOT NULL OR {any_fails(checks)}"
        )

    def _check_tree(self) -> None:
        columns = self.table.column_names
        select = ", ".join(ident(c) for c in columns)
        passed = self.con.execute(
            f"SELECT _row, {select} FROM {self.stage} "
            f"WHERE _row NOT IN (SELECT _row FROM {self.problems}) ORDER BY _row"
        ).fetchall()
        rows = {r[0]: dict(zip(columns, r[1:], strict=True)) for r in passed}
        first_row = dict(
            self.con.execute(
                f"SELECT org_code, min(_row) FROM {self.stage} "
                "WHERE org_code IS NOT NULL GROUP BY org_code"
            ).fetchall()
        )
        rejected = tree_rejects(rows, first_row, self.source.name, self.source.format)
        if not rejected:
            return
        flat = [
            (row, order, field, reason)
            for row, problems in rejected.items()
            for order, (field, reason) in enumerate(problems)
        ]
        self.con.execute(
            "CREATE TEMP TABLE tree_problems "
            "(_row BIGINT, n INTEGER, field VARCHAR, reason VARCHAR)"
        )
        self.con.executemany("INSERT INTO tree_problems VALUES (?, ?, ?, ?)", flat)
        self.con.execute(
            f"INSERT INTO {self.problems} SELECT _row, "
            "list({'field': field, 'reason': reason} ORDER BY n) FROM tree_problems GROUP BY _row"
        )
        self.con.execute("DROP TABLE tree_problems")
