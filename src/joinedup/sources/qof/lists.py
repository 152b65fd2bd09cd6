"""Practice list sizes by age: 5-year bands by sex, or QOF's broad age bases.

Why: expected prevalence depends on a practice's age and sex mix, so the model wants the finest
structure a user has (``age_structure.py`` turns any of these into expected patients):

* **5-year bands by sex** — NHS Digital's "Patients registered at a GP practice" file
  ``gp-reg-pat-prac-quin-age.csv``: one row per practice, sex and band, with columns
  ``PUBLICATION, EXTRACT_DATE, TYPE, CCG_CODE, ONS_CCG_CODE, ORG_CODE, POSTCODE, SEX,
  AGE_GROUP_5, NUMBER_OF_PATIENTS`` (later months name the area columns SUB_ICB_LOCATION_*,
  and some months call ORG_CODE plain CODE). SEX is MALE, FEMALE or ALL; AGE_GROUP_5 is
  ``0_4`` … ``90_94``, ``95+`` or ALL. Only the practice code, SEX, AGE_GROUP_5 and
  NUMBER_OF_PATIENTS are required; TYPE, when present, must be GP.
* **QOF age bases** — one row per practice with a column per base: ``PRACTICE_CODE, TOTAL,
  16OV, 17OV, 18OV, 30_74, 50OV, 0_64, 65OV`` (the House of Commons Library's table of the QOF
  2019-20 list sizes, ``gp-by-age.csv``). A column whose name is not an age base (e.g.
  ``65OV%``) is ignored and listed. Values may be fractional (the Library imputed a few); a
  blank base is unknown, not zero.

Rows are rejected for a malformed practice code, an unreadable sex or age group, a count that is
not a number of 0 or more, a repeat, or — for age bases — counts that contradict each other (a
base larger than one that contains it, or 0–64 and 65+ not adding up to TOTAL).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from joinedup.sources.qof.readers import (
    CsvRow,
    Imported,
    RowProblems,
    SourceFileError,
    cell,
    check_count,
    check_practice,
    check_repeat,
    clean_header,
    find_columns,
    number,
    open_columns,
    open_text,
    read_rows,
)

AGE_SEX_TABLE = "list_sizes_by_age_sex"
AGE_BASE_TABLE = "list_sizes_by_age_base"
AGE_SEX_LAYOUT = "patients registered at a GP practice (5-year age bands by sex)"
AGE_BASE_LAYOUT = "QOF age bases (PRACTICE_CODE, TOTAL, 16OV, 18OV, 30_74, 50OV, 0_64, 65OV)"

AGE_SEX_COLUMNS = {
    "practice_code": ("ORG_CODE", "CODE", "PRACTICE_CODE"),
    "sex": ("SEX",),
    "age_group": ("AGE_GROUP_5",),
    "patients": ("NUMBER_OF_PATIENTS",),
}
SEX_CODES = {"MALE": "M", "FEMALE": "F", "M": "M", "F": "F", "ALL": "ALL"}
TOLERANCE = 0.5  # patients: imputed bases are fractional, so equality is to half a patient

_BAND = re.compile(r"^([0-9]+)\s*[_-]\s*([0-9]+)$")
_OPEN_BAND = re.compile(r"^([0-9]+)\s*(?:\+|_?PLUS|_?OV(?:ER)?)$")


@dataclass(frozen=True)
class AgeSexCount:
    """Registered patients of one sex in one age band (``sex`` ALL or band None: a total)."""

    practice_code: str
    sex: str  # M, F or ALL
    age_from: int | None  # None: all ages
    age_to: int | None  # None: open-ended (or all ages)
    patients: int


@dataclass(frozen=True)
class AgeBases:
    """One practice's list size in each QOF age base it has: base code -> patients."""

    practice_code: str
    bases: dict[str, float]


@functools.cache
def age_base_interval(code: str) -> tuple[int, int | None] | None:
    """The ages a QOF list type covers, inclusive (None: open); None if it is not an age base.

    TOTAL: all ages; ``18OV``: 18 and over; ``79UN``: 79 and under; ``30_74``: 30 to 74.
    Sex-specific and other types (``25_64_F``, ``UN01``) are not age bases here.
    """
    code = code.strip().upper()
    if code == "TOTAL":
        return (0, None)
    if match := re.match(r"^([0-9]+)OV$", code):
        return (int(match.group(1)), None)
    if match := re.match(r"^([0-9]+)UN$", code):
        return (0, int(match.group(1)))
    if match := re.match(r"^([0-9]+)_([0-9]+)$", code):
        low, high = int(match.group(1)), int(match.group(2))
        return (low, high) if high >= low else None
    return None


def list_sizes_layout(path: Path | str) -> str:
    """Which layout a list-size file has: ``age_sex`` or ``age_bases`` (from its header)."""
    path = Path(path)
    header = {clean_header(h) for h in open_text(path)}
    if {"SEX", "AGE_GROUP_5", "NUMBER_OF_PATIENTS"} <= header:
        return "age_sex"
    if {"PRACTICE_CODE", "TOTAL"} <= header:
        return "age_bases"
    raise SourceFileError(
        f"{path}: not a list-size file: expected either {AGE_SEX_LAYOUT} "
        f"(SEX, AGE_GROUP_5, NUMBER_OF_PATIENTS, ORG_CODE) or {AGE_BASE_LAYOUT}"
    )


