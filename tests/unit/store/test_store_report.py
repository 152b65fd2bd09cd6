"""Counts that would lose rows cannot be made; the summary says where the rejects went."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from joinedup.store.report import LoadReport, TableCounts


def test_counts_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(AssertionError, match="10 rows in but 8 loaded \\+ 1 rejected"):
        TableCounts("patients", "patients.csv", rows_in=10, loaded=8, rejected=1)


def test_totals_and_summary() -> None:
    report = LoadReport(
        db_path=Path("ics.duckdb"),
        rejects_csv=Path("ics.rejects.csv"),
        source_dir=Path("in"),
        today=date(2025, 1, 1),
        tables=(
            TableCounts("organisations", "organisations.csv", 5, 5, 0),
            TableCounts("patients", "patients.parquet", 1200, 1197, 3),
            TableCounts("medications", None, 0, 0, 0),
        ),
    )
    assert (report.rows_in, report.loaded, report.rejected) == (1205, 1202, 3)
    assert report.counts()["patients"] == {"rows_in": 1200, "loaded": 1197, "rejected": 3}
    assert report.summary().splitlines() == [
        "Loaded in into ics.duckdb (as of 2025-01-01)",
        "table          file               rows in  loaded  rejected",
        "organisations  organisations.csv        5       5         0",
        "patients       patients.parquet     1,200   1,197         3",
        "medications    (not supplied)           0       0         0",
        "total                               1,205   1,202         3",
        "3 rejected rows, with reasons, are in ics.rejects.csv and the database's rejects table.",
    ]
    with pytest.raises(KeyError):
        report.table("nope")
