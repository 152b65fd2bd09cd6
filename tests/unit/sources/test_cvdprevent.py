"""CVDPREVENT raw-data rows, shaped exactly like the API's CSV, at any system level."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from joinedup.sources.cvdprevent import period_end, read_cvdprevent
from joinedup.sources.qof.readers import SourceFileError

# The API's raw-data CSV columns, in its order.
HEADER = (
    "AreaCode,AreaName,CategoryAttribute,Denominator,Factor,IndicatorCode,IndicatorName,"
    "IndicatorShortName,LowerConfidenceLimit,MetricCategoryName,MetricCategoryTypeName,"
    "Numerator,TimePeriodName,UpperConfidenceLimit,Value,ValueNote"
)
NAME = ("Patients with GP recorded atrial fibrillation and a record of a CHA2DS2-VASc score of "
        "2 or more who are treated with anticoagulants (CVDP002AF)")
SHORT = "AF: treated with anticoagulants"


def row(area: str = "B86013", denominator: str = "120", numerator: str = "103",
        period: str = "To March 2020", type_: str = "Sex", name: str = "Persons",
        code: str = "CVDP002AF", value: str | None = None, note: str = "") -> str:
    if value is None:
        value = f"{100 * float(numerator) / float(denominator):.2f}" if numerator else ""
    return (f'{area},"The North Leeds Medical Practice",Persons,{denominator},,{code},"{NAME}",'
            f"{SHORT},80.1,{name},{type_},{numerator},{period},91.2,{value},{note}")


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cvdprevent_raw.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_rows_at_every_level_load_with_their_numbers(tmp_path: Path) -> None:
    result = read_cvdprevent(write(
        tmp_path,
        row(),                                               # practice, persons
        row(name="Male", numerator="60", denominator="70"),  # a breakdown
        row(area="U31228", numerator="900", denominator="1000"),   # PCN
        row(area="E54000054", numerator="40000", denominator="45000"),  # ICB
        row(area="E92000001", numerator="1000000", denominator="1150433"),  # England
    ))
    assert (result.rows_in, result.loaded, result.rejected) == (5, 5, 0)
    first = result.rows[0]
    assert (first.area_code, first.indicator_code, first.numerator, first.denominator) == (
        "B86013", "CVDP002AF", 103.0, 120.0)
    assert first.period_end == date(2020, 3, 31)
    assert first.is_persons and not result.rows[1].is_persons
    assert first.indicator_name == NAME and first.lower_confidence_limit == 80.1


def test_suppressed_values_are_kept_as_unknown(tmp_path: Path) -> None:
    result = read_cvdprevent(write(
        tmp_path,
        row(numerator="", denominator="", value="",
            note="Value suppressed for disclosure control"),
        row(area="B86014", numerator="*", denominator="*", value="*", note="Suppressed"),
    ))
    assert result.rejected == 0
    for suppressed in result.rows:
        assert (suppressed.numerator, suppressed.denominator, suppressed.value) == (None,) * 3
    assert result.rows[0].value_note == "Value suppressed for disclosure control"


def test_every_rejection_reason(tmp_path: Path) -> None:
    result = read_cvdprevent(write(
        tmp_path,
        row(),                                   # 1 good
        row(area=""),                            # 2 blank area
        row(code="AF007"),                       # 3 not a CVDPREVENT code
        row(period=""),                          # 4 blank period
        row(type_=""),                           # 5 blank category type
        row(numerator="130", denominator="120"),  # 6 numerator above denominator
        row(numerator="lots", value="1"),        # 7 not a number
        row(numerator="-1", denominator="5"),    # 8 negative count
        row(),                                   # 9 repeat of row 1
    ))
    assert (result.rows_in, result.loaded, result.rejected) == (9, 1, 8)
    fields = {r.row_number: r.field for r in result.rejects}
    assert fields == {2: "AreaCode", 3: "IndicatorCode", 4: "TimePeriodName",
                      5: "MetricCategoryTypeName", 6: "Numerator", 7: "Numerator",
                      8: "Numerator", 9: "*"}
    reasons = {r.row_number: r.reason for r in result.rejects}
    assert reasons[6] == "Numerator 130 is larger than Denominator 120"
    assert reasons[7] == "Numerator is not a number"
    assert reasons[8] == "Numerator is negative"
    assert reasons[9] == "repeats row 1 (same area, indicator, period and category)"


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    path = tmp_path / "slim.csv"
    path.write_text(
        "AreaCode,IndicatorCode,TimePeriodName,MetricCategoryTypeName,MetricCategoryName,"
        "Numerator,Denominator,Value\nB86013,CVDP002AF,To June 2025,Sex,Persons,5,10,50\n",
        encoding="utf-8",
    )
    only = read_cvdprevent(path).rows[0]
    assert (only.period_end, only.area_name, only.value_note) == (date(2025, 6, 30), "", "")


def test_a_file_without_the_identifying_columns_is_not_cvdprevent(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("AreaCode,Value\nB86013,1\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="not a CVDPREVENT raw data file"):
        read_cvdprevent(path)


@pytest.mark.parametrize(
    ("name", "end"),
    [("To March 2020", date(2020, 3, 31)), ("to february 2024", date(2024, 2, 29)),
     ("To June 2025", date(2025, 6, 30)), ("2019/20", None), ("To Smarch 2020", None)],
)
def test_period_names(name: str, end: date | None) -> None:
    assert period_end(name) == end
