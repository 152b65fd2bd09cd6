"""report.html for a simulation: tables and SVG charts in one self-contained page.

Why self-contained: like the programme report (``joinedup.outputs.report``), it is read offline
and on locked-down machines, so it carries its own styles and charts and fetches nothing. It shows
the two effects apart: pooling (who waits longest, by trust) and added capacity (list size).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from joinedup import __version__
from joinedup.domain.waitlist.waits import THRESHOLD_WEEKS
from joinedup.waitlist import charts
from joinedup.waitlist.simulation import SCENARIOS

_ENV = Environment(
    loader=PackageLoader("joinedup.waitlist", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _series(frame: pd.DataFrame, column: str) -> tuple[list[int], dict[str, list[float]]]:
    totals = frame.groupby(["scenario", "week"])[column].sum()
    weeks = sorted(frame["week"].unique().tolist())
    return weeks, {s: [float(totals.get((s, w), 0)) for w in weeks] for s in SCENARIOS}


def render(frame: pd.DataFrame, summary: dict[str, Any]) -> str:
    weeks_run = int(summary["weeks"])
    final = frame[frame["week"] == weeks_run]
    trusts = sorted(final["trust_code"].unique().tolist())
    weeks, sizes = _series(frame, "list_size")
    _, over52 = _series(frame, "over_52")
    longest = {
        s: [float(summary[s]["by_trust"][t]["longest_wait_weeks"]) for t in trusts]
        for s in SCENARIOS
    }
    over52_trust = {s: [float(summary[s]["by_trust"][t]["over_52"]) for t in trusts]
                    for s in SCENARIOS}
    start = frame[frame["week"] == 0]
    start_row = {
        "list_size": int(start[start["scenario"] == SCENARIOS[0]]["list_size"].sum()),
        **{f"over_{w}": int(start[start["scenario"] == SCENARIOS[0]][f"over_{w}"].sum())
           for w in THRESHOLD_WEEKS},
    }
    rank = {name: i for i, name in enumerate(SCENARIOS)}
    detail = sorted(
        final.to_dict("records"),
        key=lambda r: (r["trust_code"], r["specialty"], rank[r["scenario"]]),
    )
    template = _ENV.get_template("simulation.html.j2")
    return template.render(
        summary=summary,
        scenarios=SCENARIOS,
        labels=charts.LABELS,
        thresholds=THRESHOLD_WEEKS,
        start=start_row,
        detail=detail,
        version=__version__,
        list_chart=charts.lines_by_scenario(weeks, sizes, "patients waiting", "Total list"),
        over52_chart=charts.lines_by_scenario(
            weeks, over52, "patients", "Waiting more than 52 weeks"
        ),
        longest_chart=charts.bars_by_trust(
            trusts, longest, "weeks", f"Longest wait at week {weeks_run}, by trust"
        ),
        over52_trust_chart=charts.bars_by_trust(
            trusts, over52_trust, "patients", f"Over 52 weeks at week {weeks_run}, by trust"
        ),
    )


def write_report(frame: pd.DataFrame, summary: dict[str, Any], out_dir: Path) -> Path:
    path = out_dir / "report.html"
    path.write_text(render(frame, summary), encoding="utf-8")
    return path
