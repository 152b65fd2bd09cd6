"""The progress series on a small synthetic ICS shows the improvement scenario, and only it.

Two footprints of 30,000 patients from the same seed, one with the default improvement scenario
and one steady, are loaded and measured at the default eight quarter ends. The expected change
comes from the scenario's own parameters; tolerances allow for a footprint of this size (about
600 people with AF), where the first period's rates wander by a point or two.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from joinedup.app.programme import ProgrammeSetup
from joinedup.app.progress import measure_series
from joinedup.app.store import open_store
from joinedup.domain.ambitions import Ambition
from joinedup.domain.progress import COUNT_COLUMNS, ProgressSeries, footprint_totals
from joinedup.domain.progress import period_ends as ends_of
from joinedup.sources.synthetic import dates, generate
from joinedup.sources.synthetic.rates import load_rates
from joinedup.sources.synthetic.scenario import load_scenario
from joinedup.store import load

REFERENCE = date(2026, 3, 31)
PATIENTS = 30_000
SEED = 11


def _series(root: Path, scenario: str) -> tuple[ProgressSeries, Path]:
    source = root / scenario
    generate(source, patients=PATIENTS, seed=SEED, scenario=scenario, density="programme")
    load(source, root / f"{scenario}.duckdb", today=REFERENCE)
    with open_store(root / f"{scenario}.duckdb") as store:
        series = measure_series(store, ProgrammeSetup.load("af"), ends_of(REFERENCE),
                                Ambition(detect=0.85, treat=0.90))
    return series, source


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ProgressSeries, Path]]:
    root = tmp_path_factory.mktemp("progress")
    return {name: _series(root, name) for name in ("improvement", "steady")}


def _change(series: ProgressSeries) -> tuple[float, float, list[dict[str, Any]]]:
    totals = footprint_totals(series.rows())
    first, last = totals[0], totals[-1]
    return (
        float(last["detection_rate"]) - float(first["detection_rate"]),
        float(last["treatment_rate"]) - float(first["treatment_rate"]),
        totals,
    )


def _scenario_share_then(measure: str, today: float, first: date) -> float:
    """The scenario's footprint share at `first`, straight-line between its before and today."""
    scenario = load_scenario(load_rates(), "improvement")
    before = scenario.share_before(measure)
    assert before is not None
    ramp = min(1.0, (REFERENCE - first).days / (scenario.years * dates.DAYS_PER_YEAR))
    return today - (today - before) * ramp


def test_the_improvement_scenario_shows_in_the_series(
    runs: dict[str, tuple[ProgressSeries, Path]],
) -> None:
    series, _ = runs["improvement"]
    detection, treatment, totals = _change(series)
    first = totals[0]["period_end"]
    assert isinstance(first, date) and first == date(2024, 6, 30)
    rates = load_rates()
    # Treatment: the scenario's footprint share then (about 79%) against today's 88%. Every
    # period end here (June 2024 to March 2026) is under QOF AF008, which counts a DOAC, or a VKA
    # only with a DOAC-unsuitable reason: the generator records one for a share of VKA patients,
    # so AF008 sees the anticoagulated share times doac + (1 - doac) x that share (0.955), and
    # the change shrinks by the same factor (about 8.7 points -> 8.4).
    assert {p.treated_rule for p in series.periods} == {"AF008"}
    doac = rates.scalar("doac_share")
    counted = doac + (1 - doac) * rates.scalar("vka_doac_unsuitable_share")
    today_treated = rates.scalar("oac_treated_mean")
    expected_treatment = counted * (
        today_treated - _scenario_share_then("oac_treated", today_treated, first)
    )
    assert treatment == pytest.approx(expected_treatment, abs=0.035)
    assert treatment > 0.05
    # Detection: the recorded share of true AF moved by the ratio of the shares.
    today_recorded = rates.scalar("af_register_share_mean")
    ratio = _scenario_share_then("af_register", today_recorded, first) / today_recorded
    last_detection = float(totals[-1]["detection_rate"])
    assert detection == pytest.approx(last_detection * (1 - ratio), abs=0.025)
    assert detection > 0.03
    # It rises over the series, not only between its ends.
    pace = series.pace()
    assert pace["detection_rate"].per_year is not None and pace["detection_rate"].per_year > 0.02
    assert pace["treatment_rate"].per_year is not None and pace["treatment_rate"].per_year > 0.03


def test_the_steady_scenario_shows_no_change(
    runs: dict[str, tuple[ProgressSeries, Path]],
) -> None:
    detection, treatment, _ = _change(runs["steady"][0])
    assert abs(detection) <= 0.025
    assert abs(treatment) <= 0.025


def test_the_scenario_changes_the_past_not_the_present(
    runs: dict[str, tuple[ProgressSeries, Path]],
) -> None:
    improved = footprint_totals(runs["improvement"][0].rows())
    steady = footprint_totals(runs["steady"][0].rows())
    # The same people, on the register today in both; only their diagnosis dates differ.
    assert improved[-1]["recorded"] == steady[-1]["recorded"]
    assert improved[-1]["expected"] == pytest.approx(steady[-1]["expected"])
    assert improved[-1]["treatment_rate"] == pytest.approx(steady[-1]["treatment_rate"], abs=0.02)
    assert improved[0]["recorded"] < steady[0]["recorded"]


def test_practices_sum_to_every_level_at_every_period(
    runs: dict[str, tuple[ProgressSeries, Path]],
) -> None:
    rows = runs["improvement"][0].rows()
    assert {r["period_end"] for r in rows} == set(ends_of(REFERENCE))
    for day in ends_of(REFERENCE):
        practices = [r for r in rows if r["period_end"] == day and r["level"] == "practice"]
        assert len(practices) > 300
        for level in ("ics", "place", "sub_icb", "pcn"):
            above = [r for r in rows if r["period_end"] == day and r["level"] == level]
            assert sum(r["practices"] for r in above) == len(practices)
            for row in above:
                below = [p for p in practices if p[f"{level}_code"] == row["code"]]
                for column in COUNT_COLUMNS:
                    total = sum(p[column] for p in below)
                    assert row[column] == pytest.approx(total), (day, level, row["code"], column)


def test_manifest_records_the_scenario(runs: dict[str, tuple[ProgressSeries, Path]]) -> None:
    improved = json.loads((runs["improvement"][1] / "manifest.json").read_text(encoding="utf-8"))
    assert improved["scenario"]["name"] == "improvement"
    assert improved["scenario"]["oac_treated_share_before"] == pytest.approx(0.78)
    assert "--scenario" not in improved["reproduce"]
    steady = json.loads((runs["steady"][1] / "manifest.json").read_text(encoding="utf-8"))
    assert steady["scenario"]["name"] == "steady"
    assert "--scenario steady" in steady["reproduce"]
