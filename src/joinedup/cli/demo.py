"""`joinedup demo`: the main job end to end on the embedded default, with nothing to set up.

Generates the synthetic West Yorkshire-shaped ICS, loads it into a DuckDB file, runs the AF
find-and-treat programme and says where the report is. Each step is the same Python API the
separate commands use (generate, load, run_programme).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from joinedup.run import RunOptions, run_programme
from joinedup.sources.qof.demo import run_real_demo
from joinedup.sources.synthetic import generate
from joinedup.store import LoadError, ProgressEvent, load


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the data, store and outputs.")] = (
        Path("demo-output")
    ),
    patients: Annotated[int | None, typer.Option(
        "--patients", min=1000, help="Registered patients (default: the footprint's 2.6 M).",
    )] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the synthetic population.")] = 42,
    real: Annotated[bool, typer.Option(
        "--real", help="Instead: AF find and treat for West Yorkshire from the real 2019-20 QOF "
                       "registers, list sizes, geography and IMD (published open data).",
    )] = False,
) -> None:
    """Build a synthetic ICS, load it, and run AF find and treat on it (or --real: QOF 2019-20)."""
    console = Console(stderr=True)
    if real:
        with console.status("importing West Yorkshire's 2019-20 QOF data and running AF"):
            outcome = run_real_demo(out)
        for line in outcome.describe():  # ends with where the report is
            typer.echo(line)
        return
    synth_dir, db, results = out / "synthetic", out / "ics.duckdb", out / "af"
    with console.status("generating the synthetic ICS") as status:
        made = generate(synth_dir, patients=patients, seed=seed,
                        progress=lambda stage: status.update(f"generating: {stage}"))

        def on_load(event: ProgressEvent) -> None:
            status.update(f"loading {event.table}: {event.step}")

        try:
            report = load(synth_dir, db, progress=on_load)
        except LoadError as exc:  # a bug if it happens: our own data must load
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=1) from None
        result = run_programme(db, results, RunOptions(programme="af", trend_periods=8),
                               progress=status.update)

    typer.echo(f"synthetic ICS (seed {seed}) written to {synth_dir}")
    typer.echo(report.summary())
    s = result.summary
    typer.echo("")
    typer.echo(f"AF find and treat · {s['footprint']} · period ending {s['period_end']}")
    typer.echo(f"  {s['practices']:,} practices, {s['list_size']:,} registered patients "
               "(national data opt-outs excluded)")
    typer.echo(f"  expected AF {s['expected']:,.0f}; on the register {s['recorded']:,} "
               f"({s['detection_rate']:.1%} detected)")
    typer.echo(f"  eligible (CHA2DS2-VASc >= 2) {s['eligible']:,}; anticoagulated "
               f"{s['treated']:,} ({s['treatment_rate']:.1%})")
    typer.echo(f"  to reach the ambition: find {s['to_find']:,} and treat {s['to_treat']:,}")
    typer.echo(f"  worth {s['strokes_prevented_per_year']:,.0f} strokes prevented, "
               f"{s['deaths_avoided_per_year']:,.0f} deaths avoided and "
               f"£{s['savings_gbp_per_year']:,.0f} saved a year")
    typer.echo(f"  ({made.counts.get('patients', 0):,} patient records generated; parameters "
               f"{s['parameters']})")
    typer.echo(f"report: {result.report_path}")
    typer.echo(f"practice table: {results / 'practices.csv'}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
