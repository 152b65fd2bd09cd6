"""The SQL Modulus 11 check agrees with the domain's ``is_valid`` on every string tried."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.domain.nhs_number import check_digit, is_valid, synthetic_numbers
from joinedup.store.nhs_number_sql import nhs_number_valid_sql


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def sql_valid(con: duckdb.DuckDBPyConnection, value: str | None) -> bool:
    row = con.execute(f"SELECT {nhs_number_valid_sql('$v')}", {"v": value}).fetchone()
    assert row is not None
    return bool(row[0])


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("9434765919", True),  # the NHS Data Dictionary's worked example
        ("9434765918", False),  # wrong check digit
        ("9000000009", True),  # first synthetic number: remainder 0, check digit 11 -> 0
        ("9000000050", False),  # 900000005: its check digit would be 10, so never issued
        ("9000000059", False),
        ("943476591", False),  # nine digits
        ("94347659190", False),  # eleven digits
        ("943 476 5919", False),  # spaced, as printed on letters, is not the stored form
        ("943476591X", False),
        ("", False),
        (None, False),
    ],
)
def test_known_numbers(con: duckdb.DuckDBPyConnection, number: str | None, valid: bool) -> None:
    assert sql_valid(con, number) is valid


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 -Xa", max_size=12))
def test_agrees_with_domain_on_digit_like_text(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert sql_valid(con, text) is is_valid(text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.integers(0, 9))
def test_agrees_with_domain_on_every_ten_digit_shape(
    con: duckdb.DuckDBPyConnection, body: str, last: int
) -> None:
    number = f"{body}{last}"
    assert sql_valid(con, number) is is_valid(number)
    assert sql_valid(con, number) is (check_digit(body) == last)


def test_agrees_on_a_column_of_synthetic_numbers(con: duckdb.DuckDBPyConnection) -> None:
    good = [str(n) for n in synthetic_numbers(2000)]
    broken = [n[:9] + str((int(n[9]) + 1) % 10) for n in good]
    rows = con.execute(
        f"SELECT count(*) FILTER (WHERE {nhs_number_valid_sql('n')}) FROM unnest($ns) t(n)",
        {"ns": good + broken},
    ).fetchone()
    assert rows == (2000,)
