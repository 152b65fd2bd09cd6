"""List sizes by age: NHS Digital's 5-year-band-by-sex file and QOF's age bases."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from joinedup.sources.qof.lists import (
    AgeSexCount,
    age_base_conflicts,
    age_base_interval,
    list_sizes_layout,
    read_age_bases,
    read_age_sex_bands,
)
from joinedup.sources.qof.readers import SourceFileError

SHARED = Path(__file__).resolve().parents[4].parent / "shared" / "data"

# Shaped exactly like NHS Digital's "Patients registered at a GP practice" quinary-age file
# (gp-reg-pat-prac-quin-age.csv, e.g. the January 2020 publication).
QUIN_HEADER = ("PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,ORG_CODE,POSTCODE,SEX,"
               "AGE_GROUP_5,NUMBER_OF_PATIENTS")


def quin(*rows: str) -> list[str]:
    prefix = "GP_PRAC_PAT_LIST,01JAN2020,GP,15F,E38000225,"
    return [QUIN_HEADER, *(prefix + r for r in rows)]


def write(tmp_path: Path, lines: list[str], name: str = "gp-reg-pat-prac-quin-age.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_published_quinary_layout_loads(tmp_path: Path) -> None:
    path = write(tmp_path, quin(
        "B86013,LS17 6AA,MALE,0_4,612",
        "B86013,LS17 6AA,FEMALE,0_4,580",
        "B86013,LS17 6AA,MALE,95+,3",
        "B86013,LS17 6AA,ALL,ALL,21456",
    ))
    assert list_sizes_layout(path) == "age_sex"
    result = read_age_sex_bands(path)
    assert (result.rows_in, result.loaded, result.rejected) == (4, 4, 0)
    assert result.rows[0] == AgeSexCount("B86013", "M", 0, 4, 612)
    assert result.rows[2] == AgeSexCount("B86013", "M", 95, None, 3)
    assert result.rows[3] == AgeSexCount("B86013", "ALL", None, None, 21456)


def test_later_months_name_the_code_column_code_and_the_areas_sub_icb(tmp_path: Path) -> None:
    lines = ["PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,"
             "CODE,POSTCODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS",
             "GP_PRAC_PAT_LIST,01APR2023,GP,15F,E38000225,B86013,LS17 6AA,FEMALE,90_94,41"]
    result = read_age_sex_bands(write(tmp_path, lines))
    assert result.rows == (AgeSexCount("B86013", "F", 90, 94, 41),)


def test_quinary_rejections(tmp_path: Path) -> None:
    lines = quin(
        "B86013,LS17 6AA,MALE,0_4,612",     # 1 good
        "B86013,LS17 6AA,MALE,0_4,600",     # 2 repeat
        "B86013,LS17 6AA,OTHER,0_4,1",      # 3 sex
        "B86013,LS17 6AA,MALE,old,1",       # 4 age group
        "B86013,LS17 6AA,MALE,5_9,-2",      # 5 count
        "B86013,LS17 6AA,MALE,9_5,1",       # 6 age group upside down
    )
    lines.append("GP_PRAC_PAT_LIST,01JAN2020,CCG,15F,E38000225,15F,LS1,MALE,0_4,9")  # 7 type
    result = read_age_sex_bands(write(tmp_path, lines))
    assert (result.rows_in, result.loaded, result.rejected) == (7, 1, 6)
    fields = {r.row_number: r.field for r in result.rejects}
    assert fields == {2: "*", 3: "SEX", 4: "AGE_GROUP_5", 5: "NUMBER_OF_PATIENTS",
                      6: "AGE_GROUP_5", 7: "TYPE"}
    reasons = {r.row_number: r.reason for r in result.rejects}
    assert reasons[2] == "repeats row 1 (same practice, sex and age group)"
    assert reasons[7].startswith("TYPE is CCG; only practice (GP) rows are read")


def test_a_slice_of_the_qof_age_bases_loads(tmp_path: Path) -> None:
    with (SHARED / "lists" / "gp-by-age.csv").open(encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in islice(handle, 4)]
    path = write(tmp_path, lines, "gp-by-age.csv")
    assert list_sizes_layout(path) == "age_bases"
    result, ignored = read_age_bases(path)
    assert ignored == ("65OV%",)
    assert (result.rows_in, result.loaded, result.rejected) == (3, 3, 0)
    first = result.rows[0]
    assert first.practice_code == "A81001"
    assert first.bases == {"TOTAL": 4111, "16OV": 3345, "17OV": 3307, "18OV": 3258,
                           "30_74": 2228, "50OV": 1716, "0_64": 3161, "65OV": 950}


def test_age_bases_that_contradict_each_other_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, [
        "PRACTICE_CODE,TOTAL,16OV,18OV,0_64,65OV",
        "A81001,100,80,78,70,30",     # 1 good
        "A81002,100,80,85,70,30",     # 2 18+ above 16+
        "A81003,100,80,78,70,20",     # 3 0-64 + 65+ is not TOTAL
        "A81004,100,80,,70,30",       # 4 blank 18+: unknown, kept
        "A81005,,80,78,70,30",        # 5 no TOTAL
        "A81006,100,eighty,78,70,30",  # 6 not a number
        "A81001,100,80,78,70,30",     # 7 repeat
    ], "gp-by-age.csv")
    result, _ignored = read_age_bases(path)
    assert [r.practice_code for r in result.rows] == ["A81001", "A81004"]
    assert "18OV" not in result.rows[1].bases
    reasons = {r.row_number: (r.field, r.reason) for r in result.rejects}
    assert reasons[2] == ("18OV", "18OV 85 is more than 16OV 80, which contains its ages")
    assert reasons[3] == ("0_64", "0_64 70 + 65OV 20 is not TOTAL 100")
    assert reasons[5] == ("TOTAL", "TOTAL is blank (the whole list size is needed)")
    assert reasons[6][0] == "16OV"
    assert reasons[7] == ("*", "repeats row 1 (same practice)")


def test_the_real_age_bases_are_consistent() -> None:
    result, _ignored = read_age_bases(SHARED / "lists" / "gp-by-age.csv")
    assert (result.rows_in, result.rejected) == (6730, 0)


@pytest.mark.parametrize(
    ("code", "interval"),
    [("TOTAL", (0, None)), ("18OV", (18, None)), ("79UN", (0, 79)), ("30_74", (30, 74)),
     ("0_64", (0, 64)), ("25_64_F", None), ("UN01", None), ("74_30", None)],
)
def test_age_base_intervals(code: str, interval: tuple[int, int | None] | None) -> None:
    assert age_base_interval(code) == interval


def test_no_conflicts_in_consistent_bases() -> None:
    assert age_base_conflicts({"TOTAL": 10, "65OV": 4, "0_64": 6, "80OV": 1}) == []


def test_an_unknown_list_file_says_which_layouts_exist(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="not a list-size file"):
        list_sizes_layout(write(tmp_path, ["A,B", "1,2"]))
