"""`joinedup load`: validate a folder of contract files into the embedded DuckDB store.

A thin layer over ``joinedup.app.load``: it parses options, shows progress per table, prints
the counts and where the rejects went, and turns a ``LoadError`` into one ``error:`` line with
exit code 2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.exceptions import Exit

from joinedup.cli.errors import fail, user_errors
from joinedup.cli.options import PATH

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from joinedup.app.load import LoadReport, ProgressEvent


def register(app: click.Group) -> None:
    """Add the `load` command to the app."""
    app.add_command(load_command)


@click.command("load")
@click.argument(
    "source",
    type=PATH,
    help="Folder with one <table>.parquet or <table>.csv per contract table "
    "(organisations and patients required).",
)
@click.option("--db", type=PATH, required=True, help="DuckDB database file to create or replace.")
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="Judge 'in the future' against this date instead of the real today.",
)
@click.option(
    "--rejects",
    type=PATH,
    help="Where to write the rejected rows as CSV (default: <db stem>.rejects.csv beside the "
    "database).",
)
@click.option(
    "--max-rejected-share",
    type=click.FloatRange(0, 1),
    help="Refuse the whole load, leaving --db as it was, when more than this share of any "
    "table's rows would be rejected (default 0.1; 1 loads whatever is rejected).",
)
@click.option(
    "--date-format",
    help="The day-first form of text dates in the files: DD/MM/YYYY (20/12/1949) or "
    "DD-MMM-YYYY (20-Dec-1949). ISO YYYY-MM-DD, also with a midnight time, is always read; "
    "ambiguous forms are never guessed.",
)
@click.option(
    "--prepare/--no-prepare",
    default=True,
    help="Then compile and keep each packaged programme's queries for the store's extract date "
    "(run, and progress over the default periods), so the first `joinedup run` or "
    "`joinedup progress` on it does not (docs/engines.md).",
)
def load_command(
    source: Path,
    db: Path,
    today: str | None,
    rejects: Path | None,
    max_rejected_share: float | None,
    date_format: str | None,
    prepare: bool,
) -> None:
    """Check every row of SOURCE against the data contract and load the good rows into --db.

    Rejected rows go to the database's rejects table and a CSV, with file, row, field, reason.

    The previous database is replaced only when the whole load succeeds, and not when a table
    would lose more than --max-rejected-share of its rows.
    """
    from rich.console import Console

    from joinedup.app.load import load

    as_of = _parse_day(today)
    err = Console(stderr=True)
    try:
        with user_errors(), _TableProgress(err) as show:
            report = load(
                source,
                db,
                today=as_of,
                rejects_csv=rejects,
                progress=show,
                date_format=date_format,
                max_rejected_share=max_rejected_share,
            )
    except KeyboardInterrupt:
        click.secho(f"error: load interrupted; {db} is unchanged", err=True, fg="red")
        raise Exit(130) from None
    _print_report(report)
    if prepare:
        from joinedup.app.load import prepare_runs

        with err.status("compiling the programmes' queries for the new store"):
            day, prepared = prepare_runs(db)
        if prepared:
            click.echo(f"prepared {', '.join(prepared)} for runs at {day} (compiled and kept)")


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"--today must be a date as YYYY-MM-DD, got {text!r}") from None


class _TableProgress:
    """A rich progress bar per table, advanced by the loader's progress events."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(bar_width=20),
            TextColumn("{task.fields[step]}"),
            console=console,
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _TableProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, event: ProgressEvent) -> None:
        task = self._tasks.get(event.table)
        if task is None:
            task = self._progress.add_task(event.table, total=event.steps, step="")
            self._tasks[event.table] = task
        label = "not supplied" if event.step == "absent" else event.step
        self._progress.update(task, completed=event.step_number, step=label)


def _print_report(report: LoadReport) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    table = Table(title=f"Loaded {report.source_dir} into {report.db_path}")
    table.add_column("table")
    table.add_column("file")
    for heading in ("rows in", "loaded", "rejected"):
        table.add_column(heading, justify="right")
    for t in report.tables:
        table.add_row(
            t.table,
            t.file or "(not supplied)",
            f"{t.rows_in:,}",
            f"{t.loaded:,}",
            f"{t.rejected:,}",
        )
    table.add_section()
    table.add_row("total", "", f"{report.rows_in:,}", f"{report.loaded:,}", f"{report.rejected:,}")
    out.print(table)

    def say(text: str) -> None:
        # Paths must survive intact: no wrapping inside them, no markup read into brackets.
        out.print(text, soft_wrap=True, markup=False, highlight=False)

    if report.rejected:
        say(
            f"{report.rejected:,} rejected rows with reasons: {report.rejects_csv} "
            "(and the rejects table in the database)"
        )
    else:
        say(f"No rows rejected; {report.rejects_csv} lists none.")
    for t in report.tables:
        if t.ignored_columns:
            say(f"{t.file}: ignored columns not in the contract: {', '.join(t.ignored_columns)}")
    if report.ignored_files:
        say(f"Ignored files (not contract tables): {', '.join(report.ignored_files)}")
    say(f"Dates checked as of {report.today.isoformat()}.")
