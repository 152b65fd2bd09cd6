"""`joinedup progress PROGRAMME`: the measures at a series of period ends, and who improved most."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from joinedup.cli import options
from joinedup.cli.errors import fail, user_errors
from joinedup.cli.options import PATH

if TYPE_CHECKING:
    from joinedup.app.progress import ProgressResult

STEP_MONTHS = ("month", "quarter")
"""Period lengths `--every` takes (as `domain.progress.STEP_MONTHS`, checked by a test)."""
SHOWN_IMPROVERS = 5


@click.command("progress")
@click.argument("programme", help="Programme to follow, e.g. af.")
@options.db
@click.option(
    "--out",
    type=PATH,
    required=True,
    help="Folder for progress.csv, improvers.csv, trend.svg and progress.json.",
)
@click.option(
    "--from",
    "first",
    metavar="YYYY-MM-DD",
    help="Earliest period end (default: as many periods back as --periods).",
)
@click.option(
    "--to",
    "last",
    metavar="YYYY-MM-DD",
    help="Last period end (default: the latest record in the store).",
)
@click.option("--every", default="quarter", help=f"Period length: {' or '.join(STEP_MONTHS)}.")
@click.option(
    "--periods",
    type=click.IntRange(min=1),
    help="Number of periods when --from is not given (default 8 quarters or 24 months).",
)
@options.ambitions
@options.parameters
@options.publication_options
@options.engine_options
def progress(
    programme: str,
    db: Path,
    out: Path,
    first: str | None,
    last: str | None,
    every: str,
    periods: int | None,
    ambition_detect: float | None,
    ambition_treat: float | None,
    ambition: float | None,
    parameters: Path | None,
    publish: bool,
    suppress_max: int,
    round_to: int,
    engine: str,
    spark_master: str | None,
) -> None:
    """Measure PROGRAMME at each period end; write the trend and the practices that improved."""
    from rich.console import Console

    from joinedup.app.progress import ProgressOptions, run_progress

    if every not in STEP_MONTHS:
        raise fail(f"--every must be {' or '.join(STEP_MONTHS)}, got {every!r}")
    if first is not None and periods is not None:
        raise fail("use either --from or --periods, not both")
    progress_options = ProgressOptions(
        programme=programme,
        first=options.parse_date(first, "--from"),
        last=options.parse_date(last, "--to"),
        every=every,
        periods=periods,
        ambition=options.ambition_request(ambition_detect, ambition_treat, ambition),
        parameters_dir=parameters,
        publish=options.publication(publish, suppress_max, round_to),
        engine=options.engine_choice(engine, spark_master),
    )
    console = Console(stderr=True)
    with user_errors(), console.status("measuring") as status:
        result = run_progress(db, out, progress_options, say=status.update)
    _print(result)


def _print(result: ProgressResult) -> None:
    s = result.summary
    trend = s["footprint_trend"]
    click.echo(
        f"{s['footprint']} · {result.series.programme} · {len(s['periods'])} periods "
        f"{s['periods'][0]} to {s['periods'][-1]}"
    )
    rates = [
        name for name in ("detection_rate", "treatment_rate", "managed_share") if name in trend
    ]
    click.echo(
        "  period end  "
        + "  ".join(f"{n.replace('_', ' '):>14}" for n in rates)
        + f"  {'to find':>8}  {'to treat':>8}"
    )
    for i, day in enumerate(s["periods"]):
        cells = "  ".join(f"{_pct(trend[n][i]):>14}" for n in rates)
        click.echo(f"  {day}  {cells}  {_n(trend['to_find'][i]):>8}  {_n(trend['to_treat'][i]):>8}")
    for name, pace in s["pace"].items():
        click.echo(f"  {name.replace('_', ' ')}: {_pace(pace)}")
    if result.improvers:
        click.echo("  most improved practices (patients gained at today's list):")
        for row in result.improvers[:SHOWN_IMPROVERS]:
            detection, treatment = row["detection_change"], row["treatment_change"]
            click.echo(
                f"    {row['rank']}. {row['practice_code']} {row['practice_name']}: "
                f"{row['patients_gained']:+.0f} (detection {_points(detection)}, "
                f"treatment {_points(treatment)})"
            )
    click.echo(f"  {s['publication']}")
    for path in result.files:
        click.echo(f"  wrote {path}")


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


def register(app: click.Group) -> None:
    app.add_command(progress)
