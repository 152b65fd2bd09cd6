"""report.html: one self-contained page a programme board would read.

Why self-contained: board papers are opened offline and on locked-down machines, so the page
carries its own styles and inline SVG charts and fetches nothing from the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from joinedup import __version__
from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme
from joinedup.outputs import charts
from joinedup.outputs.chart_series import ChartSeries

TOP_PRACTICES = 20
CHART_ROWS = 25
"""Bars a chart draws before the rest are grouped into one "others" bar: a chart of 1,250 PCNs
is neither readable nor quick to draw, and every row is still in the table beside it."""

_ENV = Environment(
    loader=PackageLoader("joinedup.outputs", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class ReportInputs:
    """What the report shows, as rows: exact for analysts, or already published (`--publish`).

    The report reads only these rows (never the exact plan) so a published report cannot show
    a figure the published tables suppressed.
    """

    practices: Sequence[Mapping[str, Any]]  # practices.csv rows, in rank order
    rollups: Sequence[Mapping[str, Any]]  # rollups.csv rows (level, code, name, counts, rates)
    summary: Mapping[str, Any]
    names: Mapping[str, str]
    ambition: Ambition
    wave_size: int
    publish: PublicationPolicy | None = None
    inequalities: Sequence[tuple[str, str, ChartSeries]] = ()  # (dimension, measure, series)
    trend_svg: str | None = None  # footprint rates over time against the ambition


def write_report(
    inputs: ReportInputs, out_dir: Path, programme: Programme, parameters: ParameterSet
) -> Path:
    path = Path(out_dir) / "report.html"
    path.write_text(render_report(inputs, programme, parameters), encoding="utf-8")
    return path


def render_report(inputs: ReportInputs, programme: Programme, parameters: ParameterSet) -> str:
    title = programme.title
    summary, names, ambition = inputs.summary, inputs.names, inputs.ambition
    places = _level(inputs.rollups, "place")
    pcns = _level(inputs.rollups, "pcn")
    willing = [p for p in inputs.practices if p["willing"]]
    shares = _pareto_shares(inputs.practices)
    context = {
        "title": f"{title}: find and treat",
        "footprint": summary["footprint"],
        "period_end": summary["period_end"],
        "practices_count": summary["practices"],
        "ambition_text": _ambition_text(ambition.as_dict(), title.lower()),
        "publish": inputs.publish is not None,
        "suppress_max": inputs.publish.threshold if inputs.publish else None,
        "round_to": inputs.publish.rounding_base if inputs.publish else None,
        "tiles": _tiles(summary, programme),
        "headline_note": (
            "The prize is what reaching the ambition in every practice is worth each year: events "
            "prevented by finding and treating more patients, deaths avoided and health and social "
            "care costs saved in the first year after each event avoided (docs/impact.md)."
        ),
        "pareto_text": _pareto_text(shares, inputs.wave_size, len(inputs.practices)),
        "pareto_svg": charts.pareto_curve(shares, inputs.wave_size),
        "top_practices": [
            {
                "rank": p["rank"],
                "practice_name": p["practice_name"],
                "practice_code": p["practice_code"],
                "pcn": names.get(p["pcn_code"] or "", p["pcn_code"] or ""),
                "place": names.get(p["place_code"] or "", p["place_code"] or ""),
                "wave": p["wave"] or "",
                "to_find": _int(p["to_find"]),
                "to_treat": _int(p["to_treat"]),
                "detection_rate": _pct(p["detection_rate"]),
                "treatment_rate": _pct(p["treatment_rate"]),
                "strokes": _num(p["strokes_prevented_per_year"], 1),
            }
            for p in willing[:TOP_PRACTICES]
        ],
        "waves": [
            {
                "wave": w["wave"],
                "practices": len(w["practices"]),
                "to_find": _int(w["to_find"]),
                "to_treat": _int(w["to_treat"]),
                "share": _pct(w["share_of_footprint"]),
                "strokes": _num(w["strokes_prevented_per_year"], 1),
                "savings": _money(w.get("savings_gbp_per_year")),
            }
            for w in summary.get("waves", [])
        ],
        "places": [_group_row(r) for r in places],
        "place_gap_svg": _gap_bars(places, "Patients to find and to treat"),
        "place_rate_svg": charts.rate_bars(
            [r["name"] for r in places[:CHART_ROWS]],
            [r["detection_rate"] for r in places[:CHART_ROWS]],
            None if ambition.is_combined else ambition.detect,
            "Detection rate" + _of_top(len(places)),
        ),
        "pcn_gap_svg": _gap_bars(pcns, "Patients to find and to treat, by PCN"),
        "trend_svg": inputs.trend_svg,
        "inequality_svgs": [
            charts.inequality_bars(
                series.groups, series.rates, series.lows, series.highs,
                f"{_MEASURE_LABELS.get(measure, measure)} by {_DIMENSION_LABELS.get(dim, dim)}",
            )
            for dim, measure, series in inputs.inequalities
        ],
        "method": _method(summary, programme, parameters),
        "version": __version__,
        "parameters_version": summary["parameters"],
    }
    return _ENV.get_template("report.html.j2").render(**context)


_DIMENSION_LABELS = {
    "imd_quintile": "deprivation quintile of the patient's area (1 = most deprived)",
    "practice_imd_quintile": "the practice's deprivation quintile (1 = most deprived)",
    "ethnicity": "ethnic group",
}
_MEASURE_LABELS = {"detection": "Detection rate", "treatment": "Treated share"}


def _gap_bars(rows: Sequence[Mapping[str, Any]], title: str) -> str:
    """Stacked gap bars for the largest CHART_ROWS rows, the rest summed into one bar."""
    shown, rest = list(rows[:CHART_ROWS]), rows[CHART_ROWS:]
    labels = [r["name"] or r["code"] or "unassigned" for r in shown]
    to_find = [r["to_find"] or 0 for r in shown]
    to_treat = [r["to_treat"] or 0 for r in shown]
    if rest:
        labels.append(f"{len(rest):,} others")
        to_find.append(sum(r["to_find"] or 0 for r in rest))
        to_treat.append(sum(r["to_treat"] or 0 for r in rest))
    return charts.find_and_treat_bars(labels, to_find, to_treat, title)


def _of_top(count: int) -> str:
    return f" (the {CHART_ROWS} with the largest gaps of {count:,})" if count > CHART_ROWS else ""


def _level(rollups: Sequence[Mapping[str, Any]], level: str) -> list[Mapping[str, Any]]:
    rows = [r for r in rollups if r["level"] == level]
    return sorted(rows, key=lambda r: -((r["to_find"] or 0) + (r["to_treat"] or 0)))


def _pareto_shares(practices: Sequence[Mapping[str, Any]]) -> list[float]:
    """Cumulative share of the whole gap held by the top k willing practices (rank order)."""
    total = sum(p["opportunity"] or 0 for p in practices)
    shares, running = [], 0.0
    for p in practices:
        if p["willing"] and (p["opportunity"] or 0) > 0:
            running += p["opportunity"]
            shares.append(running / total)
    return shares


def _tiles(summary: Mapping[str, Any], programme: Programme) -> list[dict[str, Any]]:
    condition = programme.title.lower()
    tiles: list[dict[str, Any]] = [
        {"value": _int(summary["expected"]), "label": f"people expected to have {condition}"},
        {"value": _int(summary["recorded"]),
         "label": f"on the register ({_pct(summary['detection_rate'])} detected)"},
        {"value": _int(summary["treated"]),
         "label": f"of {_int(summary['eligible'])} eligible treated "
                  f"({_pct(summary['treatment_rate'])})"},
        {"value": _int(summary["to_find"]), "label": "still to find to reach the ambition"},
        {"value": _int(summary["to_treat"]), "label": "still to treat to reach the ambition"},
        {"value": _num(summary["strokes_prevented_per_year"], 0), "prize": True,
         "label": "strokes prevented a year"},
        {"value": _num(summary["deaths_avoided_per_year"], 0), "prize": True,
         "label": "deaths avoided a year"},
        {"value": _money(summary["savings_gbp_per_year"]), "prize": True,
         "label": "saved a year in health and social care"},
    ]
    if summary.get("heart_attacks_prevented_per_year") is not None:
        tiles.insert(6, {"value": _num(summary["heart_attacks_prevented_per_year"], 0),
                         "prize": True, "label": "heart attacks prevented a year"})
    return tiles


def _pareto_text(shares: list[float], wave_size: int, practices: int) -> str:
    if not shares:
        return "No willing practice has patients to find or treat."
    k = min(wave_size, len(shares))
    half = next((i + 1 for i, s in enumerate(shares) if s >= 0.5), None)
    text = f"The top {k} willing practices hold {shares[k - 1]:.0%} of the whole gap"
    if half is not None:
        text += f"; {half} willing practices hold half of it"
    return text + f" (of {practices} practices in the footprint)."


def _group_row(row: Mapping[str, Any]) -> dict[str, str]:
    return {
        "name": row["name"] or row["code"] or "unassigned",
        "expected": _int(row["expected"]),
        "recorded": _int(row["recorded"]),
        "detection_rate": _pct(row["detection_rate"]),
        "eligible": _int(row["eligible"]),
        "treated": _int(row["treated"]),
        "treatment_rate": _pct(row["treatment_rate"]),
        "to_find": _int(row["to_find"]),
        "to_treat": _int(row["to_treat"]),
    }


def _method(
    summary: Mapping[str, Any], programme: Programme, parameters: ParameterSet
) -> list[str]:
    sources = sorted({row["source"] for table in parameters.tables.values() for row in table})
    inputs = summary.get("inputs") or {}
    notes = [
        f"Inputs: {inputs.get('data_source', 'unknown')}; the expected model used "
        f"{inputs.get('age_structure', 'an unknown age structure')}."
    ]
    notes += [
        f"Missing: {m['measure']} for {m['practices']} practices ({m['reason']}); the parts "
        "that need it are left blank, the rest still run."
        for m in inputs.get("missing_measures", [])
    ]
    eligible = f"Eligible: {programme.eligibility.definition}."
    if summary.get("to_assess") is not None:
        eligible += f" To assess: {summary['to_assess']:,}."
    rule = summary.get("treated_rule") or programme.treated.versions[-1].label
    return [
        *notes,
        " ".join(programme.description.split()),
        eligible,
        f"Treated: {rule}, the rule in force at the period end"
        + (" (the rule changes by QOF year; progress.json names it per period)."
           if len(programme.treated.versions) > 1 else "."),
        f"Expected: the age- and sex-specific prevalence table "
        f"'{programme.expected_prevalence}' applied to each practice's registered patients.",
        "Targeting ranks practices by the absolute number of patients to find plus to treat, "
        "ignoring sub-ICB and place boundaries; only willing practices are planned into waves.",
        "Patients who opted out of secondary use (national data opt-out) are not counted.",
        f"Period end {summary['period_end']}; parameter set {summary['parameters']}; "
        f"its figures are cited to: {'; '.join(sources)}.",
    ]


def _ambition_text(ambition: Mapping[str, Any], condition: str) -> str:
    if ambition.get("combined") is not None:
        return f"{ambition['combined']:.0%} of expected patients identified and managed"
    return (
        f"{ambition['detect']:.0%} of expected {condition} detected, "
        f"{ambition['treat']:.0%} of eligible treated"
    )


def _int(value: float | None) -> str:
    return "–" if value is None else f"{round(value):,}"


def _num(value: float | None, places: int) -> str:
    return "–" if value is None else f"{value:,.{places}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _money(value: float | None) -> str:
    if value is None:
        return "–"
    return f"£{value / 1e6:,.1f}m" if value >= 1e6 else f"£{value:,.0f}"
