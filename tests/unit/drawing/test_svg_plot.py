"""The SVG drawing kit: round ticks, scales that put marks where the values say, gaps for missing
values, escaped text, and the same bytes for the same input."""

from __future__ import annotations

import pytest
from svg_reading import SVG, parse, rects, tick_x, tick_y

from joinedup.drawing.svg_plot import Bands, Key, Linear, Plot, nice_ticks, tick_label


def test_nice_ticks_for_hand_worked_ranges() -> None:
    # 0..87: 87 / 5 = 17.4, nearest round step 20, last tick the first multiple at or above 87.
    assert nice_ticks(0, 87) == [0, 20, 40, 60, 80, 100]
    # 0..1,234,567: 246,913 a step, nearest round 200,000, up to 1,400,000.
    assert nice_ticks(0, 1_234_567) == [i * 200_000 for i in range(8)]
    # 0.2..0.9: 0.14 a step -> 0.1; the ticks come out as the decimals a reader expects.
    assert nice_ticks(0.2, 0.9) == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    # 73.2..90.8 (rates with a margin): 3.52 a step -> 5, from 70 to 95.
    assert nice_ticks(73.2, 90.8) == [70, 75, 80, 85, 90, 95]


def test_an_empty_range_gets_an_axis_not_a_division_by_zero() -> None:
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 0, min_step=1) == [0, 1]  # counts of people: no fractional ticks
    axis = Linear(0, 0, extend=False)
    axis.place(0, 100)
    assert axis(0) == 0 and axis.hi > axis.lo


def test_tick_labels_have_thousands_separators_and_only_the_decimals_needed() -> None:
    assert [text for _, text in Linear(0, 1_234_567).ticks][-2:] == ["1,200,000", "1,400,000"]
    assert tick_label(0.6000000000000001, 0.2) == "0.6"
    assert tick_label(-0.0, 1) == "0"
    assert tick_label(2500, 500) == "2,500"


def test_bar_lengths_are_proportional_to_the_values() -> None:
    plot = Plot("Bars", Linear(0, 40, "n"), Bands(["a", "b", "c"]), width=500, height=90)
    plot.hbars([10, 25, 40], "#005eb8")
    root = parse(plot.svg())
    x0, x40 = tick_x(root, "0"), tick_x(root, "40")
    per_unit = (x40 - x0) / 40  # the axis as drawn: its 0 and 40 ticks
    bars = rects(root, "#005eb8")
    assert [b["x"] for b in bars] == [x0, x0, x0]
    assert [b["width"] for b in bars] == pytest.approx(
        [10 * per_unit, 25 * per_unit, 40 * per_unit], abs=0.1
    )
    # The first category is the top band; bands are equal and bars equally thick.
    assert bars[0]["y"] < bars[1]["y"] < bars[2]["y"]
    assert bars[1]["y"] - bars[0]["y"] == pytest.approx(bars[2]["y"] - bars[1]["y"], abs=0.1)


def test_a_stacked_segment_starts_where_the_one_below_ends() -> None:
    plot = Plot("Stacked", Linear(0, 100), Bands(["a", "b"]), width=500, height=60)
    plot.hbars([30, 55], "blue")
    plot.hbars([20, 45], "orange", starts=[30, 55])
    root = parse(plot.svg())
    per_unit = (tick_x(root, "100") - tick_x(root, "0")) / 100
    for first, second, width in zip(
        rects(root, "blue"), rects(root, "orange"), (20, 45), strict=True
    ):
        assert second["x"] == pytest.approx(first["x"] + first["width"], abs=0.1)
        assert second["width"] == pytest.approx(width * per_unit, abs=0.1)
        assert second["y"] == first["y"]


def test_values_past_a_fixed_limit_stop_at_the_edge() -> None:
    plot = Plot("Clamped", Linear(0, 100), Bands(["a"]), width=500, height=30)
    plot.hbars([130], "blue")
    root = parse(plot.svg())
    [bar] = rects(root, "blue")
    assert bar["x"] + bar["width"] == pytest.approx(tick_x(root, "100"), abs=0.1)


