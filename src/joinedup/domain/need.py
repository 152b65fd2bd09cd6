"""Highest need: PCNs ranked by their patients to find and treat, weighted towards deprivation.

Why: the partnership focuses on the PCNs with the highest need, not only the largest gaps; a
patient still to find or treat in a most-deprived practice counts for more (docs/inequalities.md,
"Highest need", gives the formula and a worked example).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from joinedup.domain.inequality import InequalityError

DEFAULT_NEED_UPLIFT = 0.5
"""Extra weight on a patient in a most-deprived (quintile 1) practice: 1.5 vs 1.0 in quintile 5."""


@dataclass(frozen=True)
class PracticeNeed:
    """What the need ranking reads from one practice row (practices.csv columns)."""

    practice_code: str
    pcn_code: str | None
    to_find: int | None
    to_treat: int | None
    imd_quintile: int | None

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> PracticeNeed:
        """From a practices.csv-shaped mapping (`TargetedPractice.as_row()`)."""

        def whole(name: str) -> int | None:
            value = row.get(name)
            if value is None or value == "":
                return None
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InequalityError(f"practice {row.get('practice_code')}: bad {name} {value!r}")
            return int(float(value))

        pcn = row.get("pcn_code")
        return cls(
            practice_code=str(row["practice_code"]),
            pcn_code=None if pcn in (None, "") else str(pcn),
            to_find=whole("to_find"),
            to_treat=whole("to_treat"),
            imd_quintile=whole("imd_quintile"),
        )


def deprivation_weight(quintile: int | None, uplift: float = DEFAULT_NEED_UPLIFT) -> float:
    """1 + uplift × (5 − quintile) / 4: 1 + uplift in quintile 1, 1 in quintile 5 or unknown."""
    if uplift < 0:
        raise InequalityError(f"uplift must be 0 or more, got {uplift}")
    if quintile is None:
        return 1.0
    if not 1 <= quintile <= 5:
        raise InequalityError(f"IMD quintile must be 1 to 5, got {quintile}")
    return 1.0 + uplift * (5 - quintile) / 4


@dataclass(frozen=True)
class PcnNeed:
    """One PCN's place in the highest-need ranking."""

    pcn_code: str
    rank: int
    need: float
    """Σ over its practices of (to_find + to_treat) × deprivation weight."""
    to_find: int
    to_treat: int
    practices: int
    most_deprived_practices: int
    """Practices in IMD quintile 1."""

    def as_row(self) -> dict[str, object]:
        return {
            "pcn_code": self.pcn_code,
            "rank": self.rank,
            "need": self.need,
            "to_find": self.to_find,
            "to_treat": self.to_treat,
            "practices": self.practices,
            "most_deprived_practices": self.most_deprived_practices,
        }


NO_PCN = "(no PCN)"


def rank_pcns_by_need(
    practices: Iterable[PracticeNeed], uplift: float = DEFAULT_NEED_UPLIFT
) -> list[PcnNeed]:
    """PCNs by need, highest first (docs/inequalities.md, "Highest need").

        need(PCN) = Σ over its practices (to_find + to_treat) × (1 + uplift × (5 − q) / 4)

    Absolute patients, as in targeting, because a rate says nothing about how many people can be
    helped; weighted towards deprived practices because the partnership aims to improve the lives
    of the poorest fastest and CVD outcomes are worse there. `uplift = 0` gives a pure absolute
    ranking. An unknown gap counts as 0 and an unknown quintile gets no uplift. Ties: more
    unweighted patients, then more most-deprived practices, then PCN code.
    """
    if uplift < 0:
        raise InequalityError(f"uplift must be 0 or more, got {uplift}")
    acc: dict[str, list[float]] = {}
    for p in practices:
        find, treat = p.to_find or 0, p.to_treat or 0
        if find < 0 or treat < 0:
            raise InequalityError(f"practice {p.practice_code}: to_find/to_treat below 0")
        row = acc.setdefault(p.pcn_code or NO_PCN, [0.0, 0.0, 0.0, 0.0, 0.0])
        row[0] += (find + treat) * deprivation_weight(p.imd_quintile, uplift)
        row[1] += find
        row[2] += treat
        row[3] += 1
        row[4] += p.imd_quintile == 1
    ordered = sorted(
        acc.items(), key=lambda kv: (-kv[1][0], -(kv[1][1] + kv[1][2]), -kv[1][4], kv[0])
    )
    return [
        PcnNeed(
            pcn_code=code,
            rank=rank,
            need=values[0],
            to_find=int(values[1]),
            to_treat=int(values[2]),
            practices=int(values[3]),
            most_deprived_practices=int(values[4]),
        )
        for rank, (code, values) in enumerate(ordered, start=1)
    ]
