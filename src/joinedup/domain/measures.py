"""The practice measure table: one row per (period, programme, practice) — the product's waist.

Why: patient-level data produces these rows by computation and published aggregates (QOF,
CVDPREVENT) fill them directly; targeting, impact, inequalities and reports read only these rows,
so they work the same whichever source fed them. Column names follow DESIGN.md and are a contract.

Counts are whole patients except `expected`, which is a modelled (fractional) number of people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PracticeCounts:
    """What a source knows about one practice in one period for one programme.

    `risk_counts` breaks the eligible patients down by risk score (AF: CHA2DS2-VASc) as
    score -> (eligible, treated); it is empty when the source has no patient-level detail
    (published aggregates), and the impact model then falls back to a cited distribution.
    A count a source does not have (e.g. no AF008 numerator in a QOF extract) is None, never 0.
    """

    period_end: date
    programme: str
    practice_code: str
    practice_name: str
    pcn_code: str | None
    place_code: str | None
    sub_icb_code: str | None
    ics_code: str | None
    list_size: int
    expected: float
    recorded: int
    eligible: int | None
    treated: int | None
    exceptions: int | None
    imd_quintile: int | None = None
    risk_counts: dict[int, tuple[int, int]] = field(default_factory=dict)
    to_assess: int | None = None
    """On the register with a computed risk score at the eligibility threshold but no recorded
    score (AF: CHA2DS2-VASc to assess); None where the definition or source cannot say."""

    @property
    def detection_rate(self) -> float | None:
        return detection_rate(self.recorded, self.expected)

    @property
    def treatment_rate(self) -> float | None:
        return treatment_rate(self.treated, self.eligible)


def detection_rate(recorded: int, expected: float) -> float | None:
    """Recorded over expected patients; None when none are expected (no rate, not zero)."""
    return recorded / expected if expected > 0 else None


def treatment_rate(treated: int | None, eligible: int | None) -> float | None:
    """Treated over eligible patients; None when either is unknown or none are eligible.

    One definition for a practice and for any roll-up of practices, so the two never differ.
    """
    if eligible is None or treated is None or eligible == 0:
        return None
    return treated / eligible


# Column order of practices.csv (DESIGN.md); later columns may be appended, never renamed.
PRACTICE_TABLE_COLUMNS = (
    "period_end",
    "programme",
    "practice_code",
    "practice_name",
    "pcn_code",
    "place_code",
    "sub_icb_code",
    "ics_code",
    "list_size",
    "expected",
    "recorded",
    "eligible",
    "treated",
    "exceptions",
    "detection_rate",
    "treatment_rate",
    "to_find",
    "to_treat",
    "imd_quintile",
    "willing",
    "rank",
    "wave",
    "strokes_prevented_per_year",
    "deaths_avoided_per_year",
    "savings_gbp_per_year",
    "to_assess",
)
