"""Ambitions, and the gap each practice has to close to reach one.

Why: an ICS sets a population target (the national 2029 CVD ambitions: 85% of expected AF
detected and 90% of eligible patients anticoagulated; or one combined "identified and managed"
figure, as West Yorkshire's 89%) and wants, practice by practice, how many patients are still to
find and still to treat. Those two whole numbers drive ranking, waves and the size of the prize.

Definitions (docs/targeting.md gives the worked examples):

- Separate ambitions (detect `d`, treat `t`):
      to_find  = max(0, ⌈d × expected − recorded⌉)
      to_treat = max(0, ⌈t × denominator − treated⌉)
  where denominator = eligible, or eligible − exceptions with `exclude_exceptions` (QOF's PCA
  rule). The default keeps exceptions in: the practice table's treatment_rate is treated ÷
  eligible, and a patient with a care adjustment is still at risk and worth a review.
- Combined ambition `a` ("identified and managed"): the share of the *expected eligible* AF
  population who are both found and treated,
      managed share = treated ÷ (expected × q)
  with q the share of AF patients who are eligible (impact.csv `eligible_share_of_found`). Where
  a practice's own eligible share equals q this is exactly detection_rate × treatment_rate. The
  gap in treated patients, needed = ⌈a × expected × q − treated⌉, is closed by the fewest
  actions: first treat known untreated eligible patients (one action per patient managed),
  to_treat = min(needed, eligible − treated); then find the rest, each found patient being
  eligible with probability q and then treated, to_find = ⌈(needed − to_treat) ÷ q⌉. With
  `exclude_exceptions`, exceptions leave both the target (a × (expected × q − exceptions)) and
  the known untreated patients.

Rounding is up by default (`ceil`): a fraction of a patient short is still short of the
ambition. Float noise is removed first (0.55 × 100 is 55.00000000000001 in binary, which must
give 55 patients, not 56).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from joinedup.domain.measures import PracticeCounts

NATIONAL_DETECT = 0.85
"""2029 national CVD ambition: share of expected AF patients detected."""
NATIONAL_TREAT = 0.90
"""2029 national CVD ambition: share of eligible AF patients anticoagulated."""

_FLOAT_NOISE_DIGITS = 9

NO_TREATMENT_COUNTS = "the source has no eligible/treated counts (e.g. QOF without AF008)"
NO_EXCEPTION_COUNTS = "exceptions are excluded but the source has no PCA count"


class Rounding(StrEnum):
    """How a fractional patient gap becomes a whole number of patients."""

    CEIL = "ceil"
    """Up: the number needed to reach at least the ambition (default)."""
    NEAREST = "nearest"
    """To the nearest whole patient, halves up: for comparison with tools that round."""


def whole(value: float, rounding: Rounding = Rounding.CEIL) -> int:
    """`value` as whole patients, after removing binary float noise."""
    cleaned = round(value, _FLOAT_NOISE_DIGITS)
    if rounding is Rounding.CEIL:
        return math.ceil(cleaned)
    return math.floor(cleaned + 0.5)


@dataclass(frozen=True)
class Ambition:
    """Either separate detect and treat ambitions, or one combined ambition.

    Construct `Ambition()` for the national 2029 pair, `Ambition(detect=0.8, treat=0.95)` for
    another pair, or `Ambition.identified_and_managed(0.89)` for a combined one.
    """

    detect: float | None = NATIONAL_DETECT
    treat: float | None = NATIONAL_TREAT
    combined: float | None = None
    exclude_exceptions: bool = False
    rounding: Rounding = Rounding.CEIL

    def __post_init__(self) -> None:
        separate = self.detect is not None or self.treat is not None
        if self.combined is not None and separate:
            raise ValueError(
                "give either detect and treat ambitions or one combined ambition, not both "
                "(use Ambition.identified_and_managed(value))"
            )
        if self.combined is None and (self.detect is None or self.treat is None):
            raise ValueError("separate ambitions need both detect and treat")
        for name in ("detect", "treat", "combined"):
            value = getattr(self, name)
            if value is not None and not 0 < value <= 1:
                raise ValueError(f"ambition {name} must be a share in (0, 1], got {value}")
        object.__setattr__(self, "rounding", Rounding(self.rounding))

    @classmethod
    def identified_and_managed(
        cls,
        value: float,
        *,
        exclude_exceptions: bool = False,
        rounding: Rounding = Rounding.CEIL,
    ) -> Ambition:
        """One combined ambition: the share of expected eligible patients found and treated."""
        return cls(
            detect=None,
            treat=None,
            combined=value,
            exclude_exceptions=exclude_exceptions,
            rounding=rounding,
        )

    @property
    def is_combined(self) -> bool:
        return self.combined is not None

    @property
    def treated_share_of_found(self) -> float:
        """Share of newly found eligible patients the ambition expects to be treated.

        Separate ambitions: the treat ambition. Combined: all of them, because to_find was
        sized on the assumption that every eligible patient found is then treated.
        """
        return 1.0 if self.treat is None else self.treat

    def as_dict(self) -> dict[str, object]:
        """The ambition as recorded in summary.json."""
        return {
            "kind": "combined" if self.is_combined else "separate",
            "detect": self.detect,
            "treat": self.treat,
            "combined": self.combined,
            "exclude_exceptions": self.exclude_exceptions,
            "rounding": str(self.rounding),
        }


@dataclass(frozen=True)
class Gap:
    """Patients still to find and to treat at one practice; None where it cannot be known."""

    to_find: int | None
    to_treat: int | None
    note: str | None = None


def gap(
    counts: PracticeCounts,
    ambition: Ambition,
    *,
    eligible_share: float | None = None,
) -> Gap:
    """The practice's gap to the ambition (0 where already met).

    `eligible_share` (q, the share of AF patients eligible for treatment) is needed only for a
    combined ambition; pass the impact parameters' `eligible_share_of_found`.
    """
    if ambition.combined is not None:
        return _combined_gap(counts, ambition, ambition.combined, eligible_share)
    assert ambition.detect is not None and ambition.treat is not None
    to_find = max(0, whole(ambition.detect * counts.expected - counts.recorded, ambition.rounding))
    denominator, why = _treat_denominator(counts, ambition)
    if denominator is None or counts.treated is None:
        return Gap(to_find=to_find, to_treat=None, note=f"to_treat unknown: {why}")
    to_treat = max(0, whole(ambition.treat * denominator - counts.treated, ambition.rounding))
    return Gap(to_find=to_find, to_treat=to_treat)


def _treat_denominator(counts: PracticeCounts, ambition: Ambition) -> tuple[int | None, str]:
    """Eligible patients the treat ambition applies to, or None and the reason it is unknown."""
    if counts.eligible is None or counts.treated is None:
        return None, NO_TREATMENT_COUNTS
    if not ambition.exclude_exceptions:
        return counts.eligible, ""
    if counts.exceptions is None:
        return None, NO_EXCEPTION_COUNTS
    return max(0, counts.eligible - counts.exceptions), ""


def _combined_gap(
    counts: PracticeCounts, ambition: Ambition, value: float, eligible_share: float | None
) -> Gap:
    if eligible_share is None or not 0 < eligible_share <= 1:
        raise ValueError(
            "a combined ambition needs the share of AF patients who are eligible, in (0, 1] "
            "(impact.csv eligible_share_of_found)"
        )
    denominator, why = _treat_denominator(counts, ambition)
    if denominator is None or counts.treated is None:
        return Gap(to_find=None, to_treat=None, note=f"to_find and to_treat unknown: {why}")
    removed = counts.eligible - denominator if counts.eligible is not None else 0
    expected_eligible = max(0.0, counts.expected * eligible_share - removed)
    needed = max(0, whole(value * expected_eligible - counts.treated, ambition.rounding))
    untreated = max(0, denominator - counts.treated)
    to_treat = min(needed, untreated)
    remaining = needed - to_treat
    to_find = whole(remaining / eligible_share, ambition.rounding) if remaining else 0
    return Gap(to_find=to_find, to_treat=to_treat)
