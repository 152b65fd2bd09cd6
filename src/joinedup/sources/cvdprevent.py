"""CVDPREVENT audit data: raw indicator rows as the API's CSV gives them, at any system level.

Why: the CVDPREVENT audit (NHS England / OHID, api.cvdprevent.nhs.uk) publishes quarterly
practice, PCN, sub-ICB, ICB and England figures, including CVDP002AF (AF with CHA2DS2-VASc 2 or
more treated with anticoagulants). Where a user has no QOF achievement file, its practice rows
fill the treated and eligible counts of the practice measure table.

Columns: ``AreaCode, AreaName, CategoryAttribute, Denominator, Factor, IndicatorCode,
IndicatorName, IndicatorShortName, LowerConfidenceLimit, MetricCategoryName,
MetricCategoryTypeName, Numerator, TimePeriodName, UpperConfidenceLimit, Value, ValueNote``. The
first eight that identify a figure and its numbers are required; the rest are kept when present.
The whole-population figure of an area is the row with MetricCategoryTypeName "Sex" and
MetricCategoryName "Persons"; the others are breakdowns (age, sex, deprivation, ethnicity...).

**Suppression.** Small numbers are suppressed for disclosure control: Numerator, Denominator
and Value are blank (or ``*``) and ValueNote says why. Such rows are loaded with those values
unknown (None) — never zero, never dropped. Rows are rejected for a blank AreaCode or category, an
IndicatorCode that is not a CVDPREVENT code, a blank TimePeriodName, a number that is not one
(or is negative where it counts people), a Numerator above its Denominator, or a repeat.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from joinedup.sources.qof.readers import (
    CsvRow,
    Imported,
    RowProblems,
    cell,
    check_repeat,
    clean_header,
    find_columns,
    number,
    open_text,
    read_rows,
)

TABLE = "cvdprevent"
LAYOUT = "CVDPREVENT raw data"
REQUIRED = {
    "area_code": ("AreaCode",),
    "indicator_code": ("IndicatorCode",),
    "time_period_name": ("TimePeriodName",),
    "metric_category_type_name": ("MetricCategoryTypeName",),
    "metric_category_name": ("MetricCategoryName",),
    "numerator": ("Numerator",),
    "denominator": ("Denominator",),
    "value": ("Value",),
}
OPTIONAL = {
    "area_name": "AreaName",
    "category_attribute": "CategoryAttribute",
    "factor": "Factor",
    "indicator_name": "IndicatorName",
    "indicator_short_name": "IndicatorShortName",
    "lower_confidence_limit": "LowerConfidenceLimit",
    "upper_confidence_limit": "UpperConfidenceLimit",
    "value_note": "ValueNote",
}
SUPPRESSED = frozenset({"", "*", "NA", "N/A", "NULL"})
AF_TREATED = "CVDP002AF"
"""AF patients with CHA2DS2-VASc 2 or more treated with anticoagulants (PARAMETERS.md 21)."""

INDICATOR_CODE = re.compile(r"^CVDP[0-9]{3}[A-Z]+$")
_AREA = re.compile(r"^[A-Z0-9]+$")
_PERIOD = re.compile(r"^TO\s+([A-Z]+)\s+([0-9]{4})$")
_MONTHS = {name.upper(): i for i, name in enumerate(calendar.month_name) if name}


@dataclass(frozen=True)
class CvdPreventRow:
    area_code: str
    area_name: str
    indicator_code: str
    indicator_name: str
    indicator_short_name: str
    time_period_name: str
    period_end: date | None  # last day of the period's month ("To March 2020" -> 2020-03-31)
    metric_category_type_name: str
    metric_category_name: str
    category_attribute: str
    numerator: float | None  # None: suppressed or not published
    denominator: float | None
    value: float | None
    lower_confidence_limit: float | None
    upper_confidence_limit: float | None
    factor: float | None
    value_note: str

    @property
    def is_persons(self) -> bool:
        """The area's whole-population figure (not an age, sex or other breakdown)."""
        return (self.metric_category_type_name.upper() == "SEX"
                and self.metric_category_name.upper() == "PERSONS")


