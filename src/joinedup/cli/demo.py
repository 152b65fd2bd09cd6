"""`joinedup demo`: the main job end to end on the embedded default, with nothing to set up.

Generates the synthetic West Yorkshire-shaped ICS, loads it into a DuckDB file, runs the AF
find-and-treat programme and says where the report is; then prints a demo user for each role and
serves the dashboard on that store (`--no-serve` stops after the report, for scripts and CI).
Each step is the same Python API the separate commands use (generate, load, run_programme,
serve).
"""

from __future__ import annotations

from pathlib import Path

import click

from joinedup.app.synth import DENSITIES
from joinedup.cli.errors import fail, user_errors
from joinedup.cli.options import PATH


@click.command("demo")
@click.option(
    "--out", type=PATH, default=Path("demo-output"), help="Folder for the data, store and outputs."
)
@click.option(
    "--patients",
    type=click.IntRange(min=1000),
    help="Registered patients (default: the footprint's 2.6 M).",
)
@click.option("--seed", type=int, default=42, help="Seed for the synthetic population.")
@click.option(
    "--density",
    default="programme",
    help="'programme' (the programmes' records only: quick, and the AF results are "
    "the same) or 'realistic' (adds a real extract's consultations, codes and "
    "prescriptions, as `joinedup synth` does by default: about 2.5 times as long "
    "and memory).",
)
@click.option(
    "--real",
    is_flag=True,
    help="Instead: AF find and treat for West Yorkshire from the real 2019-20 QOF "
    "registers, list sizes, geography and IMD (published open data); writes the "
    "report and does not serve.",
)
@click.option(
    "--serve/--no-serve",
    default=True,
    help="After the report, print demo users and serve the dashboard (until Ctrl+C); "
    "--no-serve stops after the report.",
)
@click.option("--host", default="127.0.0.1", help="Address the dashboard listens on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, help="Port the dashboard listens on."
)
def demo(
    out: Path,
    patients: int | None,
    seed: int,
    density: str,
    real: bool,
    serve: bool,
    host: str,
    port: int,
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
            click.echo(line)
        return
    with console.status("generating the synthetic ICS") as status:
        done = run_synthetic_demo(
            out, patients=patients, seed=seed, density=density, say=status.update
        )
    result = done.run
    click.echo(f"synthetic ICS (seed {seed}) written to {out / 'synthetic'}")
    click.echo(done.loaded.summary())
    s = result.summary
    click.echo("")
    click.echo(f"AF find and treat · {s['footprint']} · period ending {s['period_end']}")
    click.echo(
        f"  {s['practices']:,} practices, {s['list_size']:,} registered patients "
        "(national data opt-outs excluded)"
    )
    click.echo(
        f"  expected AF {s['expected']:,.0f}; on the register {s['recorded']:,} "
        f"({s['detection_rate']:.1%} detected)"
    )
    click.echo(
        f"  eligible (recorded CHA2DS2-VASc >= 2) {s['eligible']:,}; anticoagulated "
        f"{s['treated']:,} ({s['treatment_rate']:.1%}, {s.get('treated_rule', '')}); "
        f"to assess (computed score >= 2, none recorded) {s.get('to_assess') or 0:,}"
    )
    click.echo(f"  to reach the ambition: find {s['to_find']:,} and treat {s['to_treat']:,}")
    click.echo(
        f"  worth {s['strokes_prevented_per_year']:,.0f} strokes prevented, "
        f"{s['deaths_avoided_per_year']:,.0f} deaths avoided and "
        f"£{s['savings_gbp_per_year']:,.0f} saved a year"
    )
    click.echo(
        f"  ({done.synthetic.counts.get('patients', 0):,} patient records generated; "
        f"parameters {s['parameters']})"
    )
    click.echo(f"report: {result.report_path}")
    click.echo(f"practice table: {out / 'af' / 'practices.csv'}")
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
    click.echo("")
    click.echo(
        f"dashboard: http://{host}:{port}  (sign in as one of these; passwords are new each run)"
    )
    for user in users:
        org = f" for {user.org_code}" if user.org_code else ""
        click.echo(f"  {user.name:<14} {user.role.value:<16} password: {user.password}{org}")
    services.warm_up()  # the plan and the runs, in the background, so first pages are quick
    try:
        run_server(create_app(settings, services), settings)
    finally:
        services.close()


def register(app: click.Group) -> None:
    app.add_command(demo)
