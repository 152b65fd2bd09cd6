"""A run's tables published together: one value per cell, nothing recoverable, nothing derived
from more than what is shown (issue 9, items 7 and 8)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.inequality import practice_deprivation_counts
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.need import deprivation_weight
from joinedup.domain.publication import (
    Derivation,
    RunTables,
    linear_systems,
    publish_run,
)
from joinedup.domain.recoverability import determined
from joinedup.domain.targeting import TargetingPolicy, plan
from joinedup.outputs.pcn_need import pcn_need_rows
from joinedup.outputs.summary import build_summary, rollup_rows

DAY = date(2026, 3, 31)
AMBITION = Ambition(detect=0.85, treat=0.90)
POLICY = PublicationPolicy()


def impact(to_treat: int, to_find: int) -> dict[str, float | None]:
    """A simple linear model: 0.03 strokes per patient treated, 0.01 per patient found."""
    strokes = 0.03 * to_treat + 0.01 * to_find
    return {"strokes_prevented_per_year": strokes, "deaths_avoided_per_year": strokes / 4,
            "savings_gbp_per_year": strokes * 1000, "savings_gbp_five_year": strokes * 3000,
            "heart_attacks_prevented_per_year": None}


DERIVATION = Derivation(impact=impact)


def practice(code: str, pcn: str, place: str, quintile: int | None, list_size: int,
             expected: float, recorded: int, eligible: int, treated: int,
             exceptions: int) -> PracticeCounts:
    return PracticeCounts(DAY, "af", code, f"Practice {code}", pcn, place, f"S{place}", "ICS",
                          list_size, expected, recorded, eligible, treated, exceptions,
                          imd_quintile=quintile)


def run_tables(counts: list[PracticeCounts], wave_size: int = 2) -> RunTables:
    result = plan(counts, AMBITION, TargetingPolicy(wave_size=wave_size))
    summary = build_summary(result, "af", DAY, {}, "test parameters")
    return RunTables(
        practices=[p.as_row(extended=True) for p in result.practices],
        rollups=rollup_rows(result, {}),
        summary=summary,
        breakdowns=practice_deprivation_counts(counts),
        pcn_need=pcn_need_rows(result),
    )


HAND = [
    practice("A", "PCN1", "P1", 1, 4000, 80.4, 60, 50, 40, 3),
    practice("B", "PCN1", "P1", 2, 6000, 120.0, 100, 80, 70, 12),
    practice("C", "PCN2", "P1", 1, 5000, 100.0, 84, 70, 66, 9),
    practice("D", "PCN2", "P2", 5, 9000, 180.0, 150, 120, 112, 20),
    practice("E", "PCN3", "P2", 4, 3000, 61.0, 50, 41, 38, 5),
]


def test_small_counts_are_hidden_and_one_cell_has_one_value_in_every_file() -> None:
    exact = run_tables(HAND)
    shown = publish_run(exact, POLICY, DERIVATION)
    rows = {r["practice_code"]: r for r in shown.practices}
    # A's exceptions (3) and E's (5) are small; every published count is a multiple of 5.
    assert rows["A"]["exceptions"] is None and rows["E"]["exceptions"] is None
    for row in shown.practices + shown.rollups:
        for column in ("list_size", "recorded", "eligible", "treated", "exceptions",
                       "to_find", "to_treat"):
            assert row[column] is None or row[column] % 5 == 0
    # A PCN's gap is the same in rollups.csv and pcn_need.csv.
    pcn_rollups = {r["code"]: r for r in shown.rollups if r["level"] == "pcn"}
    for need in shown.pcn_need:
        assert (need["to_find"], need["to_treat"]) == (
            pcn_rollups[need["pcn_code"]]["to_find"], pcn_rollups[need["pcn_code"]]["to_treat"])


def test_no_group_has_one_hidden_member_and_nothing_hidden_is_determined() -> None:
    exact = run_tables(HAND)
    shown = publish_run(exact, POLICY, DERIVATION)
    _assert_safe(exact, shown)


def test_derived_figures_come_from_the_published_counts_only() -> None:
    shown = publish_run(run_tables(HAND), POLICY, DERIVATION)
    _assert_derived_from_published(shown)
    # By hand for one practice: B's gaps to_find = ceil(0.85 × 120 − 100) = 2 (hidden: small),
    # to_treat = ceil(0.9 × 80 − 70) = 2 (hidden); so its opportunity and impact are unknown.
    b = next(r for r in shown.practices if r["practice_code"] == "B")
    assert b["to_find"] is None and b["opportunity"] is None
    assert b["strokes_prevented_per_year"] is None


def _assert_derived_from_published(shown: RunTables) -> None:
    for row in shown.practices + shown.rollups:
        assert row["opportunity"] == DERIVATION.opportunity(row["to_find"], row["to_treat"])
        want = DERIVATION.impact_columns(row["to_find"], row["to_treat"])
        for column in ("strokes_prevented_per_year", "savings_gbp_per_year"):
            assert row[column] == want[column]
        for rate, (num, den) in (("detection_rate", ("recorded", "expected")),
                                 ("treatment_rate", ("treated", "eligible"))):
            if row[num] is None or row[den] in (None, 0):
                assert row[rate] is None
            else:
                assert row[rate] == row[num] / row[den]
    summary = shown.summary
    total = DERIVATION.opportunity(summary["to_find"], summary["to_treat"])
    cumulative: float | None = 0.0  # unknown from the first wave whose share is unknown on
    for wave in summary["waves"]:
        opportunity = DERIVATION.opportunity(wave["to_find"], wave["to_treat"])
        if opportunity is None or not total:
            assert wave["share_of_footprint"] is None
            assert wave["cumulative_share"] is None
            cumulative = None
            continue
        assert wave["share_of_footprint"] == opportunity / total
        if cumulative is None:
            assert wave["cumulative_share"] is None
        else:
            cumulative += opportunity / total
            assert math.isclose(wave["cumulative_share"], cumulative)
        assert wave["strokes_prevented_per_year"] == impact(wave["to_treat"],
                                                            wave["to_find"])[
            "strokes_prevented_per_year"]
    practices = {p["practice_code"]: p for p in shown.practices}
    for need in shown.pcn_need:
        members = [p for p in practices.values() if p["pcn_code"] == need["pcn_code"]]
        if need["need"] is None:
            continue
        raw = sum(((m["to_find"] or 0) + (m["to_treat"] or 0))
                  * deprivation_weight(m["imd_quintile"]) for m in members)
        assert need["need"] == 5 * math.floor(math.floor(raw + 0.5) / 5 + 0.5)


def _published_total(shown: RunTables, key: str, code: Any, column: str) -> Any:
    """The group's total as a reader finds it in the published files (None: not shown)."""
    if key == "wave":
        waves = [w for w in shown.summary["waves"] if w["wave"] == code]
        return waves[0].get(column) if waves else None
    if key == "imd_quintile":
        groups = [b for b in shown.breakdowns if b["group"] == code]
        return groups[0].get(column) if groups else None
    level = key.removesuffix("_code")
    rows = [r for r in shown.rollups if r["level"] == level and r["code"] == code]
    return rows[0][column] if rows else None


