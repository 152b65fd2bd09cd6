"""Which indicator counts anticoagulation (or blood pressure to target) in each QOF year."""

from __future__ import annotations

from pathlib import Path

import pytest

from joinedup.sources.qof.indicators import (
    aggregate_programme,
    packaged_mapping,
    read_indicator_mapping,
    treatment_for_year,
)
from joinedup.sources.qof.readers import SourceFileError

SHARED = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "geography"


@pytest.mark.parametrize(
    ("year", "af", "hyp"),
    [
        (2019, ("AF007",), ("HYP003", "HYP007")),
        (2020, ("AF007",), ("HYP003", "HYP007")),
        (2021, ("AF007",), ("HYP003", "HYP007")),
        (2022, ("AF007",), ("HYP003", "HYP007")),
        (2023, ("AF008",), ("HYP008", "HYP009")),
    ],
)
def test_each_years_mapping_decides_the_treatment_indicator(
    year: int, af: tuple[str, ...], hyp: tuple[str, ...]
) -> None:
    mapping = read_indicator_mapping(packaged_mapping(year))
    assert mapping.rejected == 0 and mapping.loaded == mapping.rows_in > 60
    codes = {r.indicator_code for r in mapping.rows}
    af_treatment = treatment_for_year(aggregate_programme("af"), codes)
    hyp_treatment = treatment_for_year(aggregate_programme("hypertension"), codes)
    assert af_treatment is not None and af_treatment.codes == af
    assert hyp_treatment is not None and hyp_treatment.codes == hyp
    assert "AF001" in codes


def test_the_packaged_mappings_are_the_published_files() -> None:
    for year in range(2019, 2024):
        name = f"MAPPING_INDICATORS_{year}_{year + 1}.csv"
        assert packaged_mapping(year).read_bytes() == (SHARED / name).read_bytes()


def test_a_year_without_a_packaged_mapping_says_what_there_is() -> None:
    with pytest.raises(SourceFileError, match="2019_2020"):
        packaged_mapping(2015)


def test_no_treatment_indicator_when_the_year_has_none() -> None:
    assert treatment_for_year(aggregate_programme("af"), {"AF001", "AF006"}) is None


def test_programmes_without_a_qof_mapping_are_named() -> None:
    with pytest.raises(KeyError, match="published aggregates can run: af, hypertension"):
        aggregate_programme("copd")


def test_mapping_rejections(tmp_path: Path) -> None:
    path = tmp_path / "MAPPING_INDICATORS_2019_2020.csv"
    path.write_text(
        "INDICATOR_CODE,INDICATOR_POINT_VALUE,GROUP_CODE,GROUP_DESCRIPTION,DOMAIN_CODE,"
        "DOMAIN_DESCRIPTION,PATIENT_LIST_TYPE\n"
        "AF001,5,AF,Atrial fibrillation,CL,Clinical,TOTAL\n"
        "AF001,5,AF,Atrial fibrillation,CL,Clinical,TOTAL\n"
        "AF007,twelve,AF,Atrial fibrillation,CL,Clinical,TOTAL\n"
        "7,12,AF,Atrial fibrillation,CL,Clinical,TOTAL\n"
        "AF006,12,,Atrial fibrillation,CL,Clinical,\n",
        encoding="utf-8",
    )
    result = read_indicator_mapping(path)
    assert (result.rows_in, result.loaded, result.rejected) == (5, 1, 4)
    reasons = {r.row_number: (r.field, r.reason) for r in result.rejects}
    assert reasons[2] == ("*", "repeats row 1 (same indicator)")
    assert reasons[3][0] == "INDICATOR_POINT_VALUE"
    assert reasons[4] == ("INDICATOR_CODE", "INDICATOR_CODE is not a QOF indicator code")
    assert reasons[5] == ("GROUP_CODE", "GROUP_CODE is blank; PATIENT_LIST_TYPE is blank")
