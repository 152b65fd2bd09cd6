"""`joinedup run PROGRAMME`: the find-and-treat outputs for a loaded store."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from joinedup.cli.errors import fail
from joinedup.domain.codelists import CodelistError
from joinedup.domain.disclosure import DisclosureError, PublicationPolicy
from joinedup.domain.parameters import ParameterError
from joinedup.domain.programme import ProgrammeError
from joinedup.domain.targeting import TargetingError
from joinedup.run import RunError, RunOptions, run_programme

_USER_ERRORS = (
    RunError, ProgrammeError, ParameterError, CodelistError, TargetingError, DisclosureError,
)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def run(
    programme: Annotated[str, typer.Argument(help="Programme to run, e.g. af.")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB store made by `joinedup load`.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for practices.csv, summary.json, "
                                                   "report.html.")],
    on: Annotated[str | None, typer.Option(
        "--date", help="Reference date YYYY-MM-DD (default: the latest record in the store).",
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
    willing: Annotated[Path | None, typer.Option(
        "--willing", help="CSV of willing practice codes (a practice_code column, or one per "
                          "line). Default: every practice is willing.",
    )] = None,
    waves: Annotated[int, typer.Option(
        "--waves", min=1, help="Practices per wave of support (k).",
    )] = 10,
    max_waves: Annotated[int | None, typer.Option(
        "--max-waves", min=1, help="Plan at most this many waves.",
    )] = None,
    parameters: Annotated[Path | None, typer.Option(
        "--parameters", help="Folder of CSVs overriding the programme's cited parameters.",
    )] = None,
    trend: Annotated[int | None, typer.Option(
        "--trend", min=2, help="Also measure this many quarter ends up to the date and chart the "
                               "trend (progress.csv, improvers.csv).",
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
    """Measure, target and size the prize for PROGRAMME; write the practice table and report."""
    if ambition is not None and (ambition_detect is not None or ambition_treat is not None):
        raise fail("use either --ambition or --ambition-detect/--ambition-treat, not both")
    options = RunOptions(
        programme=programme, reference_date=_parse_date(on), detect=ambition_detect,
        treat=ambition_treat, combined=ambition, willing_file=willing, wave_size=waves,
        max_waves=max_waves, parameters_dir=parameters,
        publish=PublicationPolicy(suppress_max, round_to) if publish else None,
        trend_periods=trend,
    )
    console = Console(stderr=True)
    try:
        with console.status("running") as status:
            result = run_programme(db, out, options, progress=status.update)
    except _USER_ERRORS as exc:
        raise fail(str(exc)) from None
    s = result.summary
    typer.echo(f"{s['footprint']} · {programme} · period ending {s['period_end']}")
    typer.echo(f"  practices {s['practices']:,}  expected {s['expected']:,.0f}  "
               f"recorded {_n(s['recorded'])}  eligible {_n(s['eligible'])}  "
               f"treated {_n(s['treated'])}")
    typer.echo(f"  to find {_n(s['to_find'])}  to treat {_n(s['to_treat'])}")
    typer.echo(f"  if the ambition is reached: {s['strokes_prevented_per_year'] or 0:,.1f} strokes "
               f"prevented, {s['deaths_avoided_per_year'] or 0:,.1f} deaths avoided, "
               f"£{s['savings_gbp_per_year'] or 0:,.0f} saved a year")
    typer.echo(f"  parameters {s['parameters']}; {s['publication']}")
    for path in result.files:
        typer.echo(f"  wrote {path}")


def _n(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def register(app: typer.Typer) -> None:
    app.command("run")(run)
