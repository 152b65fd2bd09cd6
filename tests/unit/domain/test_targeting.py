"""Ranking, the willing list, waves, the Pareto curve and roll-ups, on hand-built footprints."""

from __future__ import annotations

from datetime import date

import pytest

from joinedup.domain.ambitions import Ambition, gap
from joinedup.domain.impact.stroke_risk import StrokeRiskModel as ImpactModel
from joinedup.domain.measures import PRACTICE_TABLE_COLUMNS, PracticeCounts
from joinedup.domain.targeting import (
    EXTRA_COLUMNS,
    TargetingError,
    TargetingPolicy,
    plan,
    roll_up,
    summarise,
)
from joinedup.programmes import load_parameters, load_programme

AF_2029 = Ambition(detect=0.85, treat=0.90)
"""The national 2029 AF ambitions (85% detected, 90% of eligible anticoagulated)."""


def practice(
    code: str,
    find: int = 0,
    treat: int = 0,
    *,
    pcn: str = "U1",
    place: str = "P1",
    eligible_known: bool = True,
    period: date = date(2025, 3, 31),
) -> PracticeCounts:
    """A practice whose gap to the national ambitions is exactly (find, treat).

    expected = 100 and eligible = 100, so to_find = 85 − recorded and to_treat = 90 − treated.
    """
    return PracticeCounts(
        period_end=period,
        programme="af",
        practice_code=code,
        practice_name=f"Practice {code}",
        pcn_code=pcn,
        place_code=place,
        sub_icb_code="S1",
        ics_code="I1",
        list_size=5000,
        expected=100.0,
        recorded=85 - find,
        eligible=100 if eligible_known else None,
        treated=90 - treat if eligible_known else None,
        exceptions=0 if eligible_known else None,
    )


def codes(result_rows: object) -> list[str]:
    return [row.practice_code for row in result_rows]  # type: ignore[attr-defined]


def test_the_helper_builds_the_gap_it_says() -> None:
    g = gap(practice("X", 7, 4), AF_2029)
    assert (g.to_find, g.to_treat) == (7, 4)


def test_rank_by_opportunity_with_ties_broken_by_to_treat_then_to_find_then_code() -> None:
    rows = [
        practice("A", 10, 0),  # opportunity 10, to_treat 0
        practice("B", 5, 5),  # 10, to_treat 5
        practice("C", 0, 10),  # 10, to_treat 10
        practice("D", 3, 3),  # 6, to_treat 3
        practice("F", 2, 4),  # 6, to_treat 4: ties with E on everything → code order E, F
        practice("E", 2, 4),  # 6, to_treat 4
        practice("G", 0, 0),  # 0
    ]
    result = plan(rows, AF_2029)
    assert codes(result.practices) == ["C", "B", "A", "E", "F", "D", "G"]
    assert [r.rank for r in result.practices] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.opportunity for r in result.practices] == [10, 10, 10, 6, 6, 6, 0]
    # same answer whatever order the input came in
    assert codes(plan(list(reversed(rows)), AF_2029).practices) == codes(result.practices)


def test_rank_is_by_absolute_numbers_not_by_rate() -> None:
    small = PracticeCounts(
        period_end=date(2025, 3, 31), programme="af", practice_code="SMALL",
        practice_name="s", pcn_code="U1", place_code="P1", sub_icb_code="S1", ics_code="I1",
        list_size=800, expected=10.0, recorded=2, eligible=2, treated=0, exceptions=0,
    )  # fmt: skip
    big = PracticeCounts(
        period_end=date(2025, 3, 31), programme="af", practice_code="BIG",
        practice_name="b", pcn_code="U2", place_code="P2", sub_icb_code="S2", ics_code="I1",
        list_size=40000, expected=1000.0, recorded=800, eligible=700, treated=600, exceptions=0,
    )  # fmt: skip
    # small: detection 20%, treatment 0% → to_find ceil(8.5 − 2) = 7, to_treat ceil(1.8) = 2
    # big: detection 80%, treatment 86% → to_find 50, to_treat ceil(630 − 600) = 30
    result = plan([small, big], AF_2029)
    assert codes(result.practices) == ["BIG", "SMALL"]
    assert [r.opportunity for r in result.practices] == [80, 9]


def test_ranking_ignores_place_and_pcn_boundaries() -> None:
    rows = [
        practice("A", 1, 0, place="P1", pcn="U1"),
        practice("B", 9, 0, place="P2", pcn="U2"),
        practice("C", 5, 0, place="P1", pcn="U1"),
        practice("D", 7, 0, place="P2", pcn="U3"),
    ]
    assert codes(plan(rows, AF_2029).practices) == ["B", "D", "C", "A"]


def test_weights_change_the_order() -> None:
    rows = [practice("A", 10, 0), practice("B", 0, 6)]
    assert codes(plan(rows, AF_2029).practices) == ["A", "B"]
    # weight_treat 2: A = 10, B = 12
    treat_heavy = plan(rows, AF_2029, policy=TargetingPolicy(weight_treat=2.0))
    assert codes(treat_heavy.practices) == ["B", "A"]
    assert [r.opportunity for r in treat_heavy.practices] == [12.0, 10.0]


