"""Drill-down and peers over run rows (domain/drilldown.py), worked by hand."""

from __future__ import annotations

from typing import Any

from joinedup.domain.drilldown import (
    ancestors,
    area_row,
    children,
    pcn_peers,
    peer_positions,
    rank_among,
)
from joinedup.domain.targeting import pareto_from_rows


def practice(code: str, pcn: str, place: str, rank: int, detection: float | None,
             treatment: float | None, **extra: Any) -> dict[str, Any]:
    return {"practice_code": code, "pcn_code": pcn, "place_code": place, "sub_icb_code": "S",
            "ics_code": "ICS", "rank": rank, "detection_rate": detection,
            "treatment_rate": treatment, **extra}


PRACTICES = [
    practice("P1", "N1", "N", 2, 0.80, 0.90),
    practice("P2", "N1", "N", 1, 0.70, None),   # treatment unknown (e.g. suppressed)
    practice("P3", "N2", "N", 4, 0.70, 0.60),
    practice("P4", "S1", "S", 3, 0.90, 0.95),
]
ROLLUPS = [{"level": "pcn", "code": c} for c in ("N1", "N2", "S1")] + [
    {"level": "place", "code": c} for c in ("N", "S")] + [
    {"level": "sub_icb", "code": "S"}, {"level": "ics", "code": "ICS"}]


def test_children_go_one_level_down_the_chain() -> None:
    assert [r["code"] for r in children("ics", "ICS", PRACTICES, ROLLUPS)] == ["N", "S"]
    assert [r["code"] for r in children("place", "N", PRACTICES, ROLLUPS)] == ["N1", "N2"]
    assert [r["code"] for r in children("sub_icb", "S", PRACTICES, ROLLUPS)] == [
        "N1", "N2", "S1"]
    # a PCN's practices, in rank order
    assert [r["practice_code"] for r in children("pcn", "N1", PRACTICES, ROLLUPS)] == [
        "P2", "P1"]
    assert children("practice", "P1", PRACTICES, ROLLUPS) == []


def test_ancestors_are_the_areas_above_top_first() -> None:
    assert [r["code"] for r in ancestors("practice", "P3", PRACTICES, ROLLUPS)] == [
        "ICS", "N", "N2"]
    assert [r["code"] for r in ancestors("pcn", "S1", PRACTICES, ROLLUPS)] == ["ICS", "S"]
    assert ancestors("ics", "ICS", PRACTICES, ROLLUPS) == []
    assert area_row(ROLLUPS, "N2") == {"level": "pcn", "code": "N2"}
    assert area_row(ROLLUPS, "nope") is None


def test_competition_ranking_with_unknowns_left_out() -> None:
    assert rank_among(0.7, [0.8, 0.7, 0.7, 0.9, None]) == (3, 4)  # 0.9 and 0.8 above
    assert rank_among(None, [0.8, None]) == (None, 1)


def test_peer_positions_within_the_pcn_and_across_the_ics() -> None:
    got = {(p.group, p.measure): p for p in peer_positions("P1", PRACTICES)}
    pcn_detection = got[("pcn", "detection_rate")]
    assert (pcn_detection.rank, pcn_detection.ranked, pcn_detection.median) == (1, 2, 0.75)
    pcn_treatment = got[("pcn", "treatment_rate")]
    assert (pcn_treatment.rank, pcn_treatment.ranked, pcn_treatment.unknown) == (1, 1, 1)
    ics_detection = got[("ics", "detection_rate")]
    # 0.9 above 0.8; 0.70 and 0.70 below; median of (0.8, 0.7, 0.7, 0.9) = 0.75
    assert (ics_detection.rank, ics_detection.ranked, ics_detection.median) == (2, 4, 0.75)
    assert [p["practice_code"] for p in pcn_peers("P1", PRACTICES)] == ["P1", "P2"]
    assert peer_positions("nope", PRACTICES) == []


def test_the_pareto_curve_from_shown_rows() -> None:
    rows = [{"practice_code": "A", "willing": True, "opportunity": 6, "rank": 1},
            {"practice_code": "B", "willing": False, "opportunity": 3, "rank": 2},
            {"practice_code": "C", "willing": True, "opportunity": None, "rank": 3},
            {"practice_code": "D", "willing": True, "opportunity": 1, "rank": 4}]
    points = pareto_from_rows(rows)
    # total 6 + 3 + 0 + 1 = 10; willing with a gap: A (6), D (1); a hidden gap counts as 0
    assert [(p["k"], p["practice_code"], p["cumulative_share"]) for p in points] == [
        (1, "A", 0.6), (2, "D", 0.7)]