def period_end(name: str) -> date | None:
    """The last day of a period named "To March 2020"; None for other names."""
    match = _PERIOD.match(name.strip().upper())
    if match is None or match.group(1) not in _MONTHS:
        return None
    year, month = int(match.group(2)), _MONTHS[match.group(1)]
    return date(year, month, calendar.monthrange(year, month)[1])


def read_cvdprevent(path: Path | str) -> Imported[CvdPreventRow]:
    """Every row of a CVDPREVENT raw-data CSV, checked (see the module docstring)."""
    path = Path(path)
    header = open_text(path)
    index = find_columns(path, header, REQUIRED, LAYOUT)
    cleaned = [clean_header(h) for h in header]
    optional = {ours: cleaned.index(name.upper()) for ours, name in OPTIONAL.items()
                if name.upper() in cleaned}
    seen: dict[tuple[str, ...], int] = {}

    def parse(row: CsvRow, problems: RowProblems) -> CvdPreventRow | None:
        text = {ours: cell(row, header, i) for ours, i in {**index, **optional}.items()}
        area = text["area_code"].upper()
        if not _AREA.match(area):
            problems.add("AreaCode", f"AreaCode is {'blank' if not area else 'not a code'}")
        indicator = text["indicator_code"].upper()
        if not INDICATOR_CODE.match(indicator):
            problems.add("IndicatorCode", "IndicatorCode is "
                         f"{'blank' if not indicator else 'not a CVDPREVENT code (CVDPnnnXX)'}")
        period = text["time_period_name"]
        if not period:
            problems.add("TimePeriodName", "TimePeriodName is blank")
        for ours, column in (("metric_category_type_name", "MetricCategoryTypeName"),
                             ("metric_category_name", "MetricCategoryName")):
            if not text[ours]:
                problems.add(column, f"{column} is blank")
        numbers: dict[str, float | None] = {}
        for ours, column, counts_people in (
            ("numerator", "Numerator", True),
            ("denominator", "Denominator", True),
            ("value", "Value", False),
            ("lower_confidence_limit", "LowerConfidenceLimit", False),
            ("upper_confidence_limit", "UpperConfidenceLimit", False),
            ("factor", "Factor", False),
        ):
            numbers[ours] = _number(problems, column, text.get(ours, ""), counts_people)
        numerator, denominator = numbers["numerator"], numbers["denominator"]
        if numerator is not None and denominator is not None and numerator > denominator:
            problems.add("Numerator", f"Numerator {numerator:g} is larger than Denominator "
                         f"{denominator:g}")
        key = (area, indicator, period.upper(), text["metric_category_type_name"].upper(),
               text["metric_category_name"].upper(), text.get("category_attribute", "").upper())
        check_repeat(problems, seen, key, "same area, indicator, period and category")
        if problems:
            return None
        seen[key] = row.number
        return CvdPreventRow(
            area_code=area,
            area_name=text.get("area_name", ""),
            indicator_code=indicator,
            indicator_name=text.get("indicator_name", ""),
            indicator_short_name=text.get("indicator_short_name", ""),
            time_period_name=period,
            period_end=period_end(period),
            metric_category_type_name=text["metric_category_type_name"],
            metric_category_name=text["metric_category_name"],
            category_attribute=text.get("category_attribute", ""),
            numerator=numerator,
            denominator=denominator,
            value=numbers["value"],
            lower_confidence_limit=numbers["lower_confidence_limit"],
            upper_confidence_limit=numbers["upper_confidence_limit"],
            factor=numbers["factor"],
            value_note=text.get("value_note", ""),
        )

    return read_rows(TABLE, path, parse)


def _number(problems: RowProblems, column: str, text: str, counts_people: bool) -> float | None:
    if text.upper() in SUPPRESSED:
        return None  # suppressed or not published: unknown, never zero
    value = number(text)
    if value is None:
        problems.add(column, f"{column} is not a number")
        return None
    if counts_people and value < 0:
        problems.add(column, f"{column} is negative")
        return None
    return value
