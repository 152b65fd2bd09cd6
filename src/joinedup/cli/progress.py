"""`joinedup progress PROGRAMME`: the measures at a series of period ends, and who improved most."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from joinedup.cli.errors import fail
from joinedup.domain.codelists import CodelistError
from joinedup.domain.disclosure import DisclosureError, PublicationPolicy
from joinedup.domain.parameters import ParameterError
from joinedup.domain.programme import ProgrammeError
from joinedup.domain.targeting import TargetingError
from joinedup.progress import (
    STEP_MONTHS,
    ProgressError,
    ProgressOptions,
    ProgressResult,
    run_progress,
)
from joinedup.run import RunError

_USER_ERRORS = (
    ProgressError, RunError, ProgrammeError, ParameterError, CodelistError, TargetingError,
    DisclosureError,
)
SHOWN_IMPROVERS = 5


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD",
                                 param_hint=option) from None


def progress(
    programme: Annotated[str, typer.Argument(help="Programme to follow, e.g. af.")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB store made by `joinedup load`.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for progress.csv, improvers.csv, "
                                                   "trend.svg and progress.json.")],
    first: Annotated[str | None, typer.Option(
        "--from", metavar="YYYY-MM-DD",
        help="Earliest period end (default: as many periods back as --periods).",
    )] = None,
    last: Annotated[str | None, typer.Option(
        "--to", metavar="YYYY-MM-DD",
        help="Last period end (default: the latest record in the store).",
    )] = None,
    every: Annotated[str, typer.Option(
        "--every", help=f"Period length: {' or '.join(STEP_MONTHS)}.",
    )] = "quarter",
    periods: Annotated[int | None, typer.Option(
        "--periods", min=1, help="Number of periods when --from is not given "
                                 "(default 8 quarters or 24 months).",
    )] = None,
    ambition_detect: Annotated[float | None, typer.Option(
        "--ambition-detect", min=0, max=1,
        help="Share of expected patients to detect (default from the programme: 0.85 for AF).",
    )] = None,
    ambition_treat: Annotated[float | None, typer.Option(
        "--ambition-treat", min=0, max=1,
        help="Share of eligible patients to treat (default from the programme: 0.90 for AF).",
    )] = None,
    ambition: Annotated[float | None, typer.Option(
        "--ambition", min=0, max=1,
        help="One combined 'identified and managed' ambition instead (e.g. 0.89).",
    )] = None,
    parameters: Annotated[Path | None, typer.Option(
        "--parameters", help="Folder of CSVs overriding the programme's cited parameters.",
    )] = None,
    publish: Annotated[bool, typer.Option(
        "--publish", help="Outputs for a wider audience: suppress small counts, round the rest.",
    )] = False,
    suppress_max: Annotated[int, typer.Option(
        "--suppress-max", min=0, help="With --publish: suppress counts from 1 to this.",
    )] = 7,
    round_to: Annotated[int, typer.Option(
        "--round-to", min=1, help="With --publish: round other counts to the nearest this.",
    )] = 5,
) -> None:
    """Measure PROGRAMME at each period end; write the trend and the practices that improved."""
    if ambition is not None and (ambition_detect is not None or ambition_treat is not None):
        raise fail("use either --ambition or --ambition-detect/--ambition-treat, not both")
    if every not in STEP_MONTHS:
        raise fail(f"--every must be {' or '.join(STEP_MONTHS)}, got {every!r}")
    if first is not None and periods is not None:
        raise fail("use either --from or --periods, not both")
    options = ProgressOptions(
        programme=programme, first=_parse_date(first, "--from"), last=_parse_date(last, "--to"),
        every=every, periods=periods, detect=ambition_detect, treat=ambition_treat,
        combined=ambition, parameters_dir=parameters,
        publish=PublicationPolicy(suppress_max, round_to) if publish else None,
    )
    console = Console(stderr=True)
    try:
        with console.status("measuring") as status:
            result = run_progress(db, out, options, say=status.update)
    except _USER_ERRORS as exc:
        raise fail(str(exc)) from None
    _print(result)


def _print(result: ProgressResult) -> None:
    s = result.summary
    trend = s["footprint_trend"]
    typer.echo(f"{s['footprint']} · {result.series.programme} · {len(s['periods'])} periods "
               f"{s['periods'][0]} to {s['periods'][-1]}")
    rates = [name for name in ("detection_rate", "treatment_rate", "managed_share")
             if name in trend]
    typer.echo("  period end  " + "  ".join(f"{n.replace('_', ' '):>14}" for n in rates)
               + f"  {'to find':>8}  {'to treat':>8}")
    for i, day in enumerate(s["periods"]):
        cells = "  ".join(f"{_pct(trend[n][i]):>14}" for n in rates)
        typer.echo(f"  {day}  {cells}  {_n(trend['to_find'][i]):>8}  {_n(trend['to_treat'][i]):>8}")
    for name, pace in s["pace"].items():
        typer.echo(f"  {name.replace('_', ' ')}: {_pace(pace)}")
    if result.improvers:
        typer.echo("  most improved practices (patients gained at today's list):")
        for row in result.improvers[:SHOWN_IMPROVERS]:
            detection, treatment = row["detection_change"], row["treatment_change"]
            typer.echo(f"    {row['rank']}. {row['practice_code']} {row['practice_name']}: "
                       f"{row['patients_gained']:+.0f} (detection {_points(detection)}, "
                       f"treatment {_points(treatment)})")
    typer.echo(f"  {s['publication']}")
    for path in result.files:
        typer.echo(f"  wrote {path}")


def _pace(pace: dict[str, Any]) -> str:
    if pace["change"] is None:
        return "too few periods to judge"
    text = f"{_points(pace['change'])} over the series ({_points(pace['per_year'])} a year)"
    if pace["ambition"] is None:
        return text
    if pace["reached"]:
        return f"{text}; ambition {pace['ambition']:.0%} reached"
    if pace["reaches_ambition"]:
        return f"{text}; ambition {pace['ambition']:.0%} by about {pace['reaches_ambition']}"
    return f"{text}; ambition {pace['ambition']:.0%} not reached at this pace"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.1f} pts"


def _n(value: int | None) -> str:
    return "[c]" if value is None else f"{value:,}"


def register(app: typer.Typer) -> None:
    app.command("progress")(progress)
