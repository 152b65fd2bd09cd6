"""QOF prevalence files: real rows load as published; every rejection reason, with row and field."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from joinedup.sources.qof.prevalence import PrevalenceRow, read_prevalence
from joinedup.sources.qof.readers import Imported, SourceFileError, number, whole_number

SHARED = Path(__file__).resolve().parents[4].parent / "shared" / "data"
HEADER = "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE"


def write(tmp_path: Path, *lines: str, name: str = "PREVALENCE_1920.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_slice_of_the_real_file_loads_exactly(tmp_path: Path) -> None:
    with (SHARED / "qof" / "PREVALENCE_1920.csv").open(encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in islice(handle, 43)]  # header + 2 practices
    result = read_prevalence(write(tmp_path, *lines))
    assert (result.rows_in, result.loaded, result.rejected) == (42, 42, 0)
    assert result.rows[0] == PrevalenceRow("A81001", "AF", 105, "TOTAL", 4111)
    ckd = next(r for r in result.rows if r.practice_code == "A81001" and r.group_code == "CKD")
    assert (ckd.register, ckd.list_type, ckd.list_size) == (139, "18OV", 3258)


def test_practice_list_size_is_the_older_name_for_the_same_column(tmp_path: Path) -> None:
    path = write(tmp_path, "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,"
                 "PRACTICE_LIST_SIZE", "A81001,AF,105,TOTAL,4111")
    assert read_prevalence(path).rows == (PrevalenceRow("A81001", "AF", 105, "TOTAL", 4111),)


def test_a_register_above_its_list_is_published_and_kept(tmp_path: Path) -> None:
    # Real 2019-20 row: registers are counted at 31 March, lists at 1 January.
    path = write(tmp_path, HEADER, "Y03051,AST,197,TOTAL,138")
    assert read_prevalence(path).loaded == 1


def test_every_rejection_reason_names_row_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER,
        "A81001,AF,105,TOTAL,4111",      # 1 good
        ",AF,1,TOTAL,10",                # 2 blank practice
        "A8100,AF,1,TOTAL,10",           # 3 malformed practice
        "A81002,,1,TOTAL,10",            # 4 blank group
        "A81002,AF,-1,TOTAL,10",         # 5 negative register
        "A81002,AF,,TOTAL,10",           # 6 blank register
        "A81002,AF,2.5,TOTAL,10",        # 7 fractional register
        "A81002,AF,1,EVERYONE,10",       # 8 unknown list type
        "A81002,AF,1,TOTAL,ten",         # 9 list size not a number
        "A81001,AF,106,TOTAL,4111",      # 10 repeat of row 1
        "A81001,HYP,600,TOTAL,4000",     # 11 list size differs from row 1
        "A81002,AF,1,TOTAL",             # 12 too few fields
    )
    result = read_prevalence(path)
    assert (result.rows_in, result.loaded, result.rejected) == (12, 1, 11)
    by_row = {r.row_number: r for r in result.rejects}
    expected = {
        2: ("PRACTICE_CODE", "PRACTICE_CODE is blank"),
        3: ("PRACTICE_CODE", "not a GP practice code"),
        4: ("GROUP_CODE", "GROUP_CODE is blank"),
        5: ("REGISTER", "not a whole number of 0 or more"),
        6: ("REGISTER", "a missing count is not zero"),
        7: ("REGISTER", "not a whole number"),
        8: ("PATIENT_LIST_TYPE", "not a QOF list type"),
        9: ("PATIENT_LIST_SIZE", "not a whole number"),
        10: ("*", "repeats row 1 (same practice and group)"),
        11: ("PATIENT_LIST_SIZE", "PATIENT_LIST_SIZE 4000 differs from row 1 (4111)"),
        12: ("*", "expected 5 fields, found 4"),
    }
    for row, (field, reason) in expected.items():
        assert by_row[row].field == field, row
        assert reason in by_row[row].reason, (row, by_row[row].reason)
        assert by_row[row].line_number == row + 1
        assert by_row[row].file_name == "PREVALENCE_1920.csv"
    assert by_row[9].raw["PATIENT_LIST_SIZE"] == "ten"  # the row is kept as the file had it


def test_a_row_with_several_faults_lists_them_all(tmp_path: Path) -> None:
    result = read_prevalence(write(tmp_path, HEADER, ",,x,TOTAL,y"))
    reject = result.rejects[0]
    assert reject.field == "PRACTICE_CODE"
    assert reject.reason.count(";") == 3  # practice, group, register, list size


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("PRACTICE_CODE,GROUP_CODE,REGISTER\nA81001,AF,1\n", "missing column(s) "
         "PATIENT_LIST_TYPE, PATIENT_LIST_SIZE or PRACTICE_LIST_SIZE"),
        (f"{HEADER},PRACTICE_LIST_SIZE\n", "has both PATIENT_LIST_SIZE and PRACTICE_LIST_SIZE"),
        ("", "empty"),
        (f'{HEADER}\nA81001,"AF,1,TOTAL,1\n', "not a well-formed CSV"),
    ],
)
def test_whole_file_problems_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"bad\.csv") as caught:
        read_prevalence(path)
    assert message in str(caught.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="file not found"):
        read_prevalence(tmp_path / "nope.csv")


def test_counts_that_would_lose_rows_cannot_exist() -> None:
    with pytest.raises(AssertionError, match="rows would be lost"):
        Imported("t", "f.csv", rows_in=3, rows=(1,), rejects=())


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("12.0", 12), ("1,234", 1234),
                                             ("-1", None), ("1.5", None), ("", None)])
def test_whole_numbers(text: str, value: int | None) -> None:
    assert whole_number(text) == value


def test_numbers() -> None:
    assert number("0.25") == 0.25
    assert number("1e3") == 1000.0
    assert number("abc") is None
