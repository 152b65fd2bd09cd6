"""`joinedup run PROGRAMME`: the find-and-treat outputs for a loaded store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.errors import user_errors
from joinedup.cli.options import (
    AmbitionCombined,
    AmbitionDetect,
    AmbitionTreat,
    Db,
    Engine,
    Parameters,
    Publish,
    RoundTo,
    SparkMaster,
    SuppressMax,
    ambition_request,
    engine_choice,
    parse_date,
    publication,
)


def run(
    programme: Annotated[str, typer.Argument(help="Programme to run, e.g. af.")],
    db: Db,
    out: Annotated[Path, typer.Option("--out", help="Folder for practices.csv, summary.json, "
                                                   "report.html.")],
    on: Annotated[str | None, typer.Option(
        "--date", help="Reference date YYYY-MM-DD (default: the latest record in the store).",
    )] = None,
    ambition_detect: AmbitionDetect = None,
    ambition_treat: AmbitionTreat = None,
    ambition: AmbitionCombined = None,
    willing: Annotated[Path | None, typer.Option(
        "--willing", help="CSV of willing practice codes (a practice_code column, or one per "
                          "line). Default: the plan saved in the dashboard, else every practice.",
    )] = None,
    waves: Annotated[int | None, typer.Option(
        "--waves", min=1, help="Practices per wave of support (k). Default: the saved plan's, "
                               "else 10.",
    )] = None,
    max_waves: Annotated[int | None, typer.Option(
        "--max-waves", min=1, help="Plan at most this many waves.",
    )] = None,
    parameters: Parameters = None,
    trend: Annotated[int | None, typer.Option(
        "--trend", min=2, help="Also measure this many quarter ends up to the date and chart the "
                               "trend (progress.csv, improvers.csv).",
    )] = None,
    publish: Publish = False,
    suppress_max: SuppressMax = 7,
    round_to: RoundTo = 5,
    saved_plan: Annotated[bool, typer.Option(
        "--saved-plan/--no-saved-plan",
        help="Use the willing list and waves a programme lead saved in the dashboard (unless "
             "--willing, --waves or --max-waves is given).",
    )] = True,
    ops: Annotated[str | None, typer.Option(
        "--ops", help="Operational store holding the saved plan (default: the one beside --db, "
                      "if it exists): a PostgreSQL URL or a SQLite file path.",
    )] = None,
    engine: Engine = "duckdb",
    spark_master: SparkMaster = None,
) -> None:
    """Measure, target and size the prize for PROGRAMME; write the practice table and report."""
    from rich.console import Console

    from joinedup.app.run import RunOptions, run_programme

    options = RunOptions(
        programme=programme, reference_date=parse_date(on, "--date"),
        ambition=ambition_request(ambition_detect, ambition_treat, ambition),
        willing_file=willing, wave_size=waves, max_waves=max_waves, parameters_dir=parameters,
        publish=publication(publish, suppress_max, round_to), trend_periods=trend,
        saved_plan=saved_plan, ops=ops,
        engine=engine_choice(engine, spark_master),
    )
    console = Console(stderr=True)
    with user_errors(), console.status("running") as status:
        result = run_programme(db, out, options, progress=status.update)
    s = result.summary
    typer.echo(f"{s['footprint']} · {programme} · period ending {s['period_end']}")
    typer.echo(f"  practices {s['practices']:,}  expected {s['expected']:,.0f}  "
               f"recorded {_n(s['recorded'])}  eligible {_n(s['eligible'])}  "
               f"treated {_n(s['treated'])}")
    typer.echo(f"  to find {_n(s['to_find'])}  to treat {_n(s['to_treat'])}")
    typer.echo(f"  if the ambition is reached: {_x(s['strokes_prevented_per_year'], '.1f')} "
               f"strokes prevented, {_x(s['deaths_avoided_per_year'], '.1f')} deaths avoided, "
               f"{_x(s['savings_gbp_per_year'], '.0f', '£')} saved a year")
    typer.echo(f"  targeting: {s['targeting']['source']}")
    typer.echo(f"  parameters {s['parameters']}; {s['publication']}")
    for path in result.files:
        typer.echo(f"  wrote {path}")


def _n(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _x(value: float | None, style: str, unit: str = "") -> str:
    """A modelled figure, or 'unknown' where it rests on a suppressed count (not 0)."""
    return "unknown" if value is None else unit + format(value, f",{style}")


def register(app: typer.Typer) -> None:
    app.command("run")(run)
