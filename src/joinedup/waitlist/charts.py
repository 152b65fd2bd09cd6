"""The simulation report's charts, written as inline SVG by joinedup.drawing.svg_plot.

Why SVG text of our own: the report must open offline as one file, and these charts (a line per
scenario, grouped bars per trust) are simple enough to write directly in milliseconds, with no
plotting library to import and no browser code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from joinedup.drawing.svg_plot import Bands, Key, Linear, Plot

COLOURS = {"separate": "#768692", "pooled": "#005eb8", "pooled_plus_capacity": "#ed8b00"}
LABELS = {
    "separate": "separate lists",
    "pooled": "pooled lists",
    "pooled_plus_capacity": "pooled + shared sessions",
}
WIDTH = 672  # px: 7 inches, as before; the page scales a chart down to its column
HEIGHT = 200  # px of plot area


def _top(series: Mapping[str, Sequence[float]]) -> float:
    return max((v for values in series.values() for v in values), default=0.0)


def _legend(series: Mapping[str, Sequence[float]], mark: str) -> list[Key]:
    return [Key(LABELS[scenario], COLOURS[scenario], mark) for scenario in series]


def lines_by_scenario(
    weeks: Sequence[int], series: Mapping[str, Sequence[float]], ylabel: str, title: str
) -> str:
    """One line per scenario over the weeks of the run, from zero up."""
    x = Linear(
        min(weeks, default=0), max(weeks, default=0), "week", extend=False, grid=True, min_step=1
    )
    y = Linear(0, _top(series), ylabel, grid=True)
    plot = Plot(title, x, y, width=WIDTH, height=HEIGHT, legend=_legend(series, "solid"))
    for scenario, values in series.items():
        plot.line(weeks, values, COLOURS[scenario])
    return plot.svg()


def bars_by_trust(
    trusts: Sequence[str], series: Mapping[str, Sequence[float]], ylabel: str, title: str
) -> str:
    """Grouped bars: one group per trust, one bar per scenario."""
    plot = Plot(
        title,
        Bands(trusts),
        Linear(0, _top(series), ylabel),
        width=WIDTH,
        height=HEIGHT,
        legend=_legend(series, "box"),
    )
    for k, (scenario, values) in enumerate(series.items()):
        plot.vbars(values, COLOURS[scenario], group=k, groups=max(1, len(series)))
    return plot.svg()
