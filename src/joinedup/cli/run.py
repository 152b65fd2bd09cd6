"""`joinedup run PROGRAMME`: the find-and-treat outputs for a loaded store."""

from __future__ import annotations

from pathlib import Path

import click

from joinedup.cli import options
from joinedup.cli.errors import user_errors
from joinedup.cli.options import PATH


@click.command("run")
@click.argument("programme", help="Programme to run, e.g. af.")
@options.db
@click.option(
    "--out", type=PATH, required=True, help="Folder for practices.csv, summary.json, report.html."
)
@click.option(
    "--date", "on", help="Reference date YYYY-MM-DD (default: the latest record in the store)."
)
@options.ambitions
@click.option(
    "--willing",
    type=PATH,
    help="CSV of willing practice codes (a practice_code column, or one per line). "
    "Default: the plan saved in the dashboard, else every practice.",
)
@click.option(
    "--waves",
    type=click.IntRange(min=1),
    help="Practices per wave of support (k). Default: the saved plan's, else 10.",
)
@click.option("--max-waves", type=click.IntRange(min=1), help="Plan at most this many waves.")
@options.parameters
@click.option(
    "--trend",
    type=click.IntRange(min=2),
    help="Also measure this many quarter ends up to the date and chart the trend "
    "(progress.csv, improvers.csv).",
)
@options.publication_options
@click.option(
    "--saved-plan/--no-saved-plan",
    default=True,
    help="Use the willing list and waves a programme lead saved in the dashboard "
    "(unless --willing, --waves or --max-waves is given).",
)
@click.option(
    "--ops",
    help="Operational store holding the saved plan (default: the one beside --db, if "
    "it exists): a PostgreSQL URL or a SQLite file path.",
)
@options.engine_options
def run(
    programme: str,
    db: Path,
    out: Path,
    on: str | None,
    ambition_detect: float | None,
    ambition_treat: float | None,
    ambition: float | None,
    willing: Path | None,
    waves: int | None,
    max_waves: int | None,
    parameters: Path | None,
    trend: int | None,
    publish: bool,
    suppress_max: int,
    round_to: int,
    saved_plan: bool,
    ops: str | None,
    engine: str,
    spark_master: str | None,
) -> None:
    """Measure, target and size the prize for PROGRAMME; write the practice table and report."""
    from rich.console import Console

    from joinedup.app.run import RunOptions, run_programme

    run_options = RunOptions(
        programme=programme,
        reference_date=options.parse_date(on, "--date"),
        ambition=options.ambition_request(ambition_detect, ambition_treat, ambition),
        willing_file=willing,
        wave_size=waves,
        max_waves=max_waves,
        parameters_dir=parameters,
        publish=options.publication(publish, suppress_max, round_to),
        trend_periods=trend,
        saved_plan=saved_plan,
        ops=ops,
        engine=options.engine_choice(engine, spark_master),
    )
    console = Console(stderr=True)
    with user_errors(), console.status("running") as status:
        result = run_programme(db, out, run_options, progress=status.update)
    s = result.summary
    click.echo(f"{s['footprint']} · {programme} · period ending {s['period_end']}")
    click.echo(
        f"  practices {s['practices']:,}  expected {s['expected']:,.0f}  "
        f"recorded {_n(s['recorded'])}  eligible {_n(s['eligible'])}  "
        f"treated {_n(s['treated'])}"
    )
    click.echo(f"  to find {_n(s['to_find'])}  to treat {_n(s['to_treat'])}")
    click.echo(
        f"  if the ambition is reached: {_x(s['strokes_prevented_per_year'], '.1f')} "
        f"strokes prevented, {_x(s['deaths_avoided_per_year'], '.1f')} deaths avoided, "
        f"{_x(s['savings_gbp_per_year'], '.0f', '£')} saved a year"
    )
    click.echo(f"  targeting: {s['targeting']['source']}")
    click.echo(f"  parameters {s['parameters']}; {s['publication']}")
    for path in result.files:
        click.echo(f"  wrote {path}")


def _n(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _x(value: float | None, style: str, unit: str = "") -> str:
    """A modelled figure, or 'unknown' where it rests on a suppressed count (not 0)."""
    return "unknown" if value is None else unit + format(value, f",{style}")


def register(app: click.Group) -> None:
    app.add_command(run)
