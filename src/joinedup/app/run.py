"""Run a find-and-treat programme on a store: counts → ambitions → targeting → impact → outputs.

Why here: `joinedup run`, `joinedup demo`, the dashboard and any script share exactly one
computation from a store to a programme's tables (`compute_run`), so every surface stays thin and
the Python API is the same thing the CLI does. `run_programme` writes the computation as files
(practices.csv, summary.json, report.html, …); the dashboard (`joinedup.app.dashboard`) keeps it
in memory and shows it, exact or published, as the reader's role allows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joinedup.app.programme import ProgrammeRequest, ProgrammeSetup
from joinedup.app.saved_plans import Targeting, resolve_targeting
from joinedup.app.store import EngineChoice, StoreOpenError, open_store
from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import PublicationPolicy, output_note
from joinedup.domain.inequality import practice_deprivation_counts
from joinedup.domain.publication import Derivation, RunTables, publish_run
from joinedup.domain.targeting import Plan, plan
from joinedup.outputs.alongside import Alongside
from joinedup.outputs.breakdowns import breakdown_rows, check_breakdown_totals, write_breakdowns
from joinedup.outputs.chart_series import report_series
from joinedup.outputs.pcn_need import pcn_need_rows, write_pcn_need
from joinedup.outputs.report import ReportInputs, write_report
from joinedup.outputs.summary import build_summary, rollup_rows
from joinedup.outputs.tables import (
    write_practice_table,
    write_rollups,
    write_summary,
)

if TYPE_CHECKING:
    from joinedup.domain.progress import ProgressSeries

Progress = Callable[[str], None]
TOTALS = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions")
"""The footprint totals every breakdown dimension must add up to."""


@dataclass(frozen=True)
class RunOptions(ProgrammeRequest):
    """Everything a programme run needs besides the store; defaults come from the programme.

    The willing list and waves come from `willing_file` / `willing` and `wave_size` /
    `max_waves` when any of them is given; otherwise from the plan a programme lead saved in the
    dashboard (the operational store `ops`, by default the one beside the store, if it exists)
    when `saved_plan` is on; otherwise every practice is willing, in waves of 10.
    """

    reference_date: date | None = None
    willing_file: Path | None = None
    willing: frozenset[str] | None = None
    wave_size: int | None = None
    max_waves: int | None = None
    trend_periods: int | None = None  # also measure this many quarters up to the date (trends)
    saved_plan: bool = True
    ops: str | None = None
    engine: EngineChoice = field(default_factory=EngineChoice)  # DuckDB unless asked


@dataclass(frozen=True)
class ComputedRun:
    """A programme measured, planned and sized on one store at one date: exact, in memory."""

    setup: ProgrammeSetup
    ambition: Ambition
    targeting: Targeting
    plan: Plan
    reference_date: date
    names: dict[str, str]
    practices: list[dict[str, Any]]
    """The practice table, exact."""
    summary: dict[str, Any]
    breakdowns: list[dict[str, Any]]
    series: ProgressSeries | None = None

    @functools.cached_property
    def exact(self) -> RunTables:
        """Every table of the run, exact. The roll-ups and PCN need are summed when first asked
        for, so that `write_run` can start a national practice table's Excel copy before."""
        return RunTables(
            practices=self.practices,
            rollups=rollup_rows(self.plan, self.names),
            summary=self.summary,
            breakdowns=self.breakdowns,
            pcn_need=pcn_need_rows(self.practices, names=self.names),
            progress=self.series.rows() if self.series is not None else [],
        )

    @property
    def derivation(self) -> Derivation:
        """How publication recomputes derived figures (opportunity, impact) for this run."""
        policy = self.targeting.policy
        return Derivation(policy.weight_find, policy.weight_treat,
                          _impact_columns(self.setup, self.ambition))

    def tables(self, publish: PublicationPolicy | None) -> RunTables:
        """The run's tables as shown: exact (working output) or published under `publish`."""
        if publish is None:
            return self.exact
        return publish_run(self.exact, publish, self.derivation)


@dataclass(frozen=True)
class RunResult:
    plan: Plan
    reference_date: date
    summary: dict[str, Any]
    files: list[Path] = field(default_factory=list)

    @property
    def report_path(self) -> Path:
        return next(p for p in self.files if p.name == "report.html")


