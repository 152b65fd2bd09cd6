"""Run a find-and-treat programme on a store: counts → ambitions → targeting → impact → outputs.

Why a module of its own: `joinedup run` and `joinedup demo` (and any script) share exactly one
path from a loaded store to practices.csv, summary.json and report.html, so the CLI stays thin
and the Python API is the same thing the CLI does.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from joinedup import __version__
from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import PublicationPolicy, output_note
from joinedup.domain.impact import impact_model_for
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme
from joinedup.domain.targeting import LEVELS, Plan, TargetingPolicy, plan
from joinedup.engines.breakdowns import breakdown_counts
from joinedup.engines.measures import practice_counts
from joinedup.engines.tables import has_table
from joinedup.outputs.breakdowns import (
    breakdown_table,
    pcn_need_rows,
    practice_deprivation_counts,
    report_series,
    write_breakdowns,
    write_pcn_need,
)
from joinedup.outputs.publication import publish_practices, publish_rollups, publish_summary
from joinedup.outputs.report import ReportInputs, write_report
from joinedup.outputs.tables import (
    practice_frame,
    write_practice_table,
    write_rollups,
    write_summary,
)
from joinedup.programmes import load_parameters, load_programme
from joinedup.store import ibis_connect

Progress = Callable[[str], None]


class RunError(ValueError):
    """A problem with the run's inputs (store, willing list, options), named for the user."""


@dataclass(frozen=True)
class RunOptions:
    """Everything a programme run needs besides the store; defaults come from the programme."""

    programme: str = "af"
    reference_date: date | None = None
    detect: float | None = None
    treat: float | None = None
    combined: float | None = None
    willing_file: Path | None = None
    wave_size: int = 10
    max_waves: int | None = None
    parameters_dir: Path | None = None
    publish: PublicationPolicy | None = None  # None: exact working outputs, not for publication
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
    options = options or RunOptions()
    say = progress or (lambda _message: None)
    programme = load_programme(options.programme)
    parameters = load_parameters(programme, options.parameters_dir)
    ambition = ambition_from(programme.ambitions, options.detect, options.treat, options.combined)
    willing = read_willing(options.willing_file) if options.willing_file else None

    con = ibis_connect(db_path)  # a StoreError names the path when it holds no usable store
    try:
        reference_date = options.reference_date or latest_record_date(con)
        say(f"computing {programme.title} measures at {reference_date}")
        counts, inputs = store_counts(con, programme, reference_date, parameters)
        names = _organisation_names(con)
        say("breaking the measures down by deprivation, ethnicity, age and sex")
        breakdowns = (
            breakdown_counts(con, programme, reference_date, parameters)
            if has_table(con, "patients") else []
        )
        series = None
        if options.trend_periods:
            from joinedup.progress import measure_series, period_ends  # it builds on this module

            say(f"measuring {options.trend_periods} quarters for the trend")
            ends = period_ends(reference_date, count=options.trend_periods)
            series = measure_series(con, programme, parameters, ends, ambition, names=names)
    finally:
        con.disconnect()
    if not counts:
        raise RunError(f"{db_path}: no practices with registered patients at {reference_date}")

    say(f"ranking {len(counts)} practices and sizing the prize")
    policy = TargetingPolicy(wave_size=options.wave_size, max_waves=options.max_waves,
                             willing=willing)
    impact = impact_model_for(programme.impact_model, parameters)
    result = plan(counts, ambition, policy, impact)

    say(f"writing outputs to {out_dir}")
    summary = build_summary(result, programme.name, reference_date, names, parameters.label)
    summary["inputs"] = inputs
    practices = [row.as_row(extended=True) for row in result.practices]
    rollups = rollup_rows(result, names)
    exact = dict(summary)
    if options.publish is not None:
        practices = publish_practices(practices, options.publish)
        rollups = publish_rollups(rollups, options.publish)
        summary = publish_summary(summary, options.publish)
    note = output_note(options.publish)
    files = write_practice_table(practice_frame(practices), out_dir, note=note)
    files.append(write_rollups(rollups, out_dir))
    # Aggregate stores have no patients: the practice's own deprivation quintile stands in.
    breakdowns += practice_deprivation_counts(counts)
    totals = {k: exact[k] for k in ("list_size", "expected", "recorded", "eligible", "treated",
                                    "exceptions")}
    files += write_breakdowns(breakdowns, out_dir, options.publish, totals=totals)
    files.append(write_pcn_need(pcn_need_rows(result, names=names), out_dir, options.publish))
    trend_svg = None
    if series is not None:
        from joinedup.progress import trend_chart, write_progress

        files += write_progress(series, out_dir, options.publish)
        trend_svg = trend_chart(series)
    files.append(write_summary(summary, out_dir))
    report = ReportInputs(
        practices=practices, rollups=rollups, summary=summary, names=names, ambition=ambition,
        wave_size=options.wave_size, publish=options.publish,
        inequalities=report_series(breakdown_table(breakdowns, options.publish)),
        trend_svg=trend_svg,
    )
    files.append(write_report(report, out_dir, programme, parameters))
    return RunResult(plan=result, reference_date=reference_date, summary=summary, files=files)


def store_counts(
    con: Any, programme: Programme, reference_date: date, parameters: ParameterSet
) -> tuple[list[PracticeCounts], dict[str, Any]]:
    """The practice counts from whichever kind of data the store holds, and notes on the inputs.

    The one place that knows the kinds of store: patient-level records are measured by the
    engine; a store of published aggregates (QOF, CVDPREVENT) is read by its own source module,
    whose notes say which age structure the expected model used and which measures were missing.
    Everything after this point is the same for both.
    """
    if has_table(con, "patients"):
        notes = {"data_source": "patient-level records", "age_structure": "single year of age"}
        return practice_counts(con, programme, reference_date, parameters), notes
    from joinedup.sources.qof import counts as aggregates  # only aggregate stores need it

    if aggregates.is_aggregate_store(con):
        try:
            return aggregates.practice_counts(con, programme, reference_date, parameters)
        except aggregates.AggregateStoreError as exc:
            raise RunError(str(exc)) from None
    raise RunError(
        "the store holds neither patient-level data (no patients table) nor published "
        "aggregates; use `joinedup load` or `joinedup import qof` first"
    )


