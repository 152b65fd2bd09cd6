"""Drill-down through the footprint (ICS → place → PCN → practice) and a practice among its peers.

Why: the dashboard lets a reader start from the whole footprint and go down to one practice, and
shows a practice beside the others in its PCN and across the ICS. Both are questions about the
rows of a run (practices.csv and rollups.csv rows, exact or published), answered the same way
for pages, the API and exports. Pure: rows are plain mappings.

Peers are ranked by a rate where higher is better (detection, treatment): rank 1 is the highest,
ties share a rank (competition ranking, "1, 2, 2, 4"), and practices whose rate is unknown
(suppressed, or nobody expected or eligible) are left out of the ranking and counted apart.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Row = Mapping[str, Any]

LEVEL_LABELS = {"ics": "ICS", "place": "place", "sub_icb": "sub-ICB", "pcn": "PCN",
                "practice": "practice"}
CHILD_LEVEL = {"ics": "place", "place": "pcn", "sub_icb": "pcn", "pcn": "practice"}
"""The next level down the drill-down (a sub-ICB, when a reader lands on one, opens to PCNs)."""
ANCESTOR_LEVELS = {"practice": ("ics", "place", "pcn"), "pcn": ("ics", "place"),
                   "sub_icb": ("ics", "place"), "place": ("ics",), "ics": ()}
"""The levels shown above each level, top first (the breadcrumbs of a drill-down page)."""
PEER_MEASURES = ("detection_rate", "treatment_rate")


def area_row(rollups: Sequence[Row], code: str) -> Row | None:
    """The roll-up row of an organisation above practice level (PCN, sub-ICB, place, ICS)."""
    return next((r for r in rollups if r.get("code") == code), None)


def children(level: str, code: str, practices: Sequence[Row],
             rollups: Sequence[Row]) -> list[Row]:
    """The rows one level below the area `code` of `level`, in code order (practices: rank)."""
    child = CHILD_LEVEL.get(level)
    if child is None:
        return []
    inside = [p for p in practices if p.get(f"{level}_code") == code]
    if child == "practice":
        return sorted(inside, key=lambda p: (p.get("rank") is None, p.get("rank") or 0))
    members = {p.get(f"{child}_code") for p in inside}
    return [r for r in rollups if r.get("level") == child and r.get("code") in members]


def ancestors(level: str, code: str, practices: Sequence[Row],
              rollups: Sequence[Row]) -> list[Row]:
    """The roll-up rows of the ICS, place and PCN above an area or a practice, top first."""
    member = next((p for p in practices if p.get(f"{level}_code") == code), None)
    if member is None:
        return []
    above = ANCESTOR_LEVELS.get(level, ())
    rows = [area_row(rollups, member.get(f"{lv}_code") or "") for lv in above]
    return [r for r in rows if r is not None]


@dataclass(frozen=True)
class PeerPosition:
    """Where a practice stands on one measure among a group of practices."""

    group: str
    """"pcn" or "ics"."""
    measure: str
    value: float | None
    rank: int | None
    ranked: int
    """Practices in the group with a known value (the practice itself included if known)."""
    unknown: int
    median: float | None


def rank_among(value: float | None, values: Sequence[float | None]) -> tuple[int | None, int]:
    """(rank of `value` among the known `values`, how many are known); rank 1 is highest."""
    known = [v for v in values if v is not None]
    if value is None:
        return None, len(known)
    return 1 + sum(1 for v in known if v > value), len(known)


def peer_positions(code: str, practices: Sequence[Row],
                   measures: Sequence[str] = PEER_MEASURES) -> list[PeerPosition]:
    """The practice's rank on each measure within its PCN and across its ICS."""
    me = next((p for p in practices if p.get("practice_code") == code), None)
    if me is None:
        return []
    out = []
    for group in ("pcn", "ics"):
        key = me.get(f"{group}_code")
        members = [p for p in practices if key is not None and p.get(f"{group}_code") == key]
        for measure in measures:
            values = [_rate(p.get(measure)) for p in members]
            rank, ranked = rank_among(_rate(me.get(measure)), values)
            known = [v for v in values if v is not None]
            out.append(PeerPosition(group=group, measure=measure, value=_rate(me.get(measure)),
                                    rank=rank, ranked=ranked, unknown=len(values) - ranked,
                                    median=statistics.median(known) if known else None))
    return out


def pcn_peers(code: str, practices: Sequence[Row]) -> list[Row]:
    """The practices of the practice's PCN (itself included), in rank order."""
    me = next((p for p in practices if p.get("practice_code") == code), None)
    if me is None or me.get("pcn_code") is None:
        return [me] if me is not None else []
    return [p for p in practices if p.get("pcn_code") == me.get("pcn_code")]


def _rate(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
