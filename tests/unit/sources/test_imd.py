"""Practice and PCN IMD files: quintiles from deciles, Fingertips scores ranked, rejections."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from joinedup.sources.imd import quintile_of_decile, read_pcn_imd, read_practice_imd

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "deprivation"


def head(tmp_path: Path, name: str, lines: int) -> Path:
    with (SHARED / name).open(encoding="utf-8-sig") as handle:
        text = "".join(islice(handle, lines))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_registration_weighted_practice_imd(tmp_path: Path) -> None:
    result = read_practice_imd(head(tmp_path, "practice_imd.csv", 3))
    assert [(r.code, r.imd_decile, r.imd_quintile) for r in result.rows] == [
        ("A81001", 2, 1), ("A81002", 3, 2)]
    assert result.rows[0].imd_score == pytest.approx(34.5687225678029)


def test_pcn_imd_keeps_the_unallocated_row(tmp_path: Path) -> None:
    result = read_pcn_imd(head(tmp_path, "pcn_imd.csv", 3))
    assert [(r.code, r.imd_decile) for r in result.rows] == [("U", 7), ("U00070", 10)]


def test_fingertips_scores_are_ranked_into_deciles_for_the_latest_year(tmp_path: Path) -> None:
    lines = ["IndicatorID,Year,AreaCode,AreaName,IsAreaCurrent,Value"]
    lines += [f"93553,2019,A{81000 + i},Practice {i},1,{i}.5" for i in range(1, 21)]
    lines += ["93553,2015,A81001,Practice 1,1,99"]
    path = tmp_path / "fingertips.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = {(r.code, r.year): r for r in read_practice_imd(path).rows}
    # 20 practices: the two highest 2019 scores are decile 1 (most deprived), the two lowest 10.
    assert rows[("A81020", 2019)].imd_decile == 1
    assert rows[("A81019", 2019)].imd_decile == 1
    assert rows[("A81001", 2019)].imd_decile == 10
    assert rows[("A81001", 2015)].imd_decile is None


def test_imd_rejections(tmp_path: Path) -> None:
    path = tmp_path / "practice_imd.csv"
    path.write_text(
        '"practice_code","practice_name","postcode","subicb_code","imd_score","imd_decile"\n'
        '"A81001","ONE","TS18 1HU","16C",34.5,2\n'
        '"A81001","ONE AGAIN","TS18 1HU","16C",34.5,2\n'
        '"A81002","TWO","TS18 2AW","16C",-3,11\n'
        '"A81003","THREE","TS18 2AW","16C",,\n'
        '"XYZ","FOUR","TS18 2AW","16C",10,5\n',
        encoding="utf-8",
    )
    result = read_practice_imd(path)
    assert (result.rows_in, result.loaded, result.rejected) == (5, 1, 4)
    reasons = {r.row_number: (r.field, r.reason) for r in result.rejects}
    assert reasons[2] == ("*", "repeats row 1 (same practice_code)")
    assert reasons[3] == ("imd_score", "imd_score is not a number of 0 or more; "
                          "imd_decile is not a decile from 1 to 10")
    assert reasons[4] == ("imd_score", "imd_score and imd_decile are both blank")
    assert reasons[5][0] == "practice_code"


@pytest.mark.parametrize(("decile", "quintile"), [(1, 1), (2, 1), (3, 2), (9, 5), (10, 5)])
def test_quintiles(decile: int, quintile: int) -> None:
    assert quintile_of_decile(decile) == quintile


def test_a_decile_outside_1_to_10_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"1\.\.10"):
        quintile_of_decile(0)
