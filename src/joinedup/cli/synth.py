"""`joinedup synth`: generate a synthetic ICS as Parquet files in the data contract's shape.

A thin layer over ``joinedup.app.synth``: it parses options, shows a progress
bar over the generator's stages, prints what was written, and turns a bad option into one
``error:`` line with exit code 2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from joinedup.app.synth import (
    DEFAULT_DENSITY,
    DEFAULT_REFERENCE_DATE,
    DEFAULT_SEED,
    DENSITIES,
    FOOTPRINTS,
    STAGES,
)
from joinedup.cli.errors import fail, user_errors
from joinedup.cli.options import PATH

if TYPE_CHECKING:
    from joinedup.app.synth import SynthResult


def register(app: click.Group) -> None:
    """Add the `synth` command to the app."""
    app.add_command(synth_command)


@click.command("synth")
@click.option(
    "--out",
    type=PATH,
    required=True,
    help="Folder to write the Parquet files and manifest.json into.",
)
@click.option(
    "--patients",
    type=click.IntRange(min=1),
    help="Patients registered at the reference date (default: the footprint's real size, 2.6 M). "
    "List sizes are scaled to it.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=DEFAULT_SEED,
    help="Random seed; the same seed gives the same files.",
)
@click.option(
    "--footprint", default=FOOTPRINTS[0], help=f"Footprint to fill: {', '.join(FOOTPRINTS)}."
)
@click.option(
    "--scenario",
    default="improvement",
    help="How the years before the reference date looked: 'improvement' (detection and "
    "treatment rise, so progress shows) or 'steady'.",
)
@click.option(
    "--density",
    default=DEFAULT_DENSITY,
    help="'realistic' adds what a real GP extract holds besides the programmes' codes: "
    "consultations, their codes and prescription items over the last year, at published rates "
    "(about 40 rows a patient); 'programme' writes only the programmes' records (small and "
    "fast, for tests).",
)
@click.option(
    "--reference-date",
    metavar="YYYY-MM-DD",
    default=DEFAULT_REFERENCE_DATE.isoformat(),
    help="The 'today' of the data: no record falls after it.",
)
@click.option(
    "--parameters",
    type=PATH,
    help="Folder of CSVs overriding synthetic parameter tables by name (an af/ subfolder "
    "overrides the AF programme's tables).",
)
def synth_command(
    out: Path,
    patients: int | None,
    seed: int,
    footprint: str,
    scenario: str,
    density: str,
    reference_date: str,
    parameters: Path | None,
) -> None:
    """Generate a synthetic integrated care system: organisations, patients and records.

    Writes one Parquet file per contract table and a manifest.json of the run.

    The same options and seed give byte-identical files.
    """
    if density not in DENSITIES:
        raise fail(f"--density must be one of {', '.join(DENSITIES)}, got {density!r}")
    try:
        day = date.fromisoformat(reference_date)
    except ValueError:
        raise fail(
            f"--reference-date must be a date as YYYY-MM-DD, got {reference_date!r}"
        ) from None

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from joinedup.app.synth import generate

    err = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(bar_width=30),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task("starting", total=len(STAGES))

    def show(message: str) -> None:
        # A large run names its chunk first ("chunk 2 of 3: diagnoses"); the bar follows the stage.
        stage = message.rsplit(": ", 1)[-1]
        progress.update(task, description=message, completed=STAGES.index(stage))

    try:
        with user_errors(), progress:
            result = generate(
                out,
                patients=patients,
                seed=seed,
                footprint=footprint,
                reference_date=day,
                parameters_dir=parameters,
                scenario=scenario,
                density=density,
                progress=show,
            )
            progress.update(task, completed=len(STAGES))
    except OSError as exc:  # an output folder that cannot be written
        raise fail(f"{out}: {exc.strerror}") from None
    _print_summary(result)


def _print_summary(result: SynthResult) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    orgs = result.organisations
    out.print(
        f"Synthetic ICS [bold]{result.footprint}[/bold] (seed {result.seed}, reference date "
        f"{result.reference_date.isoformat()}): {orgs.get('place', 0)} places, "
        f"{orgs.get('pcn', 0)} PCNs, {orgs.get('practice', 0)} practices, "
        f"{orgs.get('trust', 0)} trusts"
    )
    table = Table(title=f"Written to {result.out_dir}")
    table.add_column("table")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in result.counts.items():
        table.add_row(name, result.paths[name].name, f"{rows:,}")
    out.print(table)
    versions = ", ".join(f"{k} {v}" for k, v in result.parameter_versions.items())
    out.print(f"Parameters: {versions}. Manifest: {result.manifest}")
