"""The expected-prevalence model's age x sex bands, read from a cited parameter table and checked.

Why: "expected" patients (the denominator of detection) come from applying published prevalence
by age and sex to each practice's list. A band table with a gap would silently leave patients
out of the model, so every table is checked to cover every age of every sex exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.domain.contract import SEXES
from joinedup.domain.parameters import ParameterTable
from joinedup.domain.programme.definition import ProgrammeError


@dataclass(frozen=True)
class PrevalenceBand:
    sex: str
    age_from: int
    age_to: int | None  # None = open-ended
    prevalence: float


def prevalence_bands(table: ParameterTable) -> tuple[PrevalenceBand, ...]:
    """Read and check an age x sex prevalence table (columns age_from, age_to, sex, prevalence).

    Every sex in the contract must be covered from age 0 upwards with no gap or overlap and an
    open last band, so no registered patient can silently fall outside the model.
    """
    for column in ("age_from", "age_to", "sex", "prevalence"):
        if column not in table.columns:
            raise ProgrammeError(f"{table.path}: no {column!r} column")
    bands: list[PrevalenceBand] = []
    for i, row in enumerate(table.rows):
        line = f"{table.path}: row {i + 1}"
        sex = row["sex"]
        if sex not in SEXES:
            raise ProgrammeError(f"{line}, column 'sex': {sex!r} is not one of {SEXES}")
        age_from = _int_cell(row["age_from"], f"{line}, column 'age_from'")
        age_to = None if row["age_to"] == "" else _int_cell(row["age_to"], f"{line}, 'age_to'")
        if age_from is None:
            raise ProgrammeError(f"{line}, column 'age_from': empty")
        if age_to is not None and age_to < age_from:
            raise ProgrammeError(f"{line}: age_to {age_to} is below age_from {age_from}")
        prevalence = table.float_at(i, "prevalence")
        if not 0 <= prevalence <= 1:
            raise ProgrammeError(f"{line}, column 'prevalence': {prevalence} is not in [0, 1]")
        bands.append(PrevalenceBand(sex, age_from, age_to, prevalence))
    for sex in SEXES:
        mine = sorted((b for b in bands if b.sex == sex), key=lambda b: b.age_from)
        next_from: int | None = 0
        for band in mine:
            if next_from is None or band.age_from != next_from:
                wanted = "no band after the open one" if next_from is None else f"age {next_from}"
                raise ProgrammeError(
                    f"{table.path}: sex {sex}: the band from age {band.age_from} leaves a gap or "
                    f"overlap (expected {wanted})"
                )
            next_from = None if band.age_to is None else band.age_to + 1
        if not mine or next_from is not None:
            raise ProgrammeError(
                f"{table.path}: sex {sex}: bands must cover every age from 0, the last open-ended"
            )
    return tuple(bands)


def _int_cell(raw: str, where: str) -> int | None:
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ProgrammeError(f"{where}: {raw!r} is not a whole number") from None


