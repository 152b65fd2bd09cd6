"""Charts for the HTML report, drawn with matplotlib as inline SVG.

Why matplotlib: a well-kept plotting library that renders to SVG text with no browser code, so the
report is one self-contained file that opens without network access (board papers are often read
offline or on locked-down NHS machines). Every chart has a text alternative in the page's tables.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

FIND = "#005eb8"  # NHS blue
TREAT = "#ed8b00"  # NHS orange
GREY = "#768692"
MAX_WAVE_LINES = 40
"""Wave boundaries drawn on the Pareto curve; beyond this many they would be a grey wash."""


LABEL_INCHES_PER_CHARACTER = 0.065
"""Width of one character of an 8-point tick label, generously: margins are worked out from the
labels' lengths rather than measured by drawing the figure twice (`bbox_inches="tight"` or a
layout engine), which tripled the time each chart took."""


def _figure(
    width: float,
    height: float,
    *,
    left: float = 0.75,
    right: float = 0.25,
    top: float = 0.4,
    bottom: float = 0.55,
) -> tuple[Figure, Any]:
    """A figure drawn straight to SVG, with margins in inches.

    No pyplot, so no global backend is chosen or changed for whoever else uses matplotlib in the
    process, and nothing is left open afterwards.
    """
    fig = Figure(figsize=(width, height))
    FigureCanvasSVG(fig)
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height
    )
    return fig, fig.subplots()


def _label_margin(labels: Sequence[str]) -> float:
    """Inches to leave left of the axes for horizontal-bar labels."""
    return 0.3 + LABEL_INCHES_PER_CHARACTER * max((len(str(x)) for x in labels), default=0)


def _svg(fig: Figure) -> str:
    # Text stays text (not glyph outlines): smaller files, selectable labels, quicker to write.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "joinedup"}):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog so it can sit inside HTML


def pareto_curve(shares: Sequence[float], wave_size: int | None = None) -> str:
    """Cumulative share of the footprint's whole gap held by the top k willing practices."""
    fig, ax = _figure(7, 3.4)
    ks = list(range(1, len(shares) + 1))
    ax.plot(ks, [s * 100 for s in shares], color=FIND, linewidth=2)
    ax.set_xlabel("top k willing practices, by patients to find and treat")
    ax.set_ylabel("share of whole gap (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    if wave_size and shares and len(shares) // wave_size <= MAX_WAVE_LINES:
        for k in range(wave_size, len(shares) + 1, wave_size):
            ax.axvline(k, color=GREY, linewidth=0.6, linestyle=":")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _svg(fig)


def find_and_treat_bars(
    labels: Sequence[str], to_find: Sequence[int], to_treat: Sequence[int], title: str
) -> str:
    """Horizontal stacked bars of patients to find and to treat, largest first."""
    height = max(2.0, 0.28 * len(labels) + 1.0)
    fig, ax = _figure(7, height, left=_label_margin(labels))
    y = list(range(len(labels)))[::-1]
    ax.barh(y, to_find, color=FIND, label="to find")
    ax.barh(y, to_treat, left=to_find, color=TREAT, label="to treat")
    ax.set_yticks(y, labels=labels, fontsize=8)
    ax.set_xlabel("patients")
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _svg(fig)


def rate_bars(
    labels: Sequence[str], rates: Sequence[float | None], ambition: float | None, title: str
) -> str:
    """Rates by group with the ambition drawn as a line; missing rates are left blank."""
    height = max(2.0, 0.28 * len(labels) + 1.0)
    fig, ax = _figure(7, height, left=_label_margin(labels))
    y = list(range(len(labels)))[::-1]
    ax.barh(y, [(r or 0) * 100 for r in rates], color=FIND)
    if ambition is not None:
        ax.axvline(ambition * 100, color=TREAT, linewidth=1.5, label=f"ambition {ambition:.0%}")
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.set_yticks(y, labels=labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.set_title(title, fontsize=10, loc="left")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _svg(fig)


def inequality_bars(
    groups: Sequence[str],
    rates: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    title: str,
) -> str:
    """A rate for each group (e.g. IMD quintile, ethnicity) with its confidence interval.

    Groups run top to bottom in the order given; a missing rate (suppressed, or no one in the
    group) is left blank and a missing interval (detection rates have none) is not drawn.
    """
    if not len(groups) == len(rates) == len(lows) == len(highs):
        raise ValueError("groups, rates, lows and highs must be the same length")
    height = max(2.0, 0.32 * len(groups) + 1.0)
    fig, ax = _figure(7, height, left=_label_margin(groups))
    y = list(range(len(groups)))[::-1]
    ax.barh(y, [(r or 0) * 100 for r in rates], color=FIND)
    for yi, rate, low, high in zip(y, rates, lows, highs, strict=True):
        if rate is None or low is None or high is None:
            continue
        ax.errorbar(
            rate * 100,
            yi,
            xerr=[[(rate - low) * 100], [(high - rate) * 100]],
            color=GREY,
            capsize=3,
            linewidth=1,
        )
    ax.set_yticks(y, labels=list(groups), fontsize=8)
    top = max([100.0] + [(h or r or 0) * 100 for r, h in zip(rates, highs, strict=True)])
    ax.set_xlim(0, top * 1.05 if top > 100 else 100)
    ax.set_xlabel("%")
    ax.set_title(title, fontsize=10, loc="left")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _svg(fig)


def trend_lines(
    periods: Sequence[object],
    series: dict[str, list[float | None]],
    ambition: float | dict[str, float] | None,
    title: str,
) -> str:
    """Rates (shares 0-1) over period ends, one line per series, with the ambition dashed.

    `ambition` is one share for every series, or a share per series name (drawn in that series'
    colour); a missing value leaves a gap in its line. Period labels are shown as given (dates
    print as YYYY-MM-DD).
    """
    colours = (FIND, TREAT, GREY)
    labels = [str(p) for p in periods]
    longest = max((len(label) for label in labels), default=0)
    # Room below for the period labels (at 45 degrees) and right for the legend beside the axes.
    fig, ax = _figure(8.5, 3.4 + 0.05 * longest, left=0.6, right=2.1,
                      bottom=0.3 + 0.05 * longest)
    x = list(range(len(labels)))
    for index, (name, values) in enumerate(series.items()):
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} periods")
        colour = colours[index % len(colours)]
        points = [float("nan") if v is None else v * 100 for v in values]
        ax.plot(x, points, color=colour, linewidth=2, marker="o", markersize=3,
                label=name.replace("_", " "))
        target = ambition.get(name) if isinstance(ambition, dict) else ambition
        if target is not None:
            ax.axhline(target * 100, color=colour, linewidth=1, linestyle="--",
                       label=f"ambition {target:.0%}" if isinstance(ambition, dict) or index == 0
                       else None)
    ax.set_xticks(x, labels=labels, fontsize=7, rotation=45, ha="right")
    ax.set_ylabel("%")
    ax.set_title(title, fontsize=10, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _svg(fig)
