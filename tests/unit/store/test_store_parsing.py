"""How text and typed file values become contract values: what is present, parsed or refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import duckdb
import pytest

from joinedup.store.errors import LoadError
from joinedup.store.parsing import DATE_FORMATS, column_sql, date_format
from joinedup.store.parsing import expected as reason_text


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    yield connection
    connection.close()


def read(
    con: duckdb.DuckDBPyConnection, value: str, source_type: str, contract_type: str,
    day: str | None = None,
) -> tuple[bool, object]:
    """(present, parsed) for one value given as a SQL literal of ``source_type``."""
    sql = column_sql("v", source_type, contract_type, date_format(day))
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
        ("'2020-02-29 10:00:00'", "date", REFUSED),  # a time of day is not a date in text
        ("'2020-02-29 00:00:00'", "date", (True, date(2020, 2, 29))),  # as pandas writes dates
        ("'2020-02-29T00:00:00'", "date", (True, date(2020, 2, 29))),
        ("'2020-02-29 00:00:00.000'", "date", (True, date(2020, 2, 29))),
        ("'2020-02-29 00:00:01'", "date", REFUSED),
        ("'2020-02-29 00:00:00Z'", "date", REFUSED),  # an offset could move the day
        ("'2020-02-30 00:00:00'", "date", REFUSED),
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


@pytest.mark.parametrize(
    ("text", "day", "contract_type", "expected"),
    [
        ("'20/12/1949'", None, "date", REFUSED),  # never guessed
        ("'20/12/1949'", "DD/MM/YYYY", "date", (True, date(1949, 12, 20))),
        ("'01/02/1950'", "DD/MM/YYYY", "date", (True, date(1950, 2, 1))),
        ("'1/2/1950'", "DD/MM/YYYY", "date", (True, date(1950, 2, 1))),
        ("'20/12/1949 00:00'", "DD/MM/YYYY", "date", (True, date(1949, 12, 20))),
        ("'20/12/1949 10:00'", "DD/MM/YYYY", "date", REFUSED),
        ("'20/12/49'", "DD/MM/YYYY", "date", REFUSED),  # which century?
        ("'12/20/1949'", "DD/MM/YYYY", "date", REFUSED),  # there is no month 20
        ("'31/02/1950'", "DD/MM/YYYY", "date", REFUSED),
        ("'1949-12-20'", "DD/MM/YYYY", "date", (True, date(1949, 12, 20))),
        ("'20-Dec-1949'", None, "date", REFUSED),
        ("'20-Dec-1949'", "DD-MMM-YYYY", "date", (True, date(1949, 12, 20))),
        ("'20-dec-1949'", "dd-mmm-yyyy", "date", (True, date(1949, 12, 20))),
        ("'20-December-1949'", "DD-MMM-YYYY", "date", REFUSED),
        ("'20-Dec-1949'", "DD/MM/YYYY", "date", REFUSED),
        ("'20/12/2019 10:30'", "DD/MM/YYYY", "timestamp", (True, datetime(2019, 12, 20, 10, 30))),
        ("'20/12/2019 10:30:15.5'", "DD/MM/YYYY", "timestamp",
         (True, datetime(2019, 12, 20, 10, 30, 15, 500000))),
        ("'20-Dec-2019'", "DD-MMM-YYYY", "timestamp", (True, datetime(2019, 12, 20))),
        ("'2019-12-20 10:30'", "DD-MMM-YYYY", "timestamp", (True, datetime(2019, 12, 20, 10, 30))),
        ("'20/12/2019 25:30'", "DD/MM/YYYY", "timestamp", REFUSED),
    ],
)  # fmt: skip
def test_text_dates_in_a_declared_form(
    con: duckdb.DuckDBPyConnection, text: str, day: str | None, contract_type: str,
    expected: tuple[bool, object],
) -> None:
    assert read(con, text, "VARCHAR", contract_type, day) == expected


def test_the_accepted_date_forms_and_their_reasons() -> None:
    assert [f.name for f in DATE_FORMATS] == ["YYYY-MM-DD", "DD/MM/YYYY", "DD-MMM-YYYY"]
    assert reason_text("date") == "a date (YYYY-MM-DD)"
    assert reason_text("date", date_format("DD/MM/YYYY")) == "a date (DD/MM/YYYY or YYYY-MM-DD)"
    assert reason_text("timestamp", date_format("DD-MMM-YYYY")) == (
        "a timestamp (DD-MMM-YYYY HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS])")
    with pytest.raises(LoadError, match="'MM/DD/YYYY' is not one of"):
        date_format("MM/DD/YYYY")
