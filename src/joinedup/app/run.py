"""Run a find-and-treat programme on a store: counts → ambitions → targeting → impact → outputs.

Why here: `joinedup run`, `joinedup demo`, the dashboard and any script share exactly one path
from a store to practices.csv, summary.json and report.html, so every surface stays thin and the
Python API is the same thing the CLI does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from joinedup.app.programme import ProgrammeRequest, ProgrammeSetup
from joinedup.app.store import StoreOpenError, open_store
from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import output_note
from joinedup.domain.inequality import practice_deprivation_counts
from joinedup.domain.publication import Derivation, RunTables, publish_run
from joinedup.domain.targeting import Plan, TargetingPolicy, plan
from joinedup.outputs.breakdowns import breakdown_rows, check_breakdown_totals, write_breakdowns
from joinedup.outputs.chart_series import report_series
from joinedup.outputs.pcn_need import pcn_need_rows, write_pcn_need
from joinedup.outputs.progress import write_progress_files
from joinedup.outputs.report import ReportInputs, write_report
from joinedup.outputs.summary import build_summary, rollup_rows
from joinedup.outputs.tables import (
    practice_frame,
    write_practice_table,
    write_rollups,
    write_summary,
)
from joinedup.sources.willing import read_willing

Progress = Callable[[str], None]
TOTALS = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions")
"""The footprint totals every breakdown dimension must add up to."""


@dataclass(frozen=True)
class RunOptions(ProgrammeRequest):
    """Everything a programme run needs besides the store; defaults come from the programme."""

    reference_date: date | None = None
    willing_file: Path | None = None
    wave_size: int = 10
    max_waves: int | None = None
    trend_periods: int | None = None  # also measure this many quarters up to the date (trends)


@dataclass(frozen=True)
class RunResult:
    plan: Plan
    reference_date: date
    summary: dict[str, Any]
    files: list[Path] = field(default_factory=list)

    @property
    def report_path(self) -> Path:
        return next(p for p in self.files if p.name == "report.html")


def run_programme(
    db_path: Path, out_dir: Path, options: RunOptions | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Compute, plan and write a programme's outputs for the footprint in `db_path`."""
    from joinedup.app.progress import measure_series, progress_outputs

    options = options or RunOptions()
    say = progress or (lambda _message: None)
    setup = ProgrammeSetup.load(options.programme, options.parameters_dir)
    programme = setup.programme
    ambition = setup.ambition(options.ambition)
    willing = read_willing(options.willing_file) if options.willing_file else None

    with open_store(db_path) as store:
        reference_date = store.reference_date(options.reference_date)
        say(f"computing {programme.title} measures at {reference_date}")
        counts, inputs = store.kind.practice_counts(
            store.con, programme, reference_date, setup.parameters, setup.codelists
        )
        names = store.organisation_names()
        say("breaking the measures down by deprivation, ethnicity, age and sex")
        breakdowns = store.kind.breakdown_counts(
            store.con, programme, reference_date, setup.parameters, setup.codelists
        )
        series = None
        if options.trend_periods:
            from joinedup.domain.progress import period_ends

            say(f"measuring {options.trend_periods} quarters for the trend")
            ends = period_ends(reference_date, count=options.trend_periods)
            series = measure_series(store, setup, ends, ambition, names=names)
    if not counts:
        raise StoreOpenError(
            f"{db_path}: no practices with registered patients at {reference_date}"
        )

    say(f"ranking {len(counts)} practices and sizing the prize")
    policy = TargetingPolicy(wave_size=options.wave_size, max_waves=options.max_waves,
                             willing=willing)
    result = plan(counts, ambition, policy, setup.impact)

    say(f"writing outputs to {out_dir}")
    summary = build_summary(result, programme.name, reference_date, names, setup.parameters.label)
    summary["inputs"] = inputs
    summary["eligible_definition"] = programme.eligibility.definition
    summary["treated_rule"] = programme.treated.at(reference_date).label
    # Every store has the practices' own deprivation quintile; aggregate stores nothing finer.
    breakdowns += practice_deprivation_counts(counts)
    check_breakdown_totals(breakdowns, {k: summary[k] for k in TOTALS})
    tables = RunTables(
        practices=[row.as_row(extended=True) for row in result.practices],
        rollups=rollup_rows(result, names),
        summary=summary,
        breakdowns=breakdowns,
        pcn_need=pcn_need_rows(result, names=names),
        progress=series.rows() if series is not None else [],
    )
    if options.publish is not None:
        derivation = Derivation(policy.weight_find, policy.weight_treat,
                                _impact_columns(setup, ambition))
        tables = publish_run(tables, options.publish, derivation)
    summary = tables.summary
    note = output_note(options.publish)
    files = write_practice_table(practice_frame(tables.practices), out_dir, note=note)
    files.append(write_rollups(tables.rollups, out_dir))
    files += write_breakdowns(tables.breakdowns, out_dir, note)
    files.append(write_pcn_need(tables.pcn_need, out_dir, note))
    trend_svg = None
    if series is not None:
        rows, changes, trend_svg, about = progress_outputs(series, tables.progress, note)
        files += write_progress_files(out_dir, rows, changes, trend_svg, about)
    files.append(write_summary(summary, out_dir))
    report = ReportInputs(
        practices=tables.practices, rollups=tables.rollups, summary=summary, names=names,
        ambition=ambition, wave_size=options.wave_size, publish=options.publish,
        inequalities=report_series(breakdown_rows(tables.breakdowns)),
        trend_svg=trend_svg,
    )
    files.append(write_report(report, out_dir, programme, setup.parameters))
    return RunResult(plan=result, reference_date=reference_date, summary=summary, files=files)


def _impact_columns(
    setup: ProgrammeSetup, ambition: Ambition
) -> Callable[[int, int], dict[str, float | None]]:
    """The programme's impact model as publication recomputes it from published gaps."""

    def columns(to_treat: int, to_find: int) -> dict[str, float | None]:
        impact = setup.impact.for_additional(to_treat, to_find, ambition)
        return {
            "strokes_prevented_per_year": impact.strokes_prevented_per_year,
            "deaths_avoided_per_year": impact.deaths_avoided_per_year,
            "savings_gbp_per_year": impact.savings_gbp_per_year,
            "savings_gbp_five_year": impact.savings_gbp_five_year,
            "heart_attacks_prevented_per_year": impact.heart_attacks_prevented_per_year,
        }

    return columns
