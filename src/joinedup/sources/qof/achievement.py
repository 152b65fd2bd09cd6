"""QOF achievement: each practice's numerator, denominator and care adjustments per indicator.

Why: the treated/eligible/exceptions counts of the practice measure table come from the year's
anticoagulation indicator (AF007 to 2022-23, AF008 from 2023-24; ``indicators.py`` says which)
— its DENOMINATOR (eligible, after personalised care adjustments), NUMERATOR (treated) and PCAS
(the adjustments). The published layout is long: ``PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE``.

Every row of the file is checked and loaded, whichever indicator it is for, so the counts
identity holds for the whole file. A row is rejected for a malformed practice or indicator
code, an unknown MEASURE, a VALUE that is blank or not a number (counts must be whole; points
may be fractional), a repeated (practice, indicator, measure), or a NUMERATOR larger than the
same indicator's DENOMINATOR (the numerator row is the one rejected: the treated count is then
unknown, never guessed). Files before 2019-20 say EXCEPTIONS where later ones say PCAS; both
are read as PCAS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from joinedup.sources.qof.readers import (
    CsvRow,
    Imported,
    RowProblems,
    cell,
    check_practice,
    check_repeat,
    number,
    open_columns,
    read_rows,
    whole_number,
)

TABLE = "qof_achievement"
LAYOUT = "QOF achievement"
COLUMNS = {
    "practice_code": ("PRACTICE_CODE",),
    "indicator_code": ("INDICATOR_CODE",),
    "measure": ("MEASURE",),
    "value": ("VALUE",),
}
MEASURES = ("REGISTER", "NUMERATOR", "DENOMINATOR", "PCAS", "ACHIEVED_POINTS")
SYNONYMS = {"EXCEPTIONS": "PCAS", "PCA": "PCAS"}
COUNT_MEASURES = frozenset({"REGISTER", "NUMERATOR", "DENOMINATOR", "PCAS"})

INDICATOR_CODE = re.compile(r"^[A-Z][A-Z-]*[0-9]{3}$")
"""A QOF indicator code: a group prefix and three digits (AF007, HYP008, CVD-PP001)."""


@dataclass(frozen=True)
class AchievementRow:
    practice_code: str
    indicator_code: str
    measure: str
    value: float


def read_achievement(path: Path | str) -> Imported[AchievementRow]:
    """Every row of a QOF achievement file, checked; see the module docstring for the checks."""
    path = Path(path)
    header, index, names = open_columns(path, COLUMNS, LAYOUT)
    kept: dict[int, AchievementRow] = {}
    raws: dict[int, tuple[int, dict[str, str]]] = {}
    seen: dict[tuple[str, str, str], int] = {}

    def parse(row: CsvRow, problems: RowProblems) -> AchievementRow | None:
        practice = check_practice(problems, names["practice_code"],
                                  cell(row, header, index["practice_code"]))
        indicator = cell(row, header, index["indicator_code"]).upper()
        if not indicator:
            problems.add(names["indicator_code"], f"{names['indicator_code']} is blank")
        elif not INDICATOR_CODE.match(indicator):
            problems.add(names["indicator_code"],
                         f"{names['indicator_code']} is not a QOF indicator code")
        measure = cell(row, header, index["measure"]).upper()
        measure = SYNONYMS.get(measure, measure)
        if not measure:
            problems.add(names["measure"], f"{names['measure']} is blank")
        elif measure not in MEASURES:
            problems.add(names["measure"],
                         f"{names['measure']} is not one of {', '.join(MEASURES)}")
        value = _value(problems, names["value"], cell(row, header, index["value"]), measure)
        key = (practice, indicator, measure)
        check_repeat(problems, seen, key, "same practice, indicator, measure")
        if problems:
            return None
        assert value is not None
        seen[key] = row.number
        kept[row.number] = AchievementRow(practice, indicator, measure, value)
        raws[row.number] = (row.line, row.cells)
        return kept[row.number]

    checked = read_rows(TABLE, path, parse)
    rejects = list(checked.rejects)

    # A numerator larger than its denominator cannot be true; keep neither guess.
    for (practice, indicator, measure), number_ in list(seen.items()):
        if measure != "NUMERATOR":
            continue
        denominator_row = seen.get((practice, indicator, "DENOMINATOR"))
        if denominator_row is None:
            continue
        numerator, denominator = kept[number_].value, kept[denominator_row].value
        if numerator > denominator:
            problems = RowProblems()
            problems.add(names["value"], f"NUMERATOR {numerator:g} is larger than this "
                         f"indicator's DENOMINATOR {denominator:g} (row {denominator_row})")
            line, raw = raws[number_]
            rejects.append(problems.reject(TABLE, path, number_, line, raw))
            del kept[number_]
    rejects.sort(key=lambda r: r.row_number)
    rows = tuple(kept[n] for n in sorted(kept))
    return Imported(TABLE, path.name, checked.rows_in, rows, tuple(rejects))


def _value(problems: RowProblems, column: str, text: str, measure: str) -> float | None:
    if text == "":
        problems.add(column, f"{column} is blank (a missing value is not zero)")
        return None
    if measure in COUNT_MEASURES:
        count = whole_number(text)
        if count is None:
            problems.add(column, f"{column} is not a whole number of 0 or more "
                         f"(a {measure} counts patients)")
            return None
        return float(count)
    value = number(text)
    if value is None or value < 0:
        problems.add(column, f"{column} is not a number of 0 or more")
        return None
    return value