def build_summary(
    result: Plan, programme: str, reference_date: date, names: dict[str, str],
    parameters_label: str,
) -> dict[str, Any]:
    """summary.json: footprint totals, ambitions, waves and provenance."""
    totals = result.summary().as_dict()
    ics_codes = sorted({p.counts.ics_code for p in result.practices if p.counts.ics_code})
    return {
        "programme": programme,
        "period_end": reference_date.isoformat(),
        "footprint": ", ".join(names.get(c, c) for c in ics_codes) or "footprint",
        "practices": totals["practices"],
        "list_size": totals["list_size"],
        "expected": totals["expected"],
        "recorded": totals["recorded"],
        "eligible": totals["eligible"],
        "treated": totals["treated"],
        "exceptions": totals["exceptions"],
        "detection_rate": totals["detection_rate"],
        "treatment_rate": totals["treatment_rate"],
        "to_find": totals["to_find"],
        # Unknown, not 0, when no practice's treatment counts are known (aggregate inputs).
        "to_treat": None
        if totals["practices_unknown_to_treat"] == totals["practices"]
        else totals["to_treat"],
        "strokes_prevented_per_year": totals["strokes_prevented_per_year"],
        "deaths_avoided_per_year": totals["deaths_avoided_per_year"],
        "savings_gbp_per_year": totals["savings_gbp_per_year"],
        "savings_gbp_five_year": totals["savings_gbp_five_year"],
        **_optional_impact(result),
        "ambition": result.ambition.as_dict(),
        "willing_practices": totals["willing_practices"],
        "planned_practices": totals["planned_practices"],
        "waves": [
            {
                "wave": w.wave,
                "practices": list(w.practice_codes),
                "to_find": w.to_find,
                "to_treat": w.to_treat,
                "share_of_footprint": w.share_of_footprint,
                "cumulative_share": w.cumulative_share,
                "strokes_prevented_per_year": (
                    w.impact.strokes_prevented_per_year if w.impact else None
                ),
                "savings_gbp_per_year": w.impact.savings_gbp_per_year if w.impact else None,
            }
            for w in result.waves
        ],
        "parameters_version": result.parameters_version,
        "parameters": parameters_label,
        "joinedup_version": __version__,
        "publication": output_note(None),
    }


def rollup_rows(result: Plan, names: dict[str, str]) -> list[dict[str, Any]]:
    """Every PCN, sub-ICB, place and ICS with its summed counts, named."""
    rows = []
    for level in LEVELS:
        for rollup in result.roll_up(level):
            row = rollup.as_dict()
            row["name"] = names.get(rollup.code or "", "")
            rows.append(row)
    return rows


def _optional_impact(result: Plan) -> dict[str, Any]:
    """Impact figures only some programmes' models give (hypertension: heart attacks)."""
    heart = [p.impact.heart_attacks_prevented_per_year for p in result.practices
             if p.impact is not None and p.impact.heart_attacks_prevented_per_year is not None]
    return {"heart_attacks_prevented_per_year": sum(heart)} if heart else {}


def read_willing(path: Path) -> frozenset[str]:
    """Practice codes from a CSV: a `practice_code` column, or one code per line with no header."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RunError(f"{path}: cannot read the willing list ({exc.strerror})") from None
    rows = [r for r in csv.reader(text.splitlines()) if r and any(c.strip() for c in r)]
    if not rows:
        raise RunError(f"{path}: the willing list is empty")
    header = [c.strip().lower() for c in rows[0]]
    column = header.index("practice_code") if "practice_code" in header else None
    body = rows[1:] if column is not None else rows
    codes: list[str] = []
    for line_no, row in enumerate(body, start=2 if column is not None else 1):
        code = row[column or 0].strip().upper() if len(row) > (column or 0) else ""
        if not code.isalnum():
            raise RunError(f"{path}: line {line_no}, field practice_code: {code!r} is not a code")
        codes.append(code)
    return frozenset(codes)


def ambition_from(
    defaults: Any, detect: float | None, treat: float | None, combined: float | None
) -> Ambition:
    """The ambition asked for, falling back to the programme's defaults for what was not."""
    try:
        if combined is not None:
            return Ambition.identified_and_managed(combined)
        return Ambition(
            detect=detect if detect is not None else defaults.detect,
            treat=treat if treat is not None else defaults.treat,
        )
    except ValueError as exc:  # the domain's message says which ambition and why
        raise RunError(str(exc)) from None


def latest_record_date(con: Any) -> date:
    """The data's extract date: the latest dated record, so a default run sees current data.

    For a store of published aggregates it is the end of the period they describe.
    """
    from joinedup.sources.qof.counts import aggregate_period_end

    if (end := aggregate_period_end(con)) is not None:
        return end
    latest: list[date] = []
    for table in ("clinical_events", "medications"):
        if has_table(con, table):
            value = con.table(table).date.max().execute()
            if value is not None:
                latest.append(value.date() if hasattr(value, "date") else value)
    if not latest:
        raise RunError("the store holds no dated records; pass --date")
    return max(latest)


def _organisation_names(con: Any) -> dict[str, str]:
    orgs = con.table("organisations").select("org_code", "name").execute()
    return dict(zip(orgs["org_code"], orgs["name"], strict=True))
