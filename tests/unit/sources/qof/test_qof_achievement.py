"""QOF achievement files, shaped exactly as NHS Digital publishes them (long: one measure a row)."""

from __future__ import annotations

from pathlib import Path

from joinedup.sources.qof.achievement import AchievementRow, read_achievement

HEADER = "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE"


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "ACHIEVEMENT_1920.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_published_rows_load_with_their_values(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER,
        "B86013,AF001,REGISTER,157",
        "B86013,AF007,ACHIEVED_POINTS,11.48",
        "B86013,AF007,DENOMINATOR,120",
        "B86013,AF007,NUMERATOR,103",
        "B86013,AF007,PCAS,9",
        "B86013,CVD-PP001,NUMERATOR,3",
    )
    result = read_achievement(path)
    assert (result.rows_in, result.loaded, result.rejected) == (6, 6, 0)
    assert AchievementRow("B86013", "AF007", "PCAS", 9.0) in result.rows
    assert AchievementRow("B86013", "AF007", "ACHIEVED_POINTS", 11.48) in result.rows


def test_exceptions_before_2019_20_are_read_as_pcas(tmp_path: Path) -> None:
    result = read_achievement(write(tmp_path, HEADER, "B86013,AF007,EXCEPTIONS,4"))
    assert result.rows == (AchievementRow("B86013", "AF007", "PCAS", 4.0),)


def test_every_rejection_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER,
        "B86013,AF007,DENOMINATOR,100",   # 1 good
        "B86013,AF007,NUMERATOR,101",     # 2 numerator above denominator (row 1)
        "B86013,AF7,PCAS,1",              # 3 malformed indicator
        "B86013,AF007,SCORE,1",           # 4 unknown measure
        "B86013,AF007,REGISTER,",         # 5 blank value
        "B86013,AF007,REGISTER,12.5",     # 6 fractional count
        "B86013,AF007,ACHIEVED_POINTS,-1",  # 7 negative points
        "B86013,AF007,DENOMINATOR,99",    # 8 repeat of row 1
        "86013,AF007,PCAS,1",             # 9 malformed practice
        "B86013,AF008,PCAS,2",            # 10 good
    )
    result = read_achievement(path)
    assert (result.rows_in, result.loaded, result.rejected) == (10, 2, 8)
    by_row = {r.row_number: (r.field, r.reason) for r in result.rejects}
    assert by_row[2] == ("VALUE", "NUMERATOR 101 is larger than this indicator's DENOMINATOR "
                         "100 (row 1)")
    assert by_row[3][0] == "INDICATOR_CODE"
    assert by_row[4] == ("MEASURE", "MEASURE is not one of REGISTER, NUMERATOR, DENOMINATOR, "
                         "PCAS, ACHIEVED_POINTS")
    assert by_row[5] == ("VALUE", "VALUE is blank (a missing value is not zero)")
    assert "a REGISTER counts patients" in by_row[6][1]
    assert by_row[7] == ("VALUE", "VALUE is not a number of 0 or more")
    assert by_row[8] == ("*", "repeats row 1 (same practice, indicator, measure)")
    assert by_row[9][0] == "PRACTICE_CODE"
    assert [r.row_number for r in result.rejects] == sorted(by_row)  # file order
    assert {r.measure for r in result.rows} == {"DENOMINATOR", "PCAS"}
