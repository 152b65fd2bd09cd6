"""Outputs stay readable and complete at national scale: grouped chart bars, the Excel copy."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from joinedup.outputs.report import CHART_ROWS, _gap_bars
from joinedup.outputs.tables import _collector_paused, write_workbook


def test_a_chart_of_many_organisations_shows_the_largest_and_groups_the_rest() -> None:
    rows = [{"name": f"PCN {i:04d}", "code": f"U{i:05d}", "to_find": 1000 - i, "to_treat": i % 7}
            for i in range(CHART_ROWS + 1225)]
    svg = _gap_bars(rows, "Patients to find and to treat, by PCN")
    assert "PCN 0000" in svg and f"PCN {CHART_ROWS - 1:04d}" in svg
    assert f"PCN {CHART_ROWS:04d}" not in svg  # the 26th is inside the "others" bar
    assert "1,225 others" in svg


def test_a_few_organisations_are_drawn_one_bar_each() -> None:
    rows = [{"name": "North", "code": "P1", "to_find": 5, "to_treat": None}]
    svg = _gap_bars(rows, "Patients to find and to treat")
    assert "North" in svg and "others" not in svg


def test_the_workbook_holds_every_row_blank_unknowns_and_the_note(tmp_path: Path) -> None:
    rows = [
        {"period_end": date(2026, 3, 31), "practice_code": "A", "expected": 12.5, "eligible": 40},
        {"period_end": date(2026, 3, 31), "practice_code": "B", "expected": 3.25,
         "eligible": None},
        {"period_end": date(2026, 3, 31), "practice_code": "C", "expected": float("nan"),
         "eligible": 0},
    ]
    path = tmp_path / "t.xlsx"
    write_workbook(rows, list(rows[0]), path, sheet="practices",
                   note="working output, not for publication")
    book = load_workbook(path)
    rows = list(book["practices"].values)
    assert rows == [("period_end", "practice_code", "expected", "eligible"),
                    ("2026-03-31", "A", 12.5, 40), ("2026-03-31", "B", 3.25, None),
                    ("2026-03-31", "C", None, 0)]
    assert list(book["about"].values) == [("about",), ("working output, not for publication",)]


def test_workbook_cells_keep_their_types_and_text_stays_text(tmp_path: Path) -> None:
    rows = [{"name": "=1+2", "site": "https://example.org", "willing": True, "wave": None,
             "rate": float("inf"), "when": date(2026, 3, 31), "count": 3, "blank": ""}]
    path = tmp_path / "t.xlsx"
    write_workbook(rows, list(rows[0]), path, sheet="practices", note="note")
    cells = next(load_workbook(path)["practices"].iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in cells] == [
        ("=1+2", "s"), ("https://example.org", "s"), (True, "b"), (None, "n"),
        ("=1/0", "f"), ("2026-03-31", "s"), (3, "n"), (None, "n")]
    assert cells[1].hyperlink is None


def test_the_workbook_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    rows = [{"practice_code": "A", "list_size": 1}]
    for was_on in (True, False):
        (gc.enable if was_on else gc.disable)()
        try:
            write_workbook(rows, list(rows[0]), tmp_path / "t.xlsx", sheet="p", note="n")
            assert gc.isenabled() is was_on
            with pytest.raises(RuntimeError):  # a failed write too
                write_workbook(_failing_rows(), ["x"], tmp_path / "u.xlsx", sheet="p", note="n")
            assert gc.isenabled() is was_on
        finally:
            gc.enable()


def test_the_collector_comes_back_when_the_last_overlapping_workbook_ends() -> None:
    first, second = _collector_paused(), _collector_paused()  # two threads' downloads
    first.__enter__()
    second.__enter__()  # begins while the collector is already paused by the first
    try:
        first.__exit__(None, None, None)
        assert not gc.isenabled()  # the second is still writing
    finally:
        second.__exit__(None, None, None)
    assert gc.isenabled()


def _failing_rows() -> Iterator[dict[str, int]]:
    yield {"x": 1}
    raise RuntimeError("the rows could not be read")
