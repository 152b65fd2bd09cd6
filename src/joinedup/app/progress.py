"""Progress over time: the practice measure table at a series of period ends, against the ambition.

Why here: the partnership's board tracks progress every quarter. The same programme rules are
evaluated at each period end (events after the date ignored, registration and death at the
date), planned with the same ambition, and written as progress.csv, improvers.csv, progress.json
and trend.svg. The rules of periods, series, pace and improvers are pure (`domain.progress`);
this use case measures the store and writes the files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from joinedup import __version__
from joinedup.app.programme import ProgrammeRequest, ProgrammeSetup
from joinedup.app.store import EngineChoice, OpenStore, open_store
from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import output_note
from joinedup.domain.progress import (
    Period,
    ProgressError,
    ProgressSeries,
    footprint_totals,
    improvers,
    paces,
    period_ends,
    trend,
)
from joinedup.domain.publication import publish_progress
from joinedup.domain.targeting import plan
from joinedup.outputs.charts import trend_lines
from joinedup.outputs.progress import write_progress_files

Say = Callable[[str], None]


@dataclass(frozen=True)
class ProgressOptions(ProgrammeRequest):
    """What to measure: the programme, the periods and the ambition (defaults: the programme's)."""

    first: date | None = None
    last: date | None = None
    every: str = "quarter"
    periods: int | None = None
    engine: EngineChoice = field(default_factory=EngineChoice)  # DuckDB unless asked


def measure_series(
    store: OpenStore,
    setup: ProgrammeSetup,
    ends: Sequence[date],
    ambition: Ambition,
    *,
    names: dict[str, str] | None = None,
    say: Say | None = None,
) -> ProgressSeries:
    """The programme's plan at each period end in `ends`, measured on the open `store`.

    Each period is measured by the same rules as `joinedup run` measures one date (all periods
    in one query: `engines.moments`) and planned with the same ambition (and the impact model's
    share of found patients who are eligible), so the last period's counts and gaps equal a run
    at that date. Each period's impact (strokes, deaths, savings) is not worked out: no output
    of a series shows it, and twelve periods' worth was a tenth of `progress`'s time.
    """
    report = say or (lambda _message: None)
    programme, parameters = setup.programme, setup.parameters
    days = sorted(set(ends))
    report(f"measuring {programme.title} at {len(days)} period end(s), {days[0]} to {days[-1]}")
    measured = store.kind.practice_counts_series(
        store.con, programme, days, parameters, setup.codelists
    )
    share = setup.impact.eligible_share_of_found
    periods = []
    for day in days:
        counts, notes = measured[day]
        rule = notes.get("treated_rule") or programme.treated.at(day).label
        periods.append(Period(period_end=day, plan=plan(counts, ambition, eligible_share=share),
                              treated_rule=str(rule)))
    return ProgressSeries(
        programme=programme.name,
        title=programme.title,
        ambition=ambition,
        periods=tuple(periods),
        names=dict(names or {}),
        parameters=parameters.label,
        eligible_share=share,
    )


@dataclass(frozen=True)
class ProgressResult:
    """What `run_progress` measured and wrote; `summary` and `improvers` are as written (so
    published when the options asked for publication)."""

    series: ProgressSeries
    files: list[Path]
    summary: dict[str, Any] = field(default_factory=dict)
    improvers: list[dict[str, Any]] = field(default_factory=list)


def run_progress(
    db_path: Path, out_dir: Path, options: ProgressOptions | None = None, say: Say | None = None
) -> ProgressResult:
    """Measure a programme at each period end in the store at `db_path`; write the outputs."""
    options = options or ProgressOptions()
    setup = ProgrammeSetup.load(options.programme, options.parameters_dir)
    ambition = setup.ambition(options.ambition)
    with open_store(db_path, engine=options.engine) as store:
        last = store.reference_date(options.last, option="the last date with --to")
        ends = period_ends(last, options.every, first=options.first, count=options.periods)
        series = measure_series(store, setup, ends, ambition,
                                names=store.organisation_names(), say=say)
    if not any(p.plan.practices for p in series.periods):
        raise ProgressError(f"{db_path}: no practices with registered patients in any period")
    (say or (lambda _m: None))(f"writing outputs to {out_dir}")
    rows = series.rows()
    if options.publish is not None:
        rows = publish_progress(rows, options.publish)
    rows, changes, chart, summary = progress_outputs(series, rows, output_note(options.publish))
    files = write_progress_files(out_dir, rows, changes, chart, summary)
    return ProgressResult(series=series, files=files, summary=summary, improvers=changes)


def progress_outputs(
    series: ProgressSeries, rows: list[dict[str, Any]], note: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str, dict[str, Any]]:
    """(progress rows, improver rows, trend chart, progress.json) for the rows as shown.

    `rows` are `series.rows()` (exact) or those rows published (`domain.publication`); the
    improvers, trend, pace and chart are computed from them, so no file shows more than they do.
    """
    changes, summary, values = progress_figures(series, rows, note)
    return rows, changes, trend_chart(series, values), summary


def progress_figures(
    series: ProgressSeries, rows: list[dict[str, Any]], note: str
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, list[float | None]]]:
    """(improver rows, progress.json, the footprint's rates by period) from the rows as shown;
    the files and the dashboard both read these."""
    totals = footprint_totals(rows)
    values = trend(totals, series.ambition, series.eligible_share)
    ics = sorted({r["code"] for r in rows if r["level"] == "ics" and r["code"]})
    summary = {
        "programme": series.programme,
        "footprint": ", ".join(series.names.get(c, c) for c in ics) or "footprint",
        "periods": [d.isoformat() for d in series.period_ends],
        "ambition": series.ambition.as_dict(),
        "footprint_trend": {
            "to_find": [t["to_find"] for t in totals],
            "to_treat": [t["to_treat"] for t in totals],
            **values,
        },
        "pace": {name: p.as_dict()
                 for name, p in paces(series.period_ends, values, series.ambition).items()},
        "treated_rule": [p.treated_rule for p in series.periods],
        "treated_rule_changes": series.rule_changes(),
        "parameters": series.parameters,
        "joinedup_version": __version__,
        "publication": note,
    }
    changes = [r.as_dict() for r in improvers(rows)]
    return changes, summary, dict(values)


def trend_chart(
    series: ProgressSeries, values: Mapping[str, list[float | None]] | None = None
) -> str:
    """The footprint's rates at each period end against the ambition, as inline SVG
    (`values` from `trend`, e.g. of published counts; by default the series' exact ones)."""
    return trend_lines(
        [d.isoformat() for d in series.period_ends],
        dict(values if values is not None else series.trend()),
        series.ambitions(),
        f"{series.title}: footprint progress",
    )
