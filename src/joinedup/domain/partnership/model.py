"""The partnership plan: priorities, their ambitions, the triple aim each serves and its targets.

Why: an integrated care system runs itself by a plan its partners agree — a handful of
priorities (cancer, stroke, mental health, urgent care …), each with ambitions that say what
will change, by when, where, and how it will be measured. The plan is data (a TOML file the
partnership keeps, `parser.py`); these types are what the dashboard and the API read. An
ambition's target may differ by area (West Yorkshire's suicide ambition: −10% across the
footprint, −75% in targeted places), and its measure is either a find-and-treat figure computed
by joinedup (`ProgrammeFigure`) or one of the partnership's own measures from a CSV it supplies.

The triple aim is the duty NHS bodies share under the NHS Act 2006 s.13NA (inserted by the
Health and Care Act 2022): better health and wellbeing of everyone, better quality of services,
and efficient, sustainable use of NHS resources. Pure: standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from joinedup.domain.errors import UserError

FOOTPRINT = "footprint"
"""The area name for the whole footprint (the ICS as a whole)."""


class PlanError(UserError):
    """A plan file, or a measures file, that cannot be used; names the file, entry and field."""


class TripleAim(StrEnum):
    HEALTH_AND_WELLBEING = "health_and_wellbeing"
    CARE_AND_QUALITY = "care_and_quality"
    FINANCE_AND_EFFICIENCY = "finance_and_efficiency"

    @property
    def label(self) -> str:
        return _AIM_LABELS[self]


_AIM_LABELS = {
    TripleAim.HEALTH_AND_WELLBEING: "Health and wellbeing",
    TripleAim.CARE_AND_QUALITY: "Care and quality",
    TripleAim.FINANCE_AND_EFFICIENCY: "Finance and efficiency",
}


class Direction(StrEnum):
    """Which way is better for the measure."""

    INCREASE = "increase"
    DECREASE = "decrease"


PROGRAMME_FIGURES: dict[str, str] = {
    "detection_rate": "share of expected patients on the register",
    "treatment_rate": "share of eligible patients treated",
}
"""Find-and-treat figures an ambition can be measured by (a share, 0 to 1), taken from runs."""


@dataclass(frozen=True)
class MeasureDefinition:
    """One of the partnership's own measures, whose values come from its measures file."""

    key: str
    title: str
    unit: str
    source: str


@dataclass(frozen=True)
class ProgrammeFigure:
    """A find-and-treat figure computed by joinedup from the store (e.g. AF detection)."""

    programme: str
    figure: str

    @property
    def unit(self) -> str:
        """A share from 0 to 1 (shown as a percentage)."""
        return "share"


@dataclass(frozen=True)
class Target:
    """What an ambition aims for in some areas by a date: a level, or a change on the baseline
    (−0.10 is a 10% fall). `where` names the entry in the plan file, for messages."""

    areas: tuple[str, ...]
    by: date
    value: float | None = None
    change: float | None = None
    where: str = field(default="", compare=False)

    def level(self, baseline: float | None) -> float | None:
        """The level to reach: the value, or the baseline changed by `change` (None if the
        baseline is unknown)."""
        if self.value is not None:
            return self.value
        if baseline is None or self.change is None:
            return None
        return baseline * (1 + self.change)


@dataclass(frozen=True)
class PlanAmbition:
    key: str
    title: str
    triple_aim: tuple[TripleAim, ...]
    direction: Direction
    targets: tuple[Target, ...]
    measure: str | None = None
    """The key of one of the partnership's own measures, or None for a programme figure."""
    programme_figure: ProgrammeFigure | None = None
    baseline_date: date | None = None
    """Progress is measured from this date; None: from the earliest reading of the measure."""
    description: str = ""
    where: str = field(default="", compare=False)

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(a for t in self.targets for a in t.areas)


@dataclass(frozen=True)
class Priority:
    key: str
    title: str
    ambitions: tuple[PlanAmbition, ...]
    description: str = ""


@dataclass(frozen=True)
class PartnershipPlan:
    title: str
    priorities: tuple[Priority, ...]
    measures: dict[str, MeasureDefinition]
    description: str = ""
    measures_file: str | None = None
    """The partnership's measures CSV, relative to the plan file (None: no own measures)."""

    @property
    def ambitions(self) -> tuple[PlanAmbition, ...]:
        return tuple(a for p in self.priorities for a in p.ambitions)

    @property
    def programmes(self) -> tuple[str, ...]:
        """Find-and-treat programmes the plan's ambitions are measured by, in plan order."""
        seen: dict[str, None] = {}
        for ambition in self.ambitions:
            if ambition.programme_figure is not None:
                seen.setdefault(ambition.programme_figure.programme, None)
        return tuple(seen)


@dataclass(frozen=True)
class Reading:
    """One value of a measure in one area at one date (a row of the measures file, or a
    find-and-treat figure computed at a date)."""

    measure: str
    area: str
    period_end: date
    value: float
    where: str = field(default="", compare=False)
