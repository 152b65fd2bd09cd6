"""ODS epraccur (no header row) and ePCN (a workbook): real rows load; every rejection reason."""

from __future__ import annotations

from datetime import date
from itertools import islice
from pathlib import Path

import pytest
from openpyxl import Workbook

from joinedup.sources.ods import (
    PARTNER_SHEET,
    PCN_SHEET,
    ods_date,
    read_epcn,
    read_epraccur,
)
from joinedup.sources.qof.readers import SourceFileError

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "geography"
GOOD = ('"A81001","THE DENSHAM SURGERY","Y63","QHM","THE HEALTH CENTRE","LAWSON STREET",'
        '"STOCKTON-ON-TEES","CLEVELAND","","TS18 1HU","19740401","","A","B","16C","20200401",'
        '"","01642 672351","","","","0","","16C","","4",""')


def epraccur(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "epraccur.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_slice_of_the_real_epraccur_loads(tmp_path: Path) -> None:
    with (SHARED / "epraccur.csv").open(encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in islice(handle, 40)]
    result = read_epraccur(epraccur(tmp_path, *lines))
    assert (result.rows_in, result.loaded, result.rejected) == (40, 40, 0)
    first, third = result.rows[0], result.rows[2]
    assert (first.org_code, first.name, first.status, first.commissioner) == (
        "A81001", "THE DENSHAM SURGERY", "A", "16C")
    assert (first.open_date, first.close_date, first.prescribing_setting) == (
        date(1974, 4, 1), None, 4)
    assert third.close_date == date(2017, 10, 31) and not third.is_open_on(date(2020, 1, 1))


def test_channel_islands_practices_are_ods_codes_too(tmp_path: Path) -> None:
    line = GOOD.replace('"A81001"', '"GUE201"', 1)
    assert read_epraccur(epraccur(tmp_path, line)).rows[0].org_code == "GUE201"


def test_epraccur_rejections(tmp_path: Path) -> None:
    def edit(index: int, value: str) -> str:
        cells = GOOD.split('","')
        cells[index] = value
        return '","'.join(cells)

    result = read_epraccur(epraccur(
        tmp_path,
        GOOD,                                   # 1 good
        edit(10, "1974-04-01"),                 # 2 open date not YYYYMMDD
        edit(11, "19700101"),                   # 3 closed before it opened
        edit(12, "X"),                          # 4 status
        GOOD,                                   # 5 repeat
        '"A81009","SHORT ROW"',                 # 6 wrong width
        edit(25, "four"),                       # 7 prescribing setting
    ))
    assert (result.rows_in, result.loaded, result.rejected) == (7, 1, 6)
    by_row = {r.row_number: (r.field, r.reason) for r in result.rejects}
    assert by_row[2] == ("open_date", "open_date is not a date (YYYYMMDD)")
    assert by_row[3] == ("close_date", "close_date is before open_date")
    assert by_row[4] == ("status_code", "status_code is not A, C, D or P")
    assert by_row[5] == ("*", "repeats row 1 (same org_code)")
    assert by_row[6][0] == "*" and "expected 27 fields, found 2" in by_row[6][1]
    assert by_row[7][0] == "prescribing_setting"


def test_the_real_epcn_workbook_loads() -> None:
    pcns, partners = read_epcn(SHARED / "ePCN.xlsx")
    assert (pcns.rows_in, pcns.rejected) == (1329, 0)
    assert (partners.rows_in, partners.rejected) == (7455, 0)
    first = partners.rows[0]
    assert (first.practice_code, first.pcn_code, first.start_date) == (
        "A81001", "U89141", date(2019, 10, 1))
    assert first.is_current_on(date(2023, 1, 1))
    assert pcns.rows[0].sub_icb_code == "36L"


def epcn(tmp_path: Path, pcn_rows: list[list[object]], partner_rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = PCN_SHEET
    sheet.append(["PCN Code", "PCN Name", "Current Sub ICB Loc Code", "Sub ICB Location",
                  "Open Date", "Close Date"])
    for values in pcn_rows:
        sheet.append(values)
    partners = book.create_sheet(PARTNER_SHEET)
    partners.append(["Partner\nOrganisation\nCode", "Partner\nName", "PCN Code",
                     "Practice to PCN\nRelationship\nStart Date",
                     "Practice to PCN\nRelationship\nEnd Date"])
    for values in partner_rows:
        partners.append(values)
    path = tmp_path / "ePCN.xlsx"
    book.save(path)
    return path


def test_epcn_rejections(tmp_path: Path) -> None:
    path = epcn(
        tmp_path,
        [["U00070", "WEST MERTON PCN", "36L", "SW LONDON", "20191001", None],
         ["X1", "BAD CODE PCN", "36L", "SW LONDON", "20191001", None],
         ["U00071", "", "36L", "SW LONDON", "20191001", "20180101"]],
        [["A81001", "DENSHAM", "U00070", "20191001", None],
         ["A81001", "DENSHAM", "U00070", "20191001", None],
         ["A8100", "BAD", "U00070", "2019-10-01", None]],
    )
    pcns, partners = read_epcn(path)
    assert (pcns.loaded, pcns.rejected, partners.loaded, partners.rejected) == (1, 2, 1, 2)
    assert pcns.rejects[0].reason == "PCN Code is not a PCN code"
    assert pcns.rejects[1].reason == "PCN Name is blank; close_date is before open_date"
    assert pcns.rejects[1].file_name == "ePCN.xlsx[PCNDetails]"
    assert partners.rejects[0].reason == "repeats row 1 (same practice, PCN and start)"
    assert partners.rejects[1].field == "Partner Organisation Code"
    assert "start_date is not a date (YYYYMMDD)" in partners.rejects[1].reason


def test_a_workbook_without_the_sheet_is_named(tmp_path: Path) -> None:
    book = Workbook()
    path = tmp_path / "other.xlsx"
    book.save(path)
    with pytest.raises(SourceFileError, match="no sheet 'PCNDetails'"):
        read_epcn(path)


@pytest.mark.parametrize(("value", "day"), [("20191001", date(2019, 10, 1)), ("", None),
                                            (20191001.0, date(2019, 10, 1)), (None, None)])
def test_ods_dates(value: object, day: date | None) -> None:
    assert ods_date(value) == day
