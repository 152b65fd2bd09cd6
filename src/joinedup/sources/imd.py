"""Practice and PCN deprivation (IMD 2019) from the published files, checked row by row.

Why: the practice measure table carries each practice's IMD quintile (1 = most deprived) so
targeting and inequality views can split by deprivation. Two shapes are read:

* **Registration-weighted IMD** (practice_pcn_imd, from MHCLG's IMD 2019 and NHS Digital's
  registrations by LSOA): ``practice_code, practice_name, postcode, subicb_code, imd_score,
  imd_decile`` — and the same for PCNs with ``pcn_code, pcn_name, ...``. Decile 1 is the most
  deprived tenth; quintile = (decile + 1) // 2.
* **OHID Fingertips indicator 93553** (practice IMD score): ``IndicatorID, Year, AreaCode,
  AreaName, IsAreaCurrent, Value`` for 2010, 2015 and 2019. Only scores are published, so the
  latest year's scores are ranked into deciles across the practices in the file (highest score
  = decile 1): give the national file, not a slice, or the deciles are local.

Rows are rejected for a malformed code, a score that is not a number of 0 or more, a decile
outside 1..10, a row with neither score nor decile, or a repeat.

``national_practice_imd`` is the packaged national table (every English practice's
registration-weighted IMD 2019 score, ``data/practice_imd_2019_england.csv``) against which
every store places a practice's score (``domain.inequality.national_quintile``).
"""

from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from joinedup.sources.qof.readers import (
    CsvRow,
    Imported,
    RowProblems,
    SourceFileError,
    cell,
    check_practice,
    check_repeat,
    clean_header,
    find_columns,
    number,
    open_text,
    read_rows,
    whole_number,
)

PRACTICE_TABLE = "practice_imd"
PCN_TABLE = "pcn_imd"
PCN_CODE = re.compile(r"^(?:U|U[0-9]{5})$")
FINGERTIPS_INDICATOR = "93553"
NATIONAL_FILE = Path(__file__).resolve().parent / "data" / "practice_imd_2019_england.csv"


@dataclass(frozen=True)
class ImdRow:
    """One practice's (or PCN's) deprivation: score and/or decile, and the IMD year if given."""

    code: str
    year: int | None
    imd_score: float | None
    imd_decile: int | None

    @property
    def imd_quintile(self) -> int | None:
        return None if self.imd_decile is None else quintile_of_decile(self.imd_decile)


def quintile_of_decile(decile: int) -> int:
    """IMD quintile (1 = most deprived) from an IMD decile (1 = most deprived)."""
    if not 1 <= decile <= 10:
        raise ValueError(f"an IMD decile is 1..10, got {decile}")
    return (decile + 1) // 2


def read_practice_imd(path: Path | str) -> Imported[ImdRow]:
    """A practice IMD file in either published shape (see the module docstring)."""
    path = Path(path)
    header = {clean_header(h) for h in open_text(path)}
    if {"AREACODE", "VALUE", "YEAR"} <= header:
        return _read_fingertips(path)
    return _read_weighted(path, "practice_code", PRACTICE_TABLE)


def read_pcn_imd(path: Path | str) -> Imported[ImdRow]:
    """A PCN IMD file (``pcn_code, pcn_name, postcode, subicb_code, imd_score, imd_decile``)."""
    return _read_weighted(Path(path), "pcn_code", PCN_TABLE)


