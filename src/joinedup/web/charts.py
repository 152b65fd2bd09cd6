"""Vega-Lite specifications of the dashboard's charts, each drawn from the rows its table shows.

Why here: a chart is a way of rendering rows a page already has, so it belongs with the other
rendering. Each spec carries its data inline, so the browser draws it with vega-embed (served
from our own origin, under our Content-Security-Policy: the interpreter, not `eval`) and fetches
nothing. Every chart has its table beside it on the page: the table is what a reader without
JavaScript, or with a screen reader, reads, and the chart can never show a figure the table
hides (suppressed values are simply absent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
NHS_BLUE = "#005eb8"
NHS_DARK_GREY = "#425563"
NHS_WARM_YELLOW = "#ffb81c"
WIDTH = 560


def _base(title: str, description: str) -> dict[str, Any]:
    # `aria: false` (here for axes and legends, on each mark for the marks) hides the drawing
    # from assistive technology, which reads the table beside it instead.
    return {"$schema": SCHEMA, "title": title, "description": description, "width": WIDTH,
            "height": 260, "config": {"font": "Frutiger W01, Arial, sans-serif", "aria": False}}


def pareto(points: Sequence[Mapping[str, Any]], wave_size: int) -> dict[str, Any]:
    """Cumulative share of the footprint's gap held by the top k willing practices."""
    values = [{"practices": p["k"], "share": p["cumulative_share"],
               "practice": f"{p['practice_name']} ({p['practice_code']})"} for p in points]
    spec = _base("Share of the gap held by the top practices",
                 "Line chart: cumulative share of the footprint's patients to find and treat "
                 "held by the top willing practices in rank order.")
    waves = [{"practices": k} for k in range(wave_size, len(values) + 1, wave_size)]
    spec["layer"] = [
        {"data": {"values": values}, "mark": {"type": "line", "color": NHS_BLUE, "aria": False,
                                              "point": {"filled": True, "size": 20, "aria": False}},
         "encoding": {
             "x": {"field": "practices", "type": "quantitative",
                   "title": "Practices supported (in rank order)",
                   "axis": {"format": "d", "tickMinStep": 1}},
             "y": {"field": "share", "type": "quantitative", "title": "Share of the gap",
                   "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}},
             "tooltip": [{"field": "practices", "title": "Top practices"},
                         {"field": "share", "format": ".1%", "title": "Share of the gap"},
                         {"field": "practice", "title": "Last added"}]}},
            ]
    if waves:
        spec["layer"].append(
            {"data": {"values": waves}, "mark": {"type": "rule", "color": NHS_DARK_GREY,
                                                 "strokeDash": [4, 4], "aria": False},
             "encoding": {"x": {"field": "practices", "type": "quantitative"}}})
    return spec


def inequality(dimension: str, measure: str, groups: Sequence[str],
               rates: Sequence[float | None], lows: Sequence[float | None],
               highs: Sequence[float | None]) -> dict[str, Any]:
    """A measure by the groups of one dimension, with 95% intervals where there are any."""
    values = [{"group": g, "rate": r, "low": lo, "high": hi}
              for g, r, lo, hi in zip(groups, rates, lows, highs, strict=True) if r is not None]
    label = measure.capitalize()
    spec = _base(f"{label} by {dimension_label(dimension)}",
                 f"Bar chart: {measure} rate for each {dimension_label(dimension)} group"
                 + (", with 95% Wilson intervals." if measure == "treatment" else "."))
    order = list(groups)
    x = {"field": "group", "type": "ordinal", "sort": order,
         "title": dimension_label(dimension).capitalize(), "axis": {"labelAngle": 0}}
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "bar", "color": NHS_BLUE, "aria": False},
         "encoding": {"x": x, "y": {"field": "rate", "type": "quantitative", "title": label,
                                    "axis": {"format": ".0%"}},
                      "tooltip": [{"field": "group", "title": "Group"},
                                  {"field": "rate", "format": ".1%", "title": label}]}},
    ]
    if any(v["low"] is not None for v in values):
        layers.append({"mark": {"type": "rule", "color": NHS_DARK_GREY, "aria": False},
                       "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"},
                                    "y2": {"field": "high"}}})
    spec["data"] = {"values": values}
    spec["layer"] = layers
    return spec


def trend(rows: Sequence[Mapping[str, Any]], ambitions: Mapping[str, float]) -> dict[str, Any]:
    """The footprint's detection and treatment rates at each period end, against the ambition."""
    names = {"detection_rate": "Detection", "treatment_rate": "Treatment",
             "managed_share": "Identified and managed"}
    values = [{"period": r["period_end"], "series": names[k], "rate": r[k]}
              for r in rows for k in ("detection_rate", "treatment_rate")
              if r.get(k) is not None]
    goals = [{"series": names.get(k, k), "ambition": v} for k, v in ambitions.items()]
    spec = _base("Footprint progress against the ambition",
                 "Line chart: the footprint's detection and treatment rates at each quarter "
                 "end, with the ambition for each as a dashed line.")
    colour = {"field": "series", "type": "nominal", "title": "Measure",
              "scale": {"range": [NHS_BLUE, NHS_WARM_YELLOW, NHS_DARK_GREY]}}
    spec["layer"] = [
        {"data": {"values": values}, "mark": {"type": "line", "aria": False,
                                                                "point": {"aria": False}},
         "encoding": {"x": {"field": "period", "type": "ordinal", "title": "Quarter ending"},
                      "y": {"field": "rate", "type": "quantitative", "title": "Rate",
                            "axis": {"format": ".0%"}},
                      "color": colour,
                      "tooltip": [{"field": "series"}, {"field": "period"},
                                  {"field": "rate", "format": ".1%"}]}},
        {"data": {"values": goals}, "mark": {"type": "rule", "strokeDash": [6, 4],
                                             "aria": False},
         "encoding": {"y": {"field": "ambition", "type": "quantitative"}, "color": colour}},
    ]
    return spec


def dimension_label(dimension: str) -> str:
    return {"imd_quintile": "deprivation quintile (patients' IMD)",
            "practice_imd_quintile": "deprivation quintile (practice IMD)",
            "ethnicity": "ethnic group", "age_band": "age band", "sex": "sex"}.get(
                dimension, dimension.replace("_", " "))
