"""Clinical priorities P1–P4 and their target times, as a cited parameter table gives them.

Why here: the booking order (priority first), the explanations ("P2, target 28 days") and the
weighted-wait measure all depend on the same target times; they are read once from the
`priority_targets.csv` of the waiting-list parameter set (FSSA / Royal College of Surgeons
"Clinical guide to surgical prioritisation", P1 < 72 h, P2 < 1 month, P3 < 3 months, P4 longer),
never written into code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from joinedup.domain.contract import PRIORITIES
from joinedup.domain.errors import UserError


class PriorityError(UserError):
    """A priority table is incomplete or holds an unusable target."""


@dataclass(frozen=True)
class Priority:
    """One clinical priority: its code, rank (0 = most urgent) and target time in days."""

    code: str
    rank: int
    target_days: float


@dataclass(frozen=True)
class Priorities:
    """The four priorities of the data contract with their targets, most urgent first."""

    by_code: Mapping[str, Priority]

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]], where: str) -> Priorities:
        """Build from `priority,target_days,...` rows; `where` names the file for errors."""
        found: dict[str, Priority] = {}
        for line, row in enumerate(rows, start=2):
            code = row.get("priority", "")
            if code not in PRIORITIES:
                raise PriorityError(f"{where}: line {line}, field 'priority': not one of P1–P4")
            try:
                days = float(row.get("target_days", ""))
            except ValueError:
                raise PriorityError(
                    f"{where}: line {line}, field 'target_days': not a number"
                ) from None
            if days <= 0:
                raise PriorityError(f"{where}: line {line}, field 'target_days': must be above 0")
            found[code] = Priority(code, PRIORITIES.index(code), days)
        missing = [p for p in PRIORITIES if p not in found]
        if missing:
            raise PriorityError(f"{where}: no target for {', '.join(missing)}")
        return cls(found)

    def rank(self, code: str) -> int:
        return self.by_code[code].rank

    def target_days(self, code: str) -> float:
        return self.by_code[code].target_days

    @property
    def codes(self) -> tuple[str, ...]:
        return PRIORITIES