def _read_weighted(path: Path, code_column: str, table: str) -> Imported[ImdRow]:
    header = open_text(path)
    index = find_columns(path, header, {"code": (code_column,)}, f"{table} (IMD)")
    cleaned = [clean_header(h) for h in header]
    score_i = cleaned.index("IMD_SCORE") if "IMD_SCORE" in cleaned else None
    decile_i = cleaned.index("IMD_DECILE") if "IMD_DECILE" in cleaned else None
    if score_i is None and decile_i is None:
        raise SourceFileError(f"{path}: not an IMD file: needs imd_score or imd_decile")
    seen: dict[str, int] = {}

    def parse(row: CsvRow, problems: RowProblems) -> ImdRow | None:
        text = cell(row, header, index["code"])
        if table == PRACTICE_TABLE:
            code = check_practice(problems, code_column, text)
        else:
            code = text.upper()
            if not PCN_CODE.match(code):
                problems.add(code_column, f"{code_column} is "
                             f"{'blank' if not code else 'not a PCN code (U and five digits)'}")
        score = _score(problems, "imd_score", cell(row, header, score_i) if score_i is not None
                       else "")
        decile = _decile(problems, "imd_decile", cell(row, header, decile_i)
                         if decile_i is not None else "")
        if not problems and score is None and decile is None:
            problems.add("imd_score", "imd_score and imd_decile are both blank")
        check_repeat(problems, seen, code, f"same {code_column}")
        if problems:
            return None
        seen[code] = row.number
        return ImdRow(code, 2019, score, decile)

    return read_rows(table, path, parse)


def _read_fingertips(path: Path) -> Imported[ImdRow]:
    header = open_text(path)
    columns = {"indicator": ("IndicatorID",), "year": ("Year",), "code": ("AreaCode",),
               "value": ("Value",)}
    index = find_columns(path, header, columns, "Fingertips practice IMD (indicator 93553)")
    seen: dict[tuple[str, int], int] = {}

    def parse(row: CsvRow, problems: RowProblems) -> ImdRow | None:
        indicator = cell(row, header, index["indicator"])
        if indicator != FINGERTIPS_INDICATOR:
            problems.add("IndicatorID", f"IndicatorID is not {FINGERTIPS_INDICATOR} "
                         "(practice IMD score)")
        code = check_practice(problems, "AreaCode", cell(row, header, index["code"]))
        year = whole_number(cell(row, header, index["year"]))
        if year is None or not 2000 <= year <= 2100:
            problems.add("Year", "Year is not a year")
        score = _score(problems, "Value", cell(row, header, index["value"]))
        if not problems and score is None:
            problems.add("Value", "Value is blank")
        if problems:
            return None
        assert year is not None
        check_repeat(problems, seen, (code, year), "same practice and year")
        if problems:
            return None
        seen[(code, year)] = row.number
        return ImdRow(code, year, score, None)

    checked = read_rows(PRACTICE_TABLE, path, parse)
    return replace(checked, rows=tuple(_rank_latest(list(checked.rows))))


def _rank_latest(rows: list[ImdRow]) -> list[ImdRow]:
    """Deciles for the latest year's scores, ranked across the file (highest = decile 1)."""
    if not rows:
        return rows
    latest = max(r.year or 0 for r in rows)
    scored = sorted((r for r in rows if r.year == latest), key=lambda r: (-(r.imd_score or 0),
                                                                           r.code))
    n = len(scored)
    decile_of = {r.code: min(10, 1 + math.floor(10 * i / n)) for i, r in enumerate(scored)}
    return [replace(r, imd_decile=decile_of[r.code]) if r.year == latest else r for r in rows]


def _score(problems: RowProblems, column: str, text: str) -> float | None:
    if text == "" or text.upper() == "NA":
        return None
    value = number(text)
    if value is None or value < 0:
        problems.add(column, f"{column} is not a number of 0 or more")
        return None
    return value


def _decile(problems: RowProblems, column: str, text: str) -> int | None:
    if text == "" or text.upper() == "NA":
        return None
    value = whole_number(text)
    if value is None or not 1 <= value <= 10:
        problems.add(column, f"{column} is not a decile from 1 to 10")
        return None
    return value


@functools.cache
def national_practice_imd() -> dict[str, float]:
    """practice code -> registration-weighted IMD 2019 score, for every practice in England.

    Packaged (data/SOURCE.md): the scores of 6,437 English practices from their registered
    patients' LSOAs (February 2023 registrations). The national distribution the practice
    quintile is read against, and a practice's score when a store has none of its own.
    """
    with NATIONAL_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["practice_code"]: float(row["imd_score"]) for row in csv.DictReader(handle)}
