"""breakdowns.csv, inequalities.json and pcn_need.csv: rates, gaps, publishing, by hand."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import WORKING_NOTE, DisclosureError, PublicationPolicy
from joinedup.domain.inequality import (
    InequalityError,
    practice_deprivation_counts,
    wilson_interval,
)
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.targeting import plan
from joinedup.outputs import charts
from joinedup.outputs.breakdowns import (
    BREAKDOWN_COLUMNS,
    breakdown_rows,
    breakdown_table,
    check_breakdown_totals,
    deprivation_summary,
    write_breakdowns,
)
from joinedup.outputs.chart_series import chart_series, report_series
from joinedup.outputs.pcn_need import PCN_NEED_COLUMNS, pcn_need_rows, write_pcn_need


def publish_breakdowns(rows, policy):  # type: ignore[no-untyped-def]
    """Published breakdown rows with their rates, as breakdowns.csv shows them."""
    return breakdown_table(rows, policy)


def publish_breakdowns_counts(rows, policy):  # type: ignore[no-untyped-def]
    from joinedup.domain.publication import publish_breakdowns as publish

    return publish(rows, policy)

DAY = date(2026, 3, 31)
COUNTS = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions")


def row(dimension: str, group: object, *counts: float, org: str | None = None) -> dict[str, Any]:
    """A count row: list_size, expected, recorded, eligible, treated, exceptions."""
    return {
        "period_end": DAY,
        "programme": "af",
        "level": "footprint" if org is None else "pcn",
        "org_code": org,
        "dimension": dimension,
        "group": group,
        **dict(zip(COUNTS, counts, strict=True)),
    }


# IMD quintiles of a small footprint, and the same 226 people by sex.
IMD = [
    row("imd_quintile", 1, 3, 0.4, 2, 2, 1, 0),
    row("imd_quintile", 2, 40, 10.0, 9, 8, 6, 1),
    row("imd_quintile", 3, 52, 12.6, 12, 10, 9, 0),
    row("imd_quintile", 4, 61, 14.2, 13, 12, 12, 2),
    row("imd_quintile", 5, 70, 16.4, 20, 18, 17, 0),
]
SEX = [
    row("sex", "F", 120, 30.0, 30, 27, 23, 2),
    row("sex", "M", 106, 23.6, 26, 23, 22, 1),
]


# --- rates --------------------------------------------------------------------------------


def test_rates_detection_without_interval_treatment_with_wilson():
    out = breakdown_rows(
        [row("sex", "F", 100, 40.0, 30, 10, 5, 0), row("sex", "M", 100, 40.0, 50, 0, 0, 0)]
    )
    assert out[0]["detection_rate"] == pytest.approx(0.75)
    assert out[0]["treatment_rate"] == pytest.approx(0.5)
    assert out[0]["treatment_ci_low"] == pytest.approx(0.2366, abs=1e-4)  # docs' worked example
    assert out[0]["treatment_ci_high"] == pytest.approx(0.7634, abs=1e-4)
    assert out[1]["detection_rate"] == pytest.approx(1.25)  # above 1: expected is modelled
    assert out[1]["treatment_rate"] is None  # nobody eligible
    assert out[1]["treatment_ci_low"] is None and out[1]["treatment_ci_high"] is None
    assert "rate" not in out[0] and "ci_low" not in out[0]


# --- sums ---------------------------------------------------------------------------------


def test_dimensions_that_add_up_pass_the_check():
    totals = {c: sum(r[c] for r in IMD) for c in COUNTS}
    check_breakdown_totals(IMD + SEX, totals)


def test_a_dimension_that_loses_a_patient_is_named():
    short = [*SEX[:1], {**SEX[1], "list_size": 105}]
    with pytest.raises(
        InequalityError, match="by sex: list_size sums to 225, by imd_quintile to 226"
    ):
        check_breakdown_totals(IMD + short)


def test_a_breakdown_that_misses_the_total_is_named():
    with pytest.raises(
        InequalityError, match=r"by imd_quintile \(footprint\): treated sums to 45, total is 46"
    ):
        check_breakdown_totals(IMD, {"treated": 46, "eligible": None})


def test_levels_are_checked_against_the_totals_one_at_a_time():
    pcns = [
        row("sex", "F", 100, 25.0, 20, 17, 13, 1, org="PCN1"),
        row("sex", "M", 106, 23.6, 26, 23, 22, 1, org="PCN1"),
        row("sex", "F", 20, 5.0, 10, 10, 10, 1, org="PCN2"),
    ]
    totals = {c: sum(r[c] for r in SEX) for c in COUNTS}
    check_breakdown_totals(SEX + pcns, totals)
    with pytest.raises(InequalityError, match=r"by sex \(pcn\): list_size sums to 225"):
        check_breakdown_totals(SEX + pcns[1:] + [{**pcns[0], "list_size": 99}], totals)


def test_the_check_is_per_organisation():
    rows = [
        row("sex", "F", 10, 1.0, 1, 1, 1, 0, org="PCN1"),
        row("ethnicity", "White", 10, 1.0, 1, 1, 1, 0, org="PCN1"),
        row("sex", "F", 10, 1.0, 1, 1, 1, 0, org="PCN2"),
        row("ethnicity", "White", 9, 1.0, 1, 1, 1, 0, org="PCN2"),
    ]
    with pytest.raises(InequalityError, match="pcn PCN2: breakdown by ethnicity: list_size"):
        check_breakdown_totals(rows)


# --- the deprivation gradient -------------------------------------------------------------


def gradient(recorded: list[int], treated: list[int]) -> list[dict[str, Any]]:
    return [
        row("imd_quintile", q, 500, 100.0, recorded[q - 1], 100, treated[q - 1], 0)
        for q in (1, 2, 3, 4, 5)
    ] + [row("imd_quintile", "Unknown", 10, 1.0, 0, 0, 0, 0)]


def test_gap_sii_and_rii_by_hand():
    # Equal quintiles: ridits 0.1 ... 0.9; rates 0.5 ... 0.9 rise 0.1 per 0.2 of ridit, so the
    # SII is 0.5; the mean rate 0.7 gives RII 0.5 / 0.7. Unknown is left off the gradient.
    [summary] = deprivation_summary(gradient([90, 80, 70, 60, 50], [50, 60, 70, 80, 90]))
    assert summary["dimension"] == "imd_quintile" and summary["org_code"] is None
    treatment = summary["treatment"]
    assert treatment == pytest.approx(
        {
            "most_deprived_rate": 0.5,
            "least_deprived_rate": 0.9,
            "absolute_gap": 0.4,
            "relative_gap": 1.8,
            "sii": 0.5,
            "rii": 0.5 / 0.7,
        }
    )
    # Detection falls with affluence here: least minus most deprived is negative.
    detection = summary["detection"]
    assert detection["absolute_gap"] == pytest.approx(-0.4)
    assert detection["relative_gap"] == pytest.approx(50 / 90)
    assert detection["sii"] == pytest.approx(-0.5)


def test_a_gap_with_a_missing_quintile_says_why():
    rows = [r for r in gradient([1] * 5, [1] * 5) if r["group"] != 4]
    rows.append(row("imd_quintile", 3, 0, 0.0, 0, 0, 0, 0) | {"group": 4})
    [summary] = deprivation_summary(rows)
    assert "every quintile" in summary["treatment"]["unavailable"]
    suppressed = [
        dict(r, treated=None) if r["group"] == 2 else r for r in gradient([1] * 5, [1] * 5)
    ]
    [summary] = deprivation_summary(suppressed)
    assert summary["treatment"] == {"unavailable": "quintile 2: treated or eligible not known"}
    assert "sii" in summary["detection"]


# --- publishing ---------------------------------------------------------------------------


def by_group(rows: list[dict[str, Any]], column: str) -> dict[object, object]:
    return {r["group"]: r[column] for r in rows}


def test_published_counts_by_hand():
    out = publish_breakdowns(IMD, PublicationPolicy())
    # list_size 3 is suppressed; its smallest sibling (40) too, or 226 - 183 would give it back.
    assert by_group(out, "list_size") == {1: None, 2: None, 3: 50, 4: 60, 5: 70}
    # expected: whole numbers 0, 10, 13, 14, 16, hidden with list_size, the rest rounded to 5.
    assert by_group(out, "expected") == {1: None, 2: None, 3: 15, 4: 15, 5: 15}
    assert by_group(out, "recorded") == {1: None, 2: None, 3: 10, 4: 15, 5: 20}
    assert by_group(out, "eligible") == {1: None, 2: None, 3: 10, 4: 10, 5: 20}
    # 1 and 6 are both small: two suppressed cells already protect each other.
    assert by_group(out, "treated") == {1: None, 2: None, 3: 10, 4: 10, 5: 15}
    # Zero is published; 1 and 2 are suppressed.
    assert by_group(out, "exceptions") == {1: 0, 2: None, 3: 0, 4: None, 5: 0}
    # Rates and intervals from the published counts only.
    assert by_group(out, "detection_rate") == pytest.approx(
        {1: None, 2: None, 3: 10 / 15, 4: 1.0, 5: 20 / 15}
    )
    assert by_group(out, "treatment_rate") == pytest.approx(
        {1: None, 2: None, 3: 1.0, 4: 1.0, 5: 0.75}
    )
    assert out[4]["treatment_ci_low"] == pytest.approx(wilson_interval(15, 20)[0])
    assert out[0]["treatment_ci_low"] is None


def test_published_breakdowns_follow_the_rules_for_every_cell():
    # PCN1's Asian group is small; PCN2's and PCN3's are not, so protecting PCN1's cell across
    # PCNs hides one of theirs, which then needs a partner inside its own PCN.
    rows = (
        IMD
        + SEX
        + [
            row("ethnicity", g, n, n / 4, r, e, t, x, org=org)
            for org, small in (("PCN1", 1), ("PCN2", 6), ("PCN3", 7))
            for g, n, r, e, t, x in (
                ("White", 140, 31, 20, 12, 3),
                ("Asian", 9 * small, 2 * small, 2 * small, small, 0),
                ("Black", 33, 8, 6, 6, 0),
                ("Unknown", 12, 0, 0, 0, 0),
            )
        ]
    )
    out = publish_breakdowns(rows, PublicationPolicy())
    hidden: dict[tuple[object, ...], list[int]] = {}
    for exact, shown in zip(rows, out, strict=True):
        for column in COUNTS:
            value = shown[column]
            assert value is None or (value % 5 == 0 and not 1 <= value <= 7)
            if value is None:
                hidden.setdefault((exact["org_code"], exact["dimension"], column), []).append(1)
                if exact["org_code"] is not None:  # PCNs' groups add up to the footprint's
                    hidden.setdefault((exact["dimension"], exact["group"], column), []).append(1)
    # A hidden cell never stands alone among its siblings: the dimension's total (or the
    # group's footprint total) minus the published siblings gives only a sum of hidden cells.
    assert hidden and all(len(cells) >= 2 for cells in hidden.values())


def test_publishing_with_other_settings():
    out = publish_breakdowns(SEX, PublicationPolicy(threshold=0, rounding_base=1))
    assert by_group(out, "list_size") == {"F": 120, "M": 106}
    assert by_group(out, "expected") == {"F": 30, "M": 24}


def test_a_bad_expected_is_refused():
    with pytest.raises(DisclosureError, match="row 2, column 'expected'"):
        publish_breakdowns([SEX[0], {**SEX[1], "expected": "many"}], PublicationPolicy())


# --- files --------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_working_files_are_exact_and_say_so(tmp_path):
    paths = write_breakdowns(IMD + SEX, tmp_path, WORKING_NOTE)
    assert [p.name for p in paths] == ["breakdowns.csv", "inequalities.json"]
    rows = read_csv(paths[0])
    assert list(rows[0]) == list(BREAKDOWN_COLUMNS)
    assert rows[0]["list_size"] == "3" and rows[0]["expected"] == "0.4"
    assert rows[0]["period_end"] == "2026-03-31" and rows[0]["org_code"] == ""
    assert {r["publication"] for r in rows} == {WORKING_NOTE}
    summary = json.loads(paths[1].read_text())
    assert summary["publication"] == WORKING_NOTE
    assert summary["programme"] == "af" and summary["period_end"] == "2026-03-31"
    [gap] = summary["deprivation"]
    assert gap["treatment"]["most_deprived_rate"] == pytest.approx(0.5)  # 1 of 2, exact


def test_published_files_carry_the_policy_note_and_no_exact_counts(tmp_path):
    policy = PublicationPolicy()
    write_breakdowns(publish_breakdowns_counts(IMD + SEX, policy), tmp_path, policy.note)
    rows = read_csv(tmp_path / "breakdowns.csv")
    assert {r["publication"] for r in rows} == {policy.note}
    assert rows[0]["list_size"] == "" and rows[2]["list_size"] == "50"
    summary = json.loads((tmp_path / "inequalities.json").read_text())
    assert summary["publication"] == policy.note
    [gap] = summary["deprivation"]
    assert "unavailable" in gap["treatment"]  # quintile 1 is suppressed


def test_breakdowns_that_do_not_add_up_are_refused_before_anything_is_written():
    with pytest.raises(InequalityError):
        check_breakdown_totals(IMD, {"list_size": 227})


# --- aggregate stores: the practice's quintile --------------------------------------------


def practice(code: str, pcn: str, quintile: int | None, **counts: Any) -> PracticeCounts:
    values: dict[str, Any] = {
        "list_size": 1000,
        "expected": 20.5,
        "recorded": 15,
        "eligible": 12,
        "treated": 10,
        "exceptions": 1,
    }
    values.update(counts)
    return PracticeCounts(
        period_end=DAY,
        programme="af",
        practice_code=code,
        practice_name=code,
        pcn_code=pcn,
        place_code="PLACE1",
        sub_icb_code=None,
        ics_code="ICS1",
        imd_quintile=quintile,
        **values,
    )


PRACTICES = [
    practice("A", "PCN1", 1),
    practice("B", "PCN1", 1, eligible=None, treated=None, exceptions=None, recorded=5),
    practice("C", "PCN2", 5, list_size=500, expected=10.25),
    practice("D", "PCN2", None),
]


def test_practice_deprivation_by_hand():
    rows = practice_deprivation_counts(PRACTICES)
    got = {r["group"]: tuple(r[c] for c in COUNTS) for r in rows}
    assert got == {
        # B has no treatment counts: eligible/treated/exceptions from A only.
        1: (2000, 41.0, 20, 12, 10, 1),
        # no rows for quintiles 2-4: no practice is in them (a zero every reader can predict)
        5: (500, 10.25, 15, 12, 10, 1),
        "Unknown": (1000, 20.5, 15, 12, 10, 1),
    }
    assert {r["dimension"] for r in rows} == {"practice_imd_quintile"}
    check_breakdown_totals(rows, {"list_size": 3500, "recorded": 50})


def test_practice_deprivation_lists_only_groups_with_practices_below_the_footprint():
    rows = practice_deprivation_counts(PRACTICES, level="pcn")
    assert [(r["org_code"], r["group"]) for r in rows] == [
        ("PCN1", 1),
        ("PCN2", 5),
        ("PCN2", "Unknown"),
    ]
    [group] = [r for r in rows if r["org_code"] == "PCN1"]
    assert (group["eligible"], group["treated"], group["exceptions"]) == (12, 10, 1)
    only_b = practice_deprivation_counts([PRACTICES[1]], level="practice")
    assert (only_b[0]["eligible"], only_b[0]["treated"], only_b[0]["exceptions"]) == (
        None,
        None,
        None,
    )


def test_practice_deprivation_refuses_mixed_periods():
    later = practice("E", "PCN2", 3)
    later = PracticeCounts(**{**later.__dict__, "period_end": date(2026, 6, 30)})
    with pytest.raises(InequalityError, match="practice E: rows mix periods"):
        practice_deprivation_counts([PRACTICES[0], later])


# --- highest need -------------------------------------------------------------------------


NEED_ROWS = [
    # PCN1: (10 + 2) x 1.5 (quintile 1) + (4 + 0) x 1.0 = 22; unweighted 16.
    {"practice_code": "A", "pcn_code": "PCN1", "to_find": 10, "to_treat": 2, "imd_quintile": 1},
    {"practice_code": "B", "pcn_code": "PCN1", "to_find": 4, "to_treat": 0, "imd_quintile": 5},
    # PCN2: (18 + 2) x 1.0 = 20.
    {"practice_code": "C", "pcn_code": "PCN2", "to_find": 18, "to_treat": 2, "imd_quintile": 5},
]


def test_pcn_need_weights_deprivation_and_records_the_uplift():
    rows = pcn_need_rows(NEED_ROWS, names={"PCN1": "North"})
    assert [(r["pcn_code"], r["rank"], r["need"]) for r in rows] == [
        ("PCN1", 1, 22.0),
        ("PCN2", 2, 20.0),
    ]
    assert rows[0]["pcn_name"] == "North" and rows[1]["pcn_name"] == ""
    assert rows[0]["uplift"] == 0.5 and rows[0]["most_deprived_practices"] == 1
    flat = pcn_need_rows(NEED_ROWS, uplift=0.0)
    assert [(r["pcn_code"], r["need"]) for r in flat] == [("PCN2", 20.0), ("PCN1", 16.0)]


def test_pcn_need_reads_a_plan():
    counts = [
        practice(
            "A", "PCN1", 1, list_size=5000, expected=100.0, recorded=50, eligible=40, treated=30
        ),
    ]
    rows = pcn_need_rows(plan(counts, Ambition(detect=0.85, treat=0.9)))
    # to_find = ceil(0.85 x 100 - 50) = 35; to_treat = ceil(0.9 x 40 - 30) = 6; x 1.5.
    assert [(r["pcn_code"], r["to_find"], r["to_treat"], r["need"]) for r in rows] == [
        ("PCN1", 35, 6, 61.5)
    ]


def test_pcn_need_is_written_as_given(tmp_path):
    rows = [
        {"pcn_code": "P1", "rank": 3, "need": 20.5, "to_find": 14, "to_treat": 3},
        {"pcn_code": "P2", "rank": 1, "need": 87.5, "to_find": 30, "to_treat": 40},
    ]
    written = read_csv(write_pcn_need(rows, tmp_path, WORKING_NOTE))
    assert list(written[0]) == list(PCN_NEED_COLUMNS)
    assert written[1]["need"] == "87.5" and written[1]["publication"] == WORKING_NOTE


# --- chart data ---------------------------------------------------------------------------


def test_chart_series_for_the_report():
    rows = breakdown_rows([*IMD, row("imd_quintile", "Unknown", 9, 1.0, 1, 1, 1, 0)])
    series = chart_series(rows, "imd_quintile", "treatment")
    assert series.groups == ("1 (most deprived)", "2", "3", "4", "5 (least deprived)")
    assert series.rates == pytest.approx((0.5, 0.75, 0.9, 1.0, 17 / 18))
    assert series.lows[0] == pytest.approx(wilson_interval(1, 2)[0])
    detection = chart_series(rows, "imd_quintile", "detection", include_unknown=True)
    assert detection.groups[-1] == "Unknown"
    assert detection.lows == (None,) * 6 and detection.rates[0] == pytest.approx(5.0)
    with pytest.raises(InequalityError, match="no breakdown rows for 'ethnicity' at footprint"):
        chart_series(rows, "ethnicity", "treatment")
    svg = charts.inequality_bars(
        series.groups, series.rates, series.lows, series.highs, "Treated, by IMD quintile"
    )
    assert svg.startswith("<svg") and "Treated, by IMD quintile" in svg


def test_inequality_bars_need_matching_lengths():
    with pytest.raises(ValueError, match="same length"):
        charts.inequality_bars(["a", "b"], [0.5], [None], [None], "t")


def test_report_series_picks_the_patients_quintile_then_ethnicity():
    ethnicity = [row("ethnicity", "White", 226, 53.6, 56, 50, 45, 3)]
    practice_level = [{**r, "dimension": "practice_imd_quintile"} for r in IMD]
    shown = breakdown_table(IMD + ethnicity + practice_level)
    assert [(d, m) for d, m, _ in report_series(shown)] == [
        ("imd_quintile", "detection"),
        ("imd_quintile", "treatment"),
        ("ethnicity", "detection"),
        ("ethnicity", "treatment"),
    ]
    # A store of aggregates has only the practice's quintile.
    aggregate = report_series(breakdown_table(practice_level, PublicationPolicy()))
    assert [(d, m) for d, m, _ in aggregate] == [
        ("practice_imd_quintile", "detection"),
        ("practice_imd_quintile", "treatment"),
    ]
    assert aggregate[1][2].rates == pytest.approx((None, None, 1.0, 1.0, 0.75))