def test_unwilling_practice_is_ranked_not_planned_but_counts_in_the_pareto_denominator() -> None:
    rows = [
        practice("X", 40, 0),  # biggest gap, not willing
        practice("A", 30, 0),
        practice("B", 20, 0),
        practice("C", 10, 0),
    ]
    willing = TargetingPolicy(willing=frozenset({"A", "B", "C"}), wave_size=1)
    result = plan(rows, AF_2029, policy=willing)
    x = result.practices[0]
    assert (x.practice_code, x.rank, x.willing, x.wave) == ("X", 1, False, None)
    assert [(r.practice_code, r.wave) for r in result.practices[1:]] == [
        ("A", 1),
        ("B", 2),
        ("C", 3),
    ]
    # total footprint opportunity 100; willing A, B, C hold 30, 50, 60 of it
    assert result.total_opportunity == 100
    assert [(p.k, p.practice_code, p.share) for p in result.pareto] == [
        (1, "A", 0.3),
        (2, "B", 0.5),
        (3, "C", 0.6),
    ]


def test_waves_of_k_in_rank_order_with_a_cap() -> None:
    rows = [practice(c, f, 0) for c, f in zip("ABCDE", (50, 40, 30, 20, 10), strict=True)]
    rows.append(practice("Z", 0, 0))  # willing but nothing to do: never planned
    result = plan(rows, AF_2029, policy=TargetingPolicy(wave_size=2))
    assert [(r.practice_code, r.wave) for r in result.practices] == [
        ("A", 1), ("B", 1), ("C", 2), ("D", 2), ("E", 3), ("Z", None),
    ]  # fmt: skip
    capped = plan(rows, AF_2029, policy=TargetingPolicy(wave_size=2, max_waves=2))
    assert [r.wave for r in capped.practices] == [1, 1, 2, 2, None, None]
    assert [w.wave for w in capped.waves] == [1, 2]


def test_what_each_wave_is_worth() -> None:
    rows = [practice("A", 30, 10), practice("B", 20, 5), practice("C", 10, 5), practice("D", 0, 20)]
    # opportunities: A 40, B 25, D 20, C 15 → total 100
    model = ImpactModel.from_parameters(load_parameters(load_programme("af")))
    result = plan(rows, AF_2029, policy=TargetingPolicy(wave_size=2), impact=model)
    first, second = result.waves
    assert first.practice_codes == ("A", "B")
    assert (first.to_find, first.to_treat, first.opportunity) == (50, 15, 65)
    assert (first.share_of_footprint, first.cumulative_share) == (0.65, 0.65)
    assert second.practice_codes == ("D", "C")
    assert (second.to_find, second.to_treat, second.opportunity) == (10, 25, 35)
    assert second.cumulative_share == 1.0
    # a wave's impact is the sum of its practices' impacts
    expected = model.for_practice(rows[0], gap(rows[0], AF_2029), AF_2029) + (
        model.for_practice(rows[1], gap(rows[1], AF_2029), AF_2029)
    )
    assert first.impact is not None
    assert first.impact.strokes_prevented_per_year == pytest.approx(
        expected.strokes_prevented_per_year
    )
    assert result.parameters_version == model.parameters_version


def test_pareto_reaches_exactly_one_at_n_when_everyone_is_willing() -> None:
    rows = [practice(f"P{i:02d}", i % 7, (3 * i) % 5) for i in range(1, 30)]
    result = plan(rows, AF_2029, policy=TargetingPolicy(weight_find=0.3, weight_treat=0.7))
    shares = [p.share for p in result.pareto]
    assert len(shares) == len(rows)
    assert shares[-1] == 1.0
    assert shares == sorted(shares)
    assert result.pareto[0].share == pytest.approx(
        result.practices[0].opportunity / result.total_opportunity
    )


def test_a_footprint_with_nothing_to_do_has_a_flat_pareto_and_no_waves() -> None:
    result = plan([practice("A"), practice("B")], AF_2029)
    assert [p.share for p in result.pareto] == [0.0, 0.0]
    assert result.waves == ()


def test_unknown_treatment_counts_rank_on_to_find_and_say_so() -> None:
    model = ImpactModel.from_parameters(load_parameters(load_programme("af")))
    rows = [practice("A", 4, 0, eligible_known=False), practice("B", 3, 2)]
    result = plan(rows, AF_2029, impact=model)
    a = next(r for r in result.practices if r.practice_code == "A")
    assert (a.to_find, a.to_treat, a.opportunity) == (4, None, 4)
    assert a.note is not None and "AF008" in a.note and "newly found patients only" in a.note
    assert a.impact is not None and a.impact.additional_treated == 0
    assert codes(result.practices) == ["B", "A"]  # 5 beats 4


