"""The criteria a programme definition is written in: patient-level conditions at a reference date.

Each is a one-line TOML inline table with exactly one kind key:

    { coded = "af" }                                 any code in the codelist, on or before the date
    { coded = ["doac", "vka"], within_months = 6 }   ... and within the window (see `months_before`)
    { diagnosed = "af", resolved_by = "af_resolved" } latest code not followed by a later resolved
    { age_from = 65, age_to = 74 }                   age in whole years at the date, both inclusive
    { sex = "F" }
    { latest_value = "systolic_bp", within_months = 12, at_most = 140 }
    { flag = "on_register" }                         a flag computed earlier in the definition
    { all = [...] }  { any = [...] }  { not = {...} }

Boundaries (docs/programmes.md explains why): events after the reference date are ignored; a
window of N months holds events after `months_before(date, N)` up to and including the date, so an
event exactly N months before is outside it; a resolved code on the same day as the diagnosis
leaves the patient on the register; a patient's age goes up on their birthday. Engines compile
these types (engines/criteria.py); nothing here evaluates them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Coded:
    """Any code from the codelists on or before the date (and within the window, if given)."""

    codelists: tuple[str, ...]
    within_months: int | None = None


@dataclass(frozen=True)
class Diagnosed:
    """QOF register logic: a code in `codelist`, with no later code in `resolved_by`."""

    codelist: str
    resolved_by: str | None = None


@dataclass(frozen=True)
class AgeBand:
    """Age in whole years at the reference date within [age_from, age_to]; None is open."""

    age_from: int | None = None
    age_to: int | None = None


@dataclass(frozen=True)
class SexIs:
    sex: str


@dataclass(frozen=True)
class LatestValue:
    """The latest recorded value in the window meets the bounds (both inclusive).

    On the latest day with a reading the lowest value is used (QOF's rule for blood pressure);
    no reading in the window means the criterion is not met.
    """

    codelist: str
    within_months: int | None = None
    at_most: float | None = None
    at_least: float | None = None


@dataclass(frozen=True)
class FlagIs:
    flag: str


@dataclass(frozen=True)
class AllOf:
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class AnyOf:
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Not:
    criterion: Criterion


Criterion = Coded | Diagnosed | AgeBand | SexIs | LatestValue | FlagIs | AllOf | AnyOf | Not


def walk(criterion: Criterion) -> Iterator[Criterion]:
    """The criterion and every criterion nested inside it, depth first."""
    yield criterion
    if isinstance(criterion, AllOf | AnyOf):
        for inner in criterion.criteria:
            yield from walk(inner)
    elif isinstance(criterion, Not):
        yield from walk(criterion.criterion)