def compute_run(
    db_path: Path, options: RunOptions | None = None, progress: Progress | None = None,
    targeting: Targeting | None = None,
) -> ComputedRun:
    """Measure, plan and size a programme for the footprint in `db_path` (nothing written).

    `targeting` (the dashboard's saved plan, already read) replaces `resolve_targeting`.
    """
    from joinedup.app.progress import measure_series

    options = options or RunOptions()
    say = progress or (lambda _message: None)
    setup = ProgrammeSetup.load(options.programme, options.parameters_dir)
    programme = setup.programme
    ambition = setup.ambition(options.ambition)
    targeting = targeting or resolve_targeting(db_path, options)

    with open_store(db_path, engine=options.engine) as store:
        reference_date = store.reference_date(options.reference_date)
        say(f"computing {programme.title} measures at {reference_date}")
        # One pass: the counts and their breakdowns by deprivation, ethnicity, age and sex.
        counts, inputs, breakdowns = store.kind.measure(
            store.con, programme, reference_date, setup.parameters, setup.codelists
        )
        names = store.organisation_names()
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
    targeting = targeting.within({c.practice_code for c in counts})
    result = plan(counts, ambition, targeting.policy, setup.impact)
    summary = build_summary(result, programme.name, reference_date, names, setup.parameters.label)
    summary["inputs"] = inputs
    summary["targeting"] = targeting.as_dict()
    summary["eligible_definition"] = programme.eligibility.definition
    summary["treated_rule"] = programme.treated.at(reference_date).label
    # Every store has the practices' own deprivation quintile; aggregate stores nothing finer.
    breakdowns += practice_deprivation_counts(counts)
    check_breakdown_totals(breakdowns, {k: summary[k] for k in TOTALS})
    practices = [row.as_row(extended=True) for row in result.practices]
    return ComputedRun(setup=setup, ambition=ambition, targeting=targeting, plan=result,
                       reference_date=reference_date, names=names, practices=practices,
                       summary=summary, breakdowns=breakdowns, series=series)


def run_programme(
    db_path: Path, out_dir: Path, options: RunOptions | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Compute, plan and write a programme's outputs for the footprint in `db_path`."""
    options = options or RunOptions()
    say = progress or (lambda _message: None)
    computed = compute_run(db_path, options, say)
    say(f"writing outputs to {out_dir}")
    files, summary = write_run(computed, out_dir, options.publish)
    return RunResult(plan=computed.plan, reference_date=computed.reference_date,
                     summary=summary, files=files)


def write_run(
    computed: ComputedRun, out_dir: Path, publish: PublicationPolicy | None
) -> tuple[list[Path], dict[str, Any]]:
    """Write a computed run's files, exact or published; returns them and the summary written.

    The practice table comes first: exact, it is ready before the other tables are summed
    (`ComputedRun.exact`), so a national table's Excel copy, written by a child process beside
    everything else (`outputs.alongside`), starts as early as it can.
    """
    note = output_note(publish)
    shown = None if publish is None else computed.tables(publish)
    with Alongside() as alongside:
        practices = computed.practices if shown is None else shown.practices
        files = write_practice_table(practices, out_dir, note=note, alongside=alongside)
        tables = shown or computed.exact
        files += _write_files(computed, tables, out_dir, publish, note)
    return files, tables.summary


def _write_files(
    computed: ComputedRun, tables: RunTables, out_dir: Path, publish: PublicationPolicy | None,
    note: str,
) -> list[Path]:
    """Every file but the practice table's."""
    from joinedup.app.progress import progress_outputs

    summary = tables.summary
    files = [write_rollups(tables.rollups, out_dir)]
    files += write_breakdowns(tables.breakdowns, out_dir, note)
    files.append(write_pcn_need(tables.pcn_need, out_dir, note))
    trend_svg = None
    if computed.series is not None:
        from joinedup.outputs.progress import write_progress_files

        rows, changes, trend_svg, about = progress_outputs(computed.series, tables.progress, note)
        files += write_progress_files(out_dir, rows, changes, trend_svg, about)
    files.append(write_summary(summary, out_dir))
    report = ReportInputs(
        practices=tables.practices, rollups=tables.rollups, summary=summary,
        names=computed.names, ambition=computed.ambition,
        wave_size=computed.targeting.policy.wave_size, publish=publish,
        inequalities=report_series(breakdown_rows(tables.breakdowns)),
        trend_svg=trend_svg,
    )
    files.append(write_report(report, out_dir, computed.setup.programme,
                              computed.setup.parameters))
    return files


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
