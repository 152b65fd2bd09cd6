"""`joinedup record …`: fill the shared care record, export it for analytics, count carers.

Why on the CLI: loading a whole ICS and exporting the record are operator jobs run next to the
stores, not requests a clinician makes; whoever runs them holds the databases themselves.
`load` reads the analytics store (`joinedup load` output) and FHIR files; `export` writes the
record back out as contract tables for `joinedup load` (docs/record.md, "How FHIR data reaches
analytics"); `carers` counts carers by place. Heavy imports happen inside each command.
"""

from __future__ import annotations

from pathlib import Path

import click

from joinedup.cli.errors import user_errors
from joinedup.cli.group import Group
from joinedup.cli.options import PATH
from joinedup.cli.users import ops_option


@click.group("record", cls=Group, no_args_is_help=True)
def app() -> None:
    """Load, export and count the shared care record."""


db_option = click.option(
    "--db",
    type=PATH,
    required=True,
    help="The analytics store (DuckDB); the record lives in <stem>.ops.sqlite beside it.",
)


def register(parent: click.Group) -> None:
    """Add the `record` command group to the app."""
    parent.add_command(app)


@app.command("load")
@db_option
@ops_option
@click.option(
    "--fhir",
    type=PATH,
    multiple=True,
    help="Also load FHIR resources from these .json or .xml files or folders (repeatable).",
)
@click.option(
    "--analytics/--no-analytics",
    default=True,
    help="Load the analytics store's contract tables (GP events, encounters, community visits).",
)
def load(db: Path, ops: str | None, fhir: tuple[Path, ...], analytics: bool) -> None:
    """Fill the record from the analytics store and FHIR files, with progress."""
    from rich.progress import Progress

    from joinedup.app.accounts import opened_store
    from joinedup.app.record import RecordService
    from joinedup.app.record_load import load_analytics_store, load_fhir_files

    with user_errors(), opened_store(db, ops) as store, Progress(transient=True) as bar:
        service = RecordService(store)
        if analytics:
            task = bar.add_task("contract tables → FHIR", total=None)
            counts, report = load_analytics_store(
                service, db, lambda done, total: bar.update(task, completed=done, total=total)
            )
            rows = ", ".join(f"{n} {name}" for name, n in counts.items())
            click.echo(f"read {rows}")
            _summary(report)
        files: list[Path] = []
        for item in fhir:
            files += (
                sorted(p for p in item.rglob("*") if p.suffix.lower() in (".json", ".xml"))
                if item.is_dir()
                else [item]
            )
        if files:
            task = bar.add_task("FHIR files", total=len(files))
            _summary(
                load_fhir_files(
                    service, files, lambda done, total: bar.update(task, completed=done)
                )
            )


def _summary(report: object) -> None:
    loaded = getattr(report, "loaded", 0)
    rejected = getattr(report, "rejected", [])
    click.echo(f"stored {loaded} resources, refused {len(rejected)}")
    for where, why in rejected[:20]:
        click.echo(f"  refused {where}: {why}", err=True)


@app.command("export")
@db_option
@click.option("--out", type=PATH, required=True, help="Folder to write the contract CSV files to.")
@ops_option
def export(db: Path, out: Path, ops: str | None) -> None:
    """Write the record as contract tables; then `joinedup load OUT --db DB` brings it into
    analytics (the load replaces the store whole, or not at all)."""
    from joinedup.app.accounts import opened_store
    from joinedup.app.record import RecordService
    from joinedup.app.record_export import export_record

    with user_errors(), opened_store(db, ops) as store:
        counts = export_record(RecordService(store), db, out)
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))
    click.echo(f"next: joinedup load {out} --db {db}")


@app.command("carers")
@db_option
@ops_option
@click.option(
    "--publish",
    is_flag=True,
    help="Suppress counts of 1-7 and round the rest to 5, for publication.",
)
def carers(db: Path, ops: str | None, publish: bool) -> None:
    """Carers recorded in the record, by place (opted-out patients' carers left out)."""
    from joinedup.app.accounts import opened_store
    from joinedup.app.record import RecordService
    from joinedup.app.record_export import carers_by_place, publish_carers

    with user_errors(), opened_store(db, ops) as store:
        counts = carers_by_place(RecordService(store))
    click.echo("place_code,place_name,carers")
    rows = (
        publish_carers(counts)
        if publish
        else [(c.place_code, c.place_name, c.carers) for c in counts]
    )
    for code, name, value in rows:
        click.echo(f"{code},{name},{'' if value is None else value}")
