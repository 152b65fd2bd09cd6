"""Which QOF indicator measures what, year by year, from NHS Digital's indicator mapping files.

Why: indicator codes change. The anticoagulation indicator ("CHA2DS2-VASc 2 or more, treated
with anticoagulation") was AF007 from 2015-16 to 2022-23 and became AF008 in 2023-24 (a DOAC
first, a vitamin K antagonist where a DOAC is declined or unsuitable); the hypertension
blood-pressure indicators HYP003 (79 or under, ≤ 140/90) and HYP007 (80 or over, ≤ 150/90)
became HYP008 and HYP009 in 2023-24. Each year's ``MAPPING_INDICATORS_yyyy_yyyy.csv`` lists the
indicators that year had; the role table below says what each code measures (from the QOF
guidance for 2019/20 and 2023/24, NHS England), and the year's mapping decides which applies.

The packaged mapping files (2019-20 to 2023-24) are NHS Digital's, under the Open Government
Licence v3.0 (see data/SOURCE.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from joinedup.sources.qof.achievement import INDICATOR_CODE
from joinedup.sources.qof.readers import (
    CsvRow,
    Imported,
    RowProblems,
    SourceFileError,
    cell,
    check_repeat,
    number,
    open_columns,
    read_rows,
)

TABLE = "qof_indicators"
LAYOUT = "QOF indicator mapping (MAPPING_INDICATORS)"
DATA_DIR = Path(__file__).resolve().parent / "data"
COLUMNS = {
    "indicator_code": ("INDICATOR_CODE",),
    "point_value": ("INDICATOR_POINT_VALUE",),
    "group_code": ("GROUP_CODE",),
    "group_description": ("GROUP_DESCRIPTION",),
    "domain_code": ("DOMAIN_CODE",),
    "domain_description": ("DOMAIN_DESCRIPTION",),
    "list_type": ("PATIENT_LIST_TYPE",),
}
_GROUP = re.compile(r"^[A-Z][A-Z0-9_-]*$")


@dataclass(frozen=True)
class IndicatorRow:
    indicator_code: str
    point_value: float
    group_code: str
    group_description: str
    domain_code: str
    domain_description: str
    list_type: str


@dataclass(frozen=True)
class TreatmentIndicators:
    """How a programme's eligible/treated/exceptions come from QOF for one year."""

    codes: tuple[str, ...]  # summed when more than one (hypertension: two age groups)
    description: str


@dataclass(frozen=True)
class AggregateProgramme:
    """A programme's place in QOF: its register group and its treatment indicators by year.

    ``treatment`` lists alternatives, newest first; the first whose codes are all in a year's
    mapping is that year's. ``list_type`` is the list the register is a share of.
    """

    group_code: str
    list_type: str
    register_indicator: str
    treatment: tuple[TreatmentIndicators, ...]


PROGRAMMES: dict[str, AggregateProgramme] = {
    "af": AggregateProgramme(
        group_code="AF",
        list_type="TOTAL",
        register_indicator="AF001",
        treatment=(
            TreatmentIndicators(
                ("AF008",),
                "AF008 (2023-24 on): AF with CHA2DS2-VASc 2 or more treated with a DOAC, or a "
                "vitamin K antagonist where a DOAC is declined or clinically unsuitable",
            ),
            TreatmentIndicators(
                ("AF007",),
                "AF007 (2015-16 to 2022-23): AF with CHA2DS2-VASc 2 or more currently treated "
                "with anticoagulation drug therapy",
            ),
        ),
    ),
    "hypertension": AggregateProgramme(
        group_code="HYP",
        list_type="TOTAL",
        register_indicator="HYP001",
        treatment=(
            TreatmentIndicators(
                ("HYP008", "HYP009"),
                "HYP008 + HYP009 (2023-24 on): last blood pressure in 12 months at or below "
                "140/90 (aged 79 or under) or 150/90 (80 or over)",
            ),
            TreatmentIndicators(
                ("HYP003", "HYP007"),
                "HYP003 + HYP007 (to 2022-23): last blood pressure in 12 months at or below "
                "140/90 (aged 79 or under) or 150/90 (80 or over)",
            ),
        ),
    ),
}


def aggregate_programme(name: str) -> AggregateProgramme:
    """The QOF mapping of a programme; a clear error when published aggregates cannot feed it."""
    try:
        return PROGRAMMES[name]
    except KeyError:
        raise KeyError(
            f"programme {name!r} has no QOF mapping; published aggregates can run: "
            f"{', '.join(sorted(PROGRAMMES))}"
        ) from None


def treatment_for_year(
    programme: AggregateProgramme, year_codes: Iterable[str]
) -> TreatmentIndicators | None:
    """The year's treatment indicators: the first alternative wholly in that year's mapping."""
    codes = set(year_codes)
    return next((t for t in programme.treatment if set(t.codes) <= codes), None)


def packaged_mapping(year_start: int) -> Path:
    """The packaged MAPPING_INDICATORS file for the QOF year starting 1 April ``year_start``."""
    path = DATA_DIR / f"MAPPING_INDICATORS_{year_start}_{year_start + 1}.csv"
    if not path.is_file():
        have = sorted(p.stem.removeprefix("MAPPING_INDICATORS_")
                      for p in DATA_DIR.glob("MAPPING_INDICATORS_*.csv"))
        raise SourceFileError(
            f"no packaged QOF indicator mapping for {year_start}-{str(year_start + 1)[2:]} "
            f"(have {', '.join(have)}); pass the year's MAPPING_INDICATORS file"
        )
    return path


def read_indicator_mapping(path: Path | str) -> Imported[IndicatorRow]:
    """Every row of a MAPPING_INDICATORS file, checked (codes, a point value, no repeats)."""
    path = Path(path)
    header, index, names = open_columns(path, COLUMNS, LAYOUT)
    seen: dict[str, int] = {}

    def parse(row: CsvRow, problems: RowProblems) -> IndicatorRow | None:
        values = {ours: cell(row, header, i) for ours, i in index.items()}
        code = values["indicator_code"].upper()
        if not INDICATOR_CODE.match(code):
            what = "is blank" if not code else "is not a QOF indicator code"
            problems.add(names["indicator_code"], f"{names['indicator_code']} {what}")
        points = number(values["point_value"])
        if points is None or points < 0:
            problems.add(names["point_value"], f"{names['point_value']} is not a number of 0 "
                         "or more")
        group = values["group_code"].upper()
        if not _GROUP.match(group):
            what = "is blank" if not group else "is not a QOF group code"
            problems.add(names["group_code"], f"{names['group_code']} {what}")
        list_type = values["list_type"].upper()
        if not list_type:
            problems.add(names["list_type"], f"{names['list_type']} is blank")
        check_repeat(problems, seen, code, "same indicator")
        if problems:
            return None
        assert points is not None
        seen[code] = row.number
        return IndicatorRow(code, points, group, values["group_description"],
                            values["domain_code"].upper(), values["domain_description"],
                            list_type)

    return read_rows(TABLE, path, parse)