def read_age_sex_bands(path: Path | str) -> Imported[AgeSexCount]:
    """Every row of a 5-year-band-by-sex list file, checked (see the module docstring)."""
    path = Path(path)
    header, index, names = open_columns(path, AGE_SEX_COLUMNS, AGE_SEX_LAYOUT)
    type_index = next((i for i, h in enumerate(header) if clean_header(h) == "TYPE"), None)
    seen: dict[tuple[str, str, int | None, int | None], int] = {}

    def parse(row: CsvRow, problems: RowProblems) -> AgeSexCount | None:
        if type_index is not None:
            org_type = cell(row, header, type_index).upper()
            if org_type != "GP":
                problems.add(header[type_index].strip(),
                             f"{header[type_index].strip()} is {org_type or 'blank'}; only "
                             "practice (GP) rows are read")
        practice = check_practice(problems, names["practice_code"],
                                  cell(row, header, index["practice_code"]))
        sex_text = cell(row, header, index["sex"]).upper()
        sex = SEX_CODES.get(sex_text)
        if sex is None:
            problems.add(names["sex"], f"{names['sex']} is "
                         f"{'blank' if not sex_text else 'not MALE, FEMALE or ALL'}")
        band = _age_group(cell(row, header, index["age_group"]))
        if band is None:
            problems.add(names["age_group"], f"{names['age_group']} is not an age group "
                         "(e.g. 0_4, 90_94, 95+ or ALL)")
        patients = check_count(problems, names["patients"],
                               cell(row, header, index["patients"]))
        if problems:
            return None
        assert sex is not None and band is not None and patients is not None
        key = (practice, sex, *band)
        check_repeat(problems, seen, key, "same practice, sex and age group")
        if problems:
            return None
        seen[key] = row.number
        return AgeSexCount(practice, sex, band[0], band[1], patients)

    return read_rows(AGE_SEX_TABLE, path, parse)


def _age_group(text: str) -> tuple[int | None, int | None] | None:
    text = text.strip().upper()
    if text == "ALL":
        return (None, None)
    if match := _BAND.match(text):
        low, high = int(match.group(1)), int(match.group(2))
        return (low, high) if high >= low else None
    if match := _OPEN_BAND.match(text):
        return (int(match.group(1)), None)
    return None


def age_base_columns(path: Path, header: list[str]) -> tuple[int, dict[str, int], list[str]]:
    """The practice column, the age-base columns (code -> index) and the ignored columns."""
    cleaned = [clean_header(h) for h in header]
    index = find_columns(path, header, {"practice_code": ("PRACTICE_CODE",),
                                        "total": ("TOTAL",)}, AGE_BASE_LAYOUT)
    bases: dict[str, int] = {}
    ignored: list[str] = []
    for i, name in enumerate(cleaned):
        if i == index["practice_code"]:
            continue
        if age_base_interval(name) is not None:
            bases[name] = i
        else:
            ignored.append(header[i].strip())
    return index["practice_code"], bases, ignored


def read_age_bases(path: Path | str) -> tuple[Imported[AgeBases], tuple[str, ...]]:
    """Every row of a QOF age-base file, checked; also the columns that were ignored."""
    path = Path(path)
    header = open_text(path)
    practice_index, base_index, ignored = age_base_columns(path, header)
    seen: dict[str, int] = {}

    def parse(row: CsvRow, problems: RowProblems) -> AgeBases | None:
        practice = check_practice(problems, header[practice_index].strip(),
                                  cell(row, header, practice_index))
        bases: dict[str, float] = {}
        for code, i in base_index.items():
            text = cell(row, header, i)
            if text == "":
                continue  # unknown, not zero
            value = number(text)
            if value is None or value < 0:
                problems.add(header[i].strip(),
                             f"{header[i].strip()} is not a number of 0 or more")
                continue
            bases[code] = value
        if "TOTAL" not in bases and not any(f == "TOTAL" for f, _ in problems.items):
            problems.add("TOTAL", "TOTAL is blank (the whole list size is needed)")
        if not problems:
            for field_name, reason in age_base_conflicts(bases):
                problems.add(field_name, reason)
        check_repeat(problems, seen, practice, "same practice")
        if problems:
            return None
        seen[practice] = row.number
        return AgeBases(practice, bases)

    return read_rows(AGE_BASE_TABLE, path, parse), tuple(ignored)


def age_base_conflicts(bases: dict[str, float]) -> list[tuple[str, str]]:
    """Age bases that contradict each other: (field, reason) for each contradiction found.

    A base may not hold more patients than a base whose ages contain it, and two bases that
    split all ages between them (0_64 and 65OV) must add up to TOTAL.
    """
    problems: list[tuple[str, str]] = []
    intervals = {code: age_base_interval(code) for code in bases}
    codes = sorted(bases, key=lambda c: (intervals[c] or (0, None))[0])
    for inner in codes:
        low, high = intervals[inner] or (0, None)
        for outer in codes:
            if outer == inner:
                continue
            o_low, o_high = intervals[outer] or (0, None)
            contained = o_low <= low and (o_high is None or (high is not None and high <= o_high))
            if contained and (o_low, o_high) != (low, high) \
                    and bases[inner] > bases[outer] + TOLERANCE:
                problems.append((inner, f"{inner} {bases[inner]:g} is more than {outer} "
                                 f"{bases[outer]:g}, which contains its ages"))
    total = bases.get("TOTAL")
    if total is not None:
        for first in codes:
            low, high = intervals[first] or (0, None)
            if low != 0 or high is None:
                continue
            rest = f"{high + 1}OV"
            if rest in bases and abs(bases[first] + bases[rest] - total) > TOLERANCE:
                problems.append((first, f"{first} {bases[first]:g} + {rest} {bases[rest]:g} "
                                 f"is not TOTAL {total:g}"))
    return problems