def test_reference_lines_sit_at_their_values() -> None:
    plot = Plot("Lines", Linear(0, 100), Linear(0, 50), width=500, height=200)
    plot.vline(85, "orange", dash="dashed")
    plot.hline(30, "grey", dash="dotted")
    root = parse(plot.svg())
    x0, x100 = tick_x(root, "0"), tick_x(root, "100")
    y0, y50 = tick_y(root, "0"), tick_y(root, "50")
    [v] = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "orange"]
    [h] = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "grey"]
    assert float(v.get("x1", "nan")) == pytest.approx(x0 + 0.85 * (x100 - x0), abs=0.1)
    assert v.get("x1") == v.get("x2") and v.get("stroke-dasharray") == "6 3"
    assert float(h.get("y1", "nan")) == pytest.approx(y0 + 0.6 * (y50 - y0), abs=0.1)
    assert h.get("y1") == h.get("y2") and h.get("stroke-dasharray") == "1.5 2.5"


def test_error_bars_span_the_interval_with_caps() -> None:
    plot = Plot("Intervals", Linear(0, 100), Bands(["a"]), width=500, height=30)
    plot.error_bar(0, 40, 70, "grey")
    root = parse(plot.svg())
    x0, x100 = tick_x(root, "0"), tick_x(root, "100")
    lines = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "grey"]
    span, *caps = ([float(ln.get(k, "nan")) for k in ("x1", "y1", "x2", "y2")] for ln in lines)
    assert span[0] == pytest.approx(x0 + 0.4 * (x100 - x0), abs=0.1)
    assert span[2] == pytest.approx(x0 + 0.7 * (x100 - x0), abs=0.1)
    assert [c[0] for c in caps] == [span[0], span[2]]
    assert all(c[0] == c[2] and c[1] < span[1] < c[3] for c in caps)  # vertical, across the bar


def test_a_missing_value_breaks_the_line() -> None:
    plot = Plot("Gaps", Linear(0, 6), Linear(0, 10), width=500, height=200)
    plot.line([0, 1, 2, 3, 4, 5, 6], [1, 2, None, 3, 4, None, 5], "blue")
    root = parse(plot.svg())
    runs = [p.get("points", "").split() for p in root.iter(f"{SVG}polyline")]
    assert [len(points) for points in runs] == [2, 2]
    # The point on its own (x = 6) still shows, as a dot.
    [dot] = list(root.iter(f"{SVG}circle"))
    assert float(dot.get("cx", "nan")) == pytest.approx(tick_x(root, "6"), abs=0.1)


def test_text_is_escaped_and_the_svg_parses() -> None:
    label, title = 'A & B <C> "D"', 'Rates & <gaps> "now"'
    plot = Plot(title, Linear(0, 10), Bands([label]), legend=[Key("x < y & z", "blue")])
    plot.hbars([5], "blue")
    svg = plot.svg()
    assert "A &amp; B &lt;C&gt; &quot;D&quot;" in svg
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert label in texts and title in texts and "x < y & z" in texts


def test_one_svg_element_with_a_title_for_screen_readers() -> None:
    svg = Plot("Patients to find", Linear(0, 10), Bands(["a"])).svg()
    assert svg.startswith("<svg ") and "<?xml" not in svg
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert root[0].tag == f"{SVG}title" and root[0].text == "Patients to find"
    assert root.get("font-family") == "sans-serif"


def test_the_same_input_gives_the_same_bytes() -> None:
    def draw() -> str:
        plot = Plot(
            "t",
            Bands(["2025-03-31", "2025-06-30"], rotate=True),
            Linear(0, 1),
            legend=[Key("rate", "blue", "solid")],
            legend_right=True,
        )
        plot.line([0, 1], [0.25, 0.75], "blue", dots=True)
        return plot.svg()

    assert draw() == draw()


def test_the_legend_sits_outside_the_plot_area() -> None:
    plot = Plot(
        "t",
        Linear(0, 10),
        Bands(["a", "b"]),
        width=400,
        height=60,
        legend=[Key("to find", "blue"), Key("to treat", "orange")],
    )
    plot.hbars([10, 10], "blue")
    *bars, swatch = rects(root := parse(plot.svg()), "blue")  # the legend is drawn last
    assert len(bars) == 2 and swatch["y"] + swatch["height"] < min(b["y"] for b in bars)
    assert rects(root, "orange")[0]["y"] == swatch["y"]  # one row, beside each other
