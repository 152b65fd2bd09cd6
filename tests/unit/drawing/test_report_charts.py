"""The report's charts keep their meaning: stacked gaps, the ambition at its value, blank bars
for missing rates, intervals only where there are some, the axis limit for rates over 100%, and
no crash on an empty footprint."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from svg_reading import SVG, rects, tick_x

from joinedup.outputs import charts
from joinedup.outputs.charts import FIND, GREY, MAX_WAVE_LINES, TREAT
from joinedup.waitlist import charts as waitlist_charts


def lines(root: ET.Element, colour: str) -> list[ET.Element]:
    return [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == colour]


def texts(root: ET.Element) -> list[str | None]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_find_and_treat_bars_stack_to_treat_after_to_find() -> None:
    root = ET.fromstring(charts.find_and_treat_bars(["North", "South"], [30, 12], [6, 0], "Gap"))
    found, treated = rects(root, FIND), rects(root, TREAT)
    # Bars first, then the legend's two swatches; South has nothing to treat, so no segment.
    assert len(found) == 3 and len(treated) == 2
    per_unit = (tick_x(root, "40") - tick_x(root, "0")) / 40  # 36 patients: axis to 40
    assert found[0]["width"] == pytest.approx(30 * per_unit, abs=0.1)
    assert found[1]["width"] == pytest.approx(12 * per_unit, abs=0.1)
    assert treated[0]["x"] == pytest.approx(found[0]["x"] + found[0]["width"], abs=0.1)
    assert treated[0]["width"] == pytest.approx(6 * per_unit, abs=0.1)
    assert {"North", "South", "to find", "to treat", "patients", "Gap"} <= set(texts(root))


def test_rate_bars_draw_the_ambition_at_its_value_and_leave_missing_rates_blank() -> None:
    root = ET.fromstring(charts.rate_bars(["A", "B", "C"], [0.5, None, 1.2], 0.85, "Detection"))
    x0, x100 = tick_x(root, "0"), tick_x(root, "100")
    bars = rects(root, FIND)
    assert len(bars) == 2  # B is missing: no bar
    assert bars[0]["width"] == pytest.approx(0.5 * (x100 - x0), abs=0.1)
    assert bars[1]["x"] + bars[1]["width"] == pytest.approx(x100, abs=0.1)  # 120% stops at 100
    ambition, _legend = lines(root, TREAT)
    assert float(ambition.get("x1", "nan")) == pytest.approx(x0 + 0.85 * (x100 - x0), abs=0.1)
    assert "ambition 85%" in texts(root)
    no_ambition = ET.fromstring(charts.rate_bars(["A"], [0.5], None, "Detection"))
    assert lines(no_ambition, TREAT) == [] and "ambition" not in "".join(
        t or "" for t in texts(no_ambition)
    )


def test_inequality_bars_widen_the_axis_past_100_and_skip_missing_intervals() -> None:
    svg = charts.inequality_bars(
        ["1", "2", "3"], [1.2, 0.6, None], [None, 0.5, None], [None, 0.7, None], "By quintile"
    )
    root = ET.fromstring(svg)
    per_unit = (tick_x(root, "100") - tick_x(root, "0")) / 100
    bars = rects(root, FIND)
    assert len(bars) == 2
    # The axis runs to 120 x 1.05 = 126, so the 120% bar is drawn whole, not cut at 100.
    assert bars[0]["width"] == pytest.approx(120 * per_unit, abs=0.1)
    # One interval (group 2): a line and two caps; group 1 has no interval, group 3 no rate.
    interval = lines(root, GREY)
    assert len(interval) == 3
    assert float(interval[0].get("x1", "nan")) == pytest.approx(
        tick_x(root, "0") + 50 * per_unit, abs=0.1
    )


def test_pareto_curve_draws_wave_boundaries_only_while_they_stay_readable() -> None:
    shares = [i / 100 for i in range(1, 101)]
    dotted = "1.5 2.5"

    def boundaries(wave_size: int) -> int:
        root = ET.fromstring(charts.pareto_curve(shares, wave_size))
        return sum(ln.get("stroke-dasharray") == dotted for ln in lines(root, GREY))

    assert MAX_WAVE_LINES == 40
    assert boundaries(10) == 10
    assert boundaries(3) == 33  # 33 waves: at most 40, drawn
    assert boundaries(2) == 0  # 50 waves: a grey wash, left out


def test_trend_lines_slant_the_periods_and_name_each_ambition() -> None:
    svg = charts.trend_lines(
        ["2025-09-30", "2025-12-31", "2026-03-31"],
        {"detection_rate": [0.5, None, 0.7], "treatment_rate": [0.6, 0.65, 0.7]},
        {"detection_rate": 0.85, "treatment_rate": 0.9},
        "Progress",
    )
    root = ET.fromstring(svg)
    periods = [t for t in root.iter(f"{SVG}text") if t.text == "2025-12-31"]
    assert periods[0].get("transform", "").startswith("rotate(-45")
    assert {"detection rate", "treatment rate", "ambition 85%", "ambition 90%"} <= set(texts(root))
    dashed = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-dasharray") == "6 3"]
    assert len(dashed) == 4  # two ambition lines, two legend samples
    # The detection line has a gap: two dots with no line between them; treatment is whole.
    polylines = [p.get("stroke") for p in root.iter(f"{SVG}polyline")]
    assert polylines == [TREAT]


def test_one_shared_ambition_is_named_once() -> None:
    svg = charts.trend_lines(["a", "b"], {"x": [0.1, 0.2], "y": [0.3, 0.4]}, 0.5, "t")
    assert texts(ET.fromstring(svg)).count("ambition 50%") == 1


def test_every_chart_survives_an_empty_footprint() -> None:
    svgs = [
        charts.pareto_curve([]),
        charts.find_and_treat_bars([], [], [], "Gap"),
        charts.rate_bars([], [], 0.85, "Rates"),
        charts.inequality_bars([], [], [], [], "Inequality"),
        charts.trend_lines([], {}, None, "Trend"),
        waitlist_charts.lines_by_scenario([], {}, "patients", "List"),
        waitlist_charts.bars_by_trust([], {}, "weeks", "Longest"),
    ]
    assert all(ET.fromstring(svg).tag == f"{SVG}svg" for svg in svgs)


def test_bars_by_trust_cluster_one_bar_per_scenario() -> None:
    colours = waitlist_charts.COLOURS
    svg = waitlist_charts.bars_by_trust(
        ["TRA", "TRB"], {"separate": [10.0, 20.0], "pooled": [5.0, 0.0]}, "weeks", "Longest"
    )
    root = ET.fromstring(svg)
    *separate, _ = rects(root, colours["separate"])  # the last is the legend's swatch
    *pooled, _ = rects(root, colours["pooled"])
    assert len(separate) == 2 and len(pooled) == 1  # TRB's zero draws nothing
    assert pooled[0]["x"] == pytest.approx(separate[0]["x"] + separate[0]["width"], abs=0.1)
    assert pooled[0]["width"] == separate[0]["width"]
    assert separate[1]["height"] == pytest.approx(2 * separate[0]["height"], abs=0.1)
    assert separate[0]["height"] == pytest.approx(2 * pooled[0]["height"], abs=0.1)
    # Bars stand on the same baseline.
    assert pooled[0]["y"] + pooled[0]["height"] == pytest.approx(
        separate[0]["y"] + separate[0]["height"], abs=0.1
    )
    assert {"separate lists", "pooled lists", "TRA", "TRB", "weeks"} <= set(texts(root))
