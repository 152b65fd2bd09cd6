"""Charts for the HTML report, written as inline SVG by joinedup.drawing.svg_plot.

Why SVG text of our own rather than a plotting library: these charts are simple (bars, stacked
bars, lines, reference lines, error bars), and writing them directly takes milliseconds where
matplotlib's import and drawing took over a second of a small run (issue 13). No browser code
runs, so the report is one self-contained file that opens without network access (board papers
are often read offline or on locked-down NHS machines). Every chart has a text alternative in the
page's tables, and a <title> for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence

from joinedup.drawing.svg_plot import Bands, Key, Linear, Plot

FIND = "#005eb8"  # NHS blue
TREAT = "#ed8b00"  # NHS orange
GREY = "#768692"
MAX_WAVE_LINES = 40
"""Wave boundaries drawn on the Pareto curve; beyond this many they would be a grey wash."""

WIDTH = 672  # px: 7 inches, as before; the page scales a chart down to its column
ROW = 27  # px of plot height per bar in the horizontal bar charts (0.28 inches)


def _bar_height(rows: int, per_row: float = ROW) -> float:
    """Plot height for horizontal bars: grows with the rows, never under an inch."""
    return max(96.0, per_row * rows)


def pareto_curve(shares: Sequence[float], wave_size: int | None = None) -> str:
    """Cumulative share of the footprint's whole gap held by the top k willing practices."""
    x = Linear(
        0,
        len(shares),
        "top k willing practices, by patients to find and treat",
        extend=False,
        grid=True,
        min_step=1,
    )
    y = Linear(0, 100, "share of whole gap (%)", grid=True)
    plot = Plot(
        "Share of the whole gap held by the top k willing practices", x, y, width=WIDTH, height=230
    )
    if wave_size and shares and len(shares) // wave_size <= MAX_WAVE_LINES:
        for k in range(wave_size, len(shares) + 1, wave_size):
            plot.vline(k, GREY, width=0.6, dash="dotted")
    plot.line(range(1, len(shares) + 1), [s * 100 for s in shares], FIND)
    return plot.svg()


def find_and_treat_bars(
    labels: Sequence[str], to_find: Sequence[int], to_treat: Sequence[int], title: str
) -> str:
    """Horizontal stacked bars of patients to find and to treat, largest first."""
    top = max((f + t for f, t in zip(to_find, to_treat, strict=True)), default=0)
    plot = Plot(
        title,
        Linear(0, top, "patients", min_step=1),
        Bands(labels),
        width=WIDTH,
        height=_bar_height(len(labels)),
        legend=[Key("to find", FIND), Key("to treat", TREAT)],
    )
    plot.hbars(to_find, FIND)
    plot.hbars(to_treat, TREAT, starts=to_find)
    return plot.svg()


def rate_bars(
    labels: Sequence[str], rates: Sequence[float | None], ambition: float | None, title: str
) -> str:
    """Rates by group with the ambition drawn as a line; missing rates are left blank."""
    legend = [] if ambition is None else [Key(f"ambition {ambition:.0%}", TREAT, "solid")]
    plot = Plot(
        title,
        Linear(0, 100, "%"),
        Bands(labels),
        width=WIDTH,
        height=_bar_height(len(labels)),
        legend=legend,
    )
    plot.hbars([None if r is None else r * 100 for r in rates], FIND)
    if ambition is not None:
        plot.vline(ambition * 100, TREAT, width=1.5)
    return plot.svg()


def inequality_bars(
    groups: Sequence[str],
    rates: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    title: str,
) -> str:
    """A rate for each group (e.g. IMD quintile, ethnicity) with its confidence interval.

    Groups run top to bottom in the order given; a missing rate (suppressed, or no one in the
    group) is left blank and a missing interval (detection rates have none) is not drawn. The
    axis runs to 100%, or 5% past the highest rate or interval end above that.
    """
    if not len(groups) == len(rates) == len(lows) == len(highs):
        raise ValueError("groups, rates, lows and highs must be the same length")
    top = max([100.0] + [(h or r or 0) * 100 for r, h in zip(rates, highs, strict=True)])
    x = Linear(0, top * 1.05 if top > 100 else 100, "%", extend=False)
    plot = Plot(title, x, Bands(groups), width=WIDTH, height=_bar_height(len(groups), 31))
    plot.hbars([None if r is None else r * 100 for r in rates], FIND)
    for i, (rate, low, high) in enumerate(zip(rates, lows, highs, strict=True)):
        if rate is not None and low is not None and high is not None:
            plot.error_bar(i, low * 100, high * 100, GREY)
    return plot.svg()


def trend_lines(
    periods: Sequence[object],
    series: dict[str, list[float | None]],
    ambition: float | dict[str, float] | None,
    title: str,
) -> str:
    """Rates (shares 0-1) over period ends, one line per series, with the ambition dashed.

    `ambition` is one share for every series, or a share per series name (drawn in that series'
    colour); a missing value leaves a gap in its line. Period labels are shown as given (dates
    print as YYYY-MM-DD), slanted; the legend sits beside the plot, clear of the lines.
    """
    colours = (FIND, TREAT, GREY)
    labels = [str(p) for p in periods]
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} periods")
    targets = {
        name: ambition.get(name) if isinstance(ambition, dict) else ambition for name in series
    }
    shown = [v * 100 for values in series.values() for v in values if v is not None]
    shown += [t * 100 for t in targets.values() if t is not None]
    lo, hi = min(shown, default=0.0), max(shown, default=100.0)
    margin = (hi - lo) * 0.05 or 1.0  # room above and below the lines, as a plotting library
    y = Linear(lo - margin, hi + margin, "%", grid=True) if shown else Linear(0, 100, "%")
    legend: list[Key] = []
    for index, name in enumerate(series):
        colour, target = colours[index % len(colours)], targets[name]
        legend.append(Key(name.replace("_", " "), colour, "solid"))
        if target is not None and (isinstance(ambition, dict) or index == 0):
            legend.append(Key(f"ambition {target:.0%}", colour, "dashed"))
    plot = Plot(
        title,
        Bands(labels, rotate=True, grid=True),
        y,
        width=816,
        height=230,
        legend=legend,
        legend_right=True,
    )
    for index, (name, values) in enumerate(series.items()):
        colour, target = colours[index % len(colours)], targets[name]
        if target is not None:
            plot.hline(target * 100, colour, dash="dashed")
        plot.line(
            range(len(labels)), [None if v is None else v * 100 for v in values], colour, dots=True
        )
    return plot.svg()
