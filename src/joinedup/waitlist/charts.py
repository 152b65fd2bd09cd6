"""The simulation report's charts, drawn by matplotlib as inline SVG text.

Why matplotlib through its object API: the report must open offline as one file, and drawing on
a ``Figure`` with the Agg canvas needs no display and sets no global backend, so importing this
module changes nothing for the rest of the process.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLOURS = {"separate": "#768692", "pooled": "#005eb8", "pooled_plus_capacity": "#ed8b00"}
LABELS = {
    "separate": "separate lists",
    "pooled": "pooled lists",
    "pooled_plus_capacity": "pooled + shared sessions",
}


def _svg(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def lines_by_scenario(
    weeks: Sequence[int], series: Mapping[str, Sequence[float]], ylabel: str, title: str
) -> str:
    """One line per scenario over the weeks of the run."""
    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    for scenario, values in series.items():
        ax.plot(weeks, values, color=COLOURS[scenario], linewidth=2, label=LABELS[scenario])
    ax.set_xlabel("week")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _svg(fig)


def bars_by_trust(
    trusts: Sequence[str], series: Mapping[str, Sequence[float]], ylabel: str, title: str
) -> str:
    """Grouped bars: one group per trust, one bar per scenario."""
    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(series))
    for k, (scenario, values) in enumerate(series.items()):
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(trusts))]
        ax.bar(xs, values, width=width, color=COLOURS[scenario], label=LABELS[scenario])
    ax.set_xticks(range(len(trusts)), labels=list(trusts))
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(frameon=False, fontsize=8)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return _svg(fig)