def test_combined_ambition_plan_takes_the_eligible_share_from_the_impact_model() -> None:
    model = ImpactModel.from_parameters(load_parameters(load_programme("af")))
    counts = practice("A", 15, 20)  # recorded 70, eligible 100, treated 70
    result = plan([counts], Ambition.identified_and_managed(0.89), impact=model)
    row = result.practices[0]
    # target treated = 0.89 × 100 × 0.845 = 75.205 → needed ceil(5.205) = 6, all from the
    # 30 known untreated → to_treat 6, to_find 0
    assert (row.to_find, row.to_treat) == (0, 6)
    assert row.impact is not None
    assert row.impact.newly_found_treated == 0


def test_bad_inputs_are_rejected_with_the_codes_named() -> None:
    with pytest.raises(TargetingError, match="more than once: A"):
        plan([practice("A", 1), practice("A", 2)], AF_2029)
    with pytest.raises(TargetingError, match="not in the footprint: ZZZ"):
        plan([practice("A", 1)], AF_2029, policy=TargetingPolicy(willing=frozenset({"A", "ZZZ"})))
    with pytest.raises(TargetingError, match="one programme and period"):
        plan([practice("A", 1), practice("B", 1, period=date(2024, 3, 31))], AF_2029)
    with pytest.raises(ValueError, match="wave_size"):
        TargetingPolicy(wave_size=0)
    with pytest.raises(ValueError, match="at least one opportunity weight"):
        TargetingPolicy(weight_find=0, weight_treat=0)


def test_rows_map_one_to_one_onto_the_practice_table_columns() -> None:
    model = ImpactModel.from_parameters(load_parameters(load_programme("af")))
    row = plan([practice("A", 5, 3)], AF_2029, impact=model).practices[0]
    plain = row.as_row()
    assert tuple(plain) == PRACTICE_TABLE_COLUMNS
    assert plain["practice_code"] == "A"
    assert plain["detection_rate"] == 0.8  # 80 / 100
    assert plain["treatment_rate"] == 0.87  # 87 / 100
    assert (plain["to_find"], plain["to_treat"], plain["rank"], plain["wave"]) == (5, 3, 1, 1)
    assert plain["willing"] is True
    assert plain["strokes_prevented_per_year"] == row.impact.strokes_prevented_per_year  # type: ignore[union-attr]
    extended = row.as_row(extended=True)
    assert tuple(extended) == PRACTICE_TABLE_COLUMNS + EXTRA_COLUMNS
    assert extended["opportunity"] == 8


def test_roll_ups_are_exact_sums_with_rates_recomputed_from_the_sums() -> None:
    a = PracticeCounts(
        period_end=date(2025, 3, 31), programme="af", practice_code="A", practice_name="a",
        pcn_code="U1", place_code="P1", sub_icb_code="S1", ics_code="I1",
        list_size=1000, expected=10.0, recorded=9, eligible=8, treated=8, exceptions=1,
    )  # fmt: skip
    b = PracticeCounts(
        period_end=date(2025, 3, 31), programme="af", practice_code="B", practice_name="b",
        pcn_code="U1", place_code="P1", sub_icb_code="S1", ics_code="I1",
        list_size=9000, expected=90.0, recorded=45, eligible=40, treated=20, exceptions=2,
    )  # fmt: skip
    c = PracticeCounts(
        period_end=date(2025, 3, 31), programme="af", practice_code="C", practice_name="c",
        pcn_code="U2", place_code="P1", sub_icb_code="S1", ics_code="I1",
        list_size=3000, expected=30.5, recorded=20, eligible=None, treated=None, exceptions=None,
    )  # fmt: skip
    result = plan([a, b, c], AF_2029)
    u1, u2 = roll_up(result.practices, "pcn")
    assert (u1.code, u1.practices, u1.list_size, u1.expected, u1.recorded) == (
        "U1", 2, 10_000, 100.0, 54,
    )  # fmt: skip
    assert (u1.eligible, u1.treated, u1.exceptions) == (48, 28, 3)
    # rates from the sums: 54 / 100 and 28 / 48, not the mean of 0.9 and 0.5 (= 0.7)
    assert u1.detection_rate == 0.54
    assert u1.treatment_rate == pytest.approx(28 / 48)
    # gaps summed from practices: A 0 + ceil(76.5 − 45) = 32; A 0 + ceil(36 − 20) = 16
    assert (u1.to_find, u1.to_treat) == (32, 16)
    assert u2.eligible is None and u2.treatment_rate is None
    assert (u2.practices_unknown_treatment, u2.practices_unknown_to_treat) == (1, 1)
    # place total: treatment counts from the two practices that have them, and it says so
    (p1,) = roll_up(result.practices, "place")
    assert (p1.recorded, p1.eligible, p1.treated, p1.practices_unknown_treatment) == (74, 48, 28, 1)
    assert p1.expected == 130.5
    total = summarise(result.practices)
    assert (total.level, total.code, total.practices) == ("footprint", None, 3)
    assert total.to_find == sum(r.to_find or 0 for r in result.practices)
    assert total.as_dict()["treatment_rate"] == pytest.approx(28 / 48)
    assert result.summary() == total


def test_roll_up_rejects_an_unknown_level() -> None:
    with pytest.raises(ValueError, match="unknown roll-up level"):
        roll_up([], "region")  # type: ignore[arg-type]
