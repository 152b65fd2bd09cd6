"""How text and typed file values become contract values: what is present, parsed or refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import duckdb
import pytest

from joinedup.store.parsing import column_sql


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    yield connection
    connection.close()


def read(
    con: duckdb.DuckDBPyConnection, value: str, source_type: str, contract_type: str
) -> tuple[bool, object]:
    """(present, parsed) for one value given as a SQL literal of ``source_type``."""
    sql = column_sql("v", source_type, contract_type)
    row = con.execute(
        f"SELECT {sql.present}, {sql.parsed} FROM (SELECT CAST({value} AS {source_type}) AS v)"
    ).fetchone()
    assert row is not None
    return bool(row[0]), row[1]


MISSING = (False, None)
REFUSED = (True, None)


@pytest.mark.parametrize(
    ("text", "contract_type", "expected"),
    [
        ("'2020-02-29'", "date", (True, date(2020, 2, 29))),
        ("' 2020-02-29 '", "date", (True, date(2020, 2, 29))),
        ("'2021-02-29'", "date", REFUSED),  # no such day
        ("'2020-2-9'", "date", REFUSED),  # not zero-padded ISO
        ("'29/02/2020'", "date", REFUSED),
        ("'2020-02-29 10:00:00'", "date", REFUSED),  # a timestamp is not a date in text
        ("''", "date", MISSING),
        ("'   '", "date", MISSING),
        ("NULL", "date", MISSING),
        ("'2020-01-05 10:30'", "timestamp", (True, datetime(2020, 1, 5, 10, 30))),
        ("'2020-01-05T10:30:15.5'", "timestamp", (True, datetime(2020, 1, 5, 10, 30, 15, 500000))),
        ("'2020-01-05'", "timestamp", (True, datetime(2020, 1, 5))),
        ("'2020-01-05T10:30:00+01:00'", "timestamp", (True, datetime(2020, 1, 5, 9, 30))),
        ("'2020-01-05T10:30:00Z'", "timestamp", (True, datetime(2020, 1, 5, 10, 30))),
        ("'5 Jan 2020'", "timestamp", REFUSED),
        ("'42'", "int", (True, 42)),
        ("'-7'", "int", (True, -7)),
        ("'3.0'", "int", (True, 3)),  # pandas writes whole numbers with gaps this way
        ("'3.5'", "int", REFUSED),  # DuckDB alone would round this to 4
        ("'1e3'", "int", REFUSED),
        ("'12,000'", "int", REFUSED),
        ("'99999999999999999999'", "int", REFUSED),  # beyond 64 bits
        ("'142.5'", "float", (True, 142.5)),
        ("'1e3'", "float", (True, 1000.0)),
        ("'NaN'", "float", MISSING),
        ("'inf'", "float", REFUSED),
        ("'high'", "float", REFUSED),
        ("'TRUE'", "bool", (True, True)),
        ("'1'", "bool", (True, True)),
        ("'false'", "bool", (True, False)),
        ("'0'", "bool", (True, False)),
        ("'yes'", "bool", REFUSED),
        ("'  P1  '", "string", (True, "P1")),
        ("''", "string", MISSING),
    ],
)
def test_text(
    con: duckdb.DuckDBPyConnection, text: str, contract_type: str, expected: tuple[bool, object]
) -> None:
    assert read(con, text, "VARCHAR", contract_type) == expected


@pytest.mark.parametrize(
    ("value", "source_type", "contract_type", "expected"),
    [
        ("DATE '2020-01-02'", "DATE", "date", (True, date(2020, 1, 2))),
        ("TIMESTAMP '2020-01-02 23:59:00'", "TIMESTAMP", "date", (True, date(2020, 1, 2))),
        ("TIMESTAMP '2020-01-02 23:59:00'", "TIMESTAMP_NS", "timestamp",
         (True, datetime(2020, 1, 2, 23, 59))),
        ("DATE '2020-01-02'", "DATE", "timestamp", (True, datetime(2020, 1, 2))),
        ("20200102", "INTEGER", "date", REFUSED),
        ("7", "TINYINT", "int", (True, 7)),
        ("7.0", "DOUBLE", "int", (True, 7)),
        ("7.5", "DOUBLE", "int", REFUSED),
        ("'NaN'", "DOUBLE", "int", MISSING),
        ("'NaN'", "DOUBLE", "float", MISSING),
        ("'Infinity'", "DOUBLE", "float", REFUSED),
        ("12.25", "DECIMAL(6,2)", "float", (True, 12.25)),
        ("3", "BIGINT", "float", (True, 3.0)),
        ("true", "BOOLEAN", "bool", (True, True)),
        ("0", "INTEGER", "bool", (True, False)),
        ("2", "INTEGER", "bool", REFUSED),
        ("true", "BOOLEAN", "int", REFUSED),
        ("9434765919", "BIGINT", "string", (True, "9434765919")),
        ("NULL", "BIGINT", "string", MISSING),
    ],
)  # fmt: skip
def test_typed(
    con: duckdb.DuckDBPyConnection,
    value: str,
    source_type: str,
    contract_type: str,
    expected: tuple[bool, object],
) -> None:
    assert read(con, value, source_type, contract_type) == expected
