"""One practice as the plan sees it: its counts, gap, rank, wave and impact (a practices.csv row).

Why apart: targeting makes these rows, roll-ups sum them and outputs write them; each of those
reads this one type, so none of them needs the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.domain.impact import ImpactResult
from joinedup.domain.measures import PRACTICE_TABLE_COLUMNS, PracticeCounts

EXTRA_COLUMNS = ("opportunity", "savings_gbp_five_year", "note")
"""Columns a practice row adds after DESIGN.md's (`TargetedPractice.as_row(extended=True)`)."""

IMPACT_PARTIAL = "impact counts newly found patients only"

_OWN_COLUMNS = frozenset(
    {
        "to_find",
        "to_treat",
        "willing",
        "rank",
        "wave",
        "strokes_prevented_per_year",
        "deaths_avoided_per_year",
        "savings_gbp_per_year",
        *EXTRA_COLUMNS,
    }
)
"""practices.csv columns a TargetedPractice computes; the rest come from its PracticeCounts."""


@dataclass(frozen=True)
class TargetedPractice:
    """One row of practices.csv: the practice's counts, its gap, rank, wave and impact."""

    counts: PracticeCounts
    to_find: int | None
    to_treat: int | None
    opportunity: float
    willing: bool
    rank: int
    wave: int | None
    impact: ImpactResult | None
    note: str | None = None

    @property
    def practice_code(self) -> str:
        return self.counts.practice_code

    @property
    def planned(self) -> bool:
        return self.wave is not None

    @property
    def strokes_prevented_per_year(self) -> float | None:
        return None if self.impact is None else self.impact.strokes_prevented_per_year

    @property
    def deaths_avoided_per_year(self) -> float | None:
        return None if self.impact is None else self.impact.deaths_avoided_per_year

    @property
    def savings_gbp_per_year(self) -> float | None:
        return None if self.impact is None else self.impact.savings_gbp_per_year

    @property
    def savings_gbp_five_year(self) -> float | None:
        return None if self.impact is None else self.impact.savings_gbp_five_year

    def as_row(self, *, extended: bool = False) -> dict[str, object]:
        """The practices.csv row: DESIGN.md's columns in order, then EXTRA_COLUMNS if asked."""
        columns = PRACTICE_TABLE_COLUMNS + (EXTRA_COLUMNS if extended else ())
        return {c: getattr(self if c in _OWN_COLUMNS else self.counts, c) for c in columns}
