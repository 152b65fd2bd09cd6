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
from typing import Protocol

from joinedup.domain.errors import UserError
from joinedup.domain.measures import PracticeCounts

_FLOAT_NOISE_DIGITS = 9

NO_TREATMENT_COUNTS = "the source has no eligible/treated counts (e.g. QOF without AF008)"
NO_EXCEPTION_COUNTS = "exceptions are excluded but the source has no PCA count"


class AmbitionError(UserError):
    """An ambition that cannot be used: out of range, or separate and combined given together."""


def check_share(name: str, value: float) -> float:
    """The one range check for an ambition: a share in (0, 1]; the message names the ambition.

    Used for what a user asks for and for a definition's defaults alike, so the rule and its
    wording cannot drift apart.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise AmbitionError(f"ambition {name} must be a share in (0, 1], got {value!r}")
    return float(value)


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

    Construct `Ambition(detect=0.85, treat=0.90)` for a pair (the national 2029 AF ambitions),
    or `Ambition.identified_and_managed(0.89)` for a combined one. There is no default: each
    programme's own defaults come from its definition (`AmbitionRequest.resolve`), so one
    programme's figures are never used for another.
    """

    detect: float | None = None
    treat: float | None = None
    combined: float | None = None
    exclude_exceptions: bool = False
    rounding: Rounding = Rounding.CEIL

    def __post_init__(self) -> None:
        for name in ("detect", "treat", "combined"):
            value = getattr(self, name)
            if value is not None:
                check_share(name, value)
        separate = self.detect is not None or self.treat is not None
        if self.combined is not None and separate:
            raise AmbitionError(
                "give either detect and treat ambitions or one combined ambition, not both "
                "(use Ambition.identified_and_managed(value))"
            )
        if self.combined is None and (self.detect is None or self.treat is None):
            raise AmbitionError("separate ambitions need both detect and treat")
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


class AmbitionDefaults(Protocol):
    """A programme's default ambitions (its definition's [ambitions] section)."""

    @property
    def detect(self) -> float: ...

    @property
    def treat(self) -> float: ...


@dataclass(frozen=True)
class AmbitionRequest:
    """The ambition a user asked for, before the programme's defaults fill in the rest.

    Every surface (CLI, web, Python) takes these three optional figures under the same names
    (`--ambition-detect`, `--ambition-treat`, `--ambition`) and resolves them once, here.
    """

    detect: float | None = None
    treat: float | None = None
    combined: float | None = None

    def resolve(self, defaults: AmbitionDefaults) -> Ambition:
        """The ambition in force: the combined one if asked, else detect and treat, each falling
        back to the programme's default."""
        if self.combined is not None:
            if self.detect is not None or self.treat is not None:
                raise AmbitionError(
                    "use either --ambition or --ambition-detect/--ambition-treat, not both"
                )
            return Ambition.identified_and_managed(self.combined)
        return Ambition(
            detect=defaults.detect if self.detect is None else self.detect,
            treat=defaults.treat if self.treat is None else self.treat,
        )


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
        raise AmbitionError(
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