def _assert_safe(exact: RunTables, shown: RunTables) -> None:
    # Read from the files themselves: no published group total beside exactly one hidden member.
    for column in ("recorded", "eligible", "treated", "exceptions", "to_find", "to_treat"):
        for key in ("pcn_code", "place_code", "sub_icb_code", "wave", "imd_quintile"):
            groups: dict[Any, list[dict[str, Any]]] = {}
            for original, row in zip(exact.practices, shown.practices, strict=True):
                if original[column] is not None and original[key] is not None:
                    groups.setdefault(original[key], []).append(row)
            for code, members in groups.items():
                if _published_total(shown, key, code, column) is not None:
                    assert sum(m[column] is None for m in members) != 1, (column, key, code)
    # And by linear algebra over every file together.
    for column, system in linear_systems(exact).items():
        hidden = {k for k in shown.suppressed if k[1] == column}
        assert determined(system, hidden) == set(), column


counts_strategy = st.lists(
    st.tuples(
        st.integers(0, 3),  # PCN
        st.sampled_from([1, 2, 3, 4, 5, None]),  # quintile
        st.integers(500, 12000),  # list size
        st.floats(0.005, 0.03),  # expected prevalence
        st.floats(0.4, 1.0),  # detection
        st.floats(0.5, 1.0),  # eligible share
        st.floats(0.5, 1.0),  # treated share
        st.integers(0, 12),  # exceptions
    ),
    min_size=2,
    max_size=14,
)


@settings(max_examples=40, deadline=None)
@given(counts_strategy, st.integers(1, 4))
def test_any_footprint_published_is_safe_and_derives_only_from_what_is_shown(
    drawn: list[tuple[Any, ...]], wave_size: int
) -> None:
    counts = []
    for i, (pcn, quintile, size, prevalence, detection, eligible, treated, exc) in enumerate(drawn):
        expected = round(size * prevalence, 6)
        recorded = int(expected * detection)
        eligible_n = int(recorded * eligible)
        treated_n = int(eligible_n * treated)
        counts.append(practice(f"P{i:02d}", f"PCN{pcn}", f"PL{pcn % 2}", quintile, size,
                               expected, recorded, eligible_n, treated_n,
                               min(exc, eligible_n - treated_n)))
    exact = run_tables(counts, wave_size)
    shown = publish_run(exact, POLICY, DERIVATION)
    _assert_safe(exact, shown)
    _assert_derived_from_published(shown)
