"""`joinedup demo`: the main job end to end on the embedded default, with nothing to set up.

Generates the synthetic West Yorkshire-shaped ICS, loads it into a DuckDB file, runs the AF
find-and-treat programme and says where the report is; then prints a demo user for each role and
serves the dashboard on that store (`--no-serve` stops after the report, for scripts and CI).
Each step is the same Python API the separate commands use (generate, load, run_programme,
serve).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.app.synth import DENSITIES
from joinedup.cli.errors import fail, user_errors


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the data, store and outputs.")] = (
        Path("demo-output")
    ),
    patients: Annotated[int | None, typer.Option(
        "--patients", min=1000, help="Registered patients (default: the footprint's 2.6 M).",
    )] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the synthetic population.")] = 42,
    density: Annotated[str, typer.Option(
        "--density", help="'programme' (the programmes' records only: quick, and the AF results "
                          "are the same) or 'realistic' (adds a real extract's consultations, "
                          "codes and prescriptions, as `joinedup synth` does by default: about "
                          "2.5 times as long and memory).",
    )] = "programme",
    real: Annotated[bool, typer.Option(
        "--real", help="Instead: AF find and treat for West Yorkshire from the real 2019-20 QOF "
                       "registers, list sizes, geography and IMD (published open data); writes "
                       "the report and does not serve.",
    )] = False,
    serve: Annotated[bool, typer.Option(
        "--serve/--no-serve", help="After the report, print demo users and serve the "
                                   "dashboard (until Ctrl+C); --no-serve stops after the report.",
    )] = True,
    host: Annotated[str, typer.Option("--host", help="Address the dashboard listens on.")] = (
        "127.0.0.1"),
    port: Annotated[int, typer.Option("--port", min=1, max=65535,
                                      help="Port the dashboard listens on.")] = 8000,
) -> None:
    """Build a synthetic ICS, load it, run AF find and treat on it and serve the dashboard (or
    --real: AF from QOF 2019-20)."""
    from rich.console import Console

    from joinedup.app.demo import run_real_demo, run_synthetic_demo

    console = Console(stderr=True)
    if density not in DENSITIES:
        raise fail(f"--density must be one of {', '.join(DENSITIES)}, got {density!r}")
    if real:
        with console.status("importing West Yorkshire's 2019-20 QOF data and running AF"):
            outcome = run_real_demo(out)
        for line in outcome.describe():  # ends with where the report is
            typer.echo(line)
        return
    with console.status("generating the synthetic ICS") as status:
        done = run_synthetic_demo(out, patients=patients, seed=seed, density=density,
                                  say=status.update)
    result = done.run
    typer.echo(f"synthetic ICS (seed {seed}) written to {out / 'synthetic'}")
    typer.echo(done.loaded.summary())
    s = result.summary
    typer.echo("")
    typer.echo(f"AF find and treat · {s['footprint']} · period ending {s['period_end']}")
    typer.echo(f"  {s['practices']:,} practices, {s['list_size']:,} registered patients "
               "(national data opt-outs excluded)")
    typer.echo(f"  expected AF {s['expected']:,.0f}; on the register {s['recorded']:,} "
               f"({s['detection_rate']:.1%} detected)")
    typer.echo(f"  eligible (recorded CHA2DS2-VASc >= 2) {s['eligible']:,}; anticoagulated "
               f"{s['treated']:,} ({s['treatment_rate']:.1%}, {s.get('treated_rule', '')}); "
               f"to assess (computed score >= 2, none recorded) {s.get('to_assess') or 0:,}")
    typer.echo(f"  to reach the ambition: find {s['to_find']:,} and treat {s['to_treat']:,}")
    typer.echo(f"  worth {s['strokes_prevented_per_year']:,.0f} strokes prevented, "
               f"{s['deaths_avoided_per_year']:,.0f} deaths avoided and "
               f"£{s['savings_gbp_per_year']:,.0f} saved a year")
    typer.echo(f"  ({done.synthetic.counts.get('patients', 0):,} patient records generated; "
               f"parameters {s['parameters']})")
    typer.echo(f"report: {result.report_path}")
    typer.echo(f"practice table: {out / 'af' / 'practices.csv'}")
    if serve:
        _serve(out, host, port)


def _serve(out: Path, host: str, port: int) -> None:
    """Print the demo users and serve the dashboard over the demo's store until interrupted."""
    from joinedup.app.demo_server import prepare_demo_server
    from joinedup.app.serve import open_services, run_server
    from joinedup.web.app import create_app

    with user_errors():
        settings, users = prepare_demo_server(out, host, port)
        services = open_services(settings)
    typer.echo("")
    typer.echo(f"dashboard: http://{host}:{port}  (sign in as one of these; passwords are new "
               "each run)")
    for user in users:
        org = f" for {user.org_code}" if user.org_code else ""
        typer.echo(f"  {user.name:<14} {user.role.value:<16} password: {user.password}{org}")
    services.warm_up()  # the plan and the runs, in the background, so first pages are quick
    try:
        run_server(create_app(settings, services), settings)
    finally:
        services.close()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
