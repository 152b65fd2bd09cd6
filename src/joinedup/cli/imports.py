"""`joinedup import qof|cvdprevent`: published aggregates into a store `joinedup run` can read.

A thin layer over ``joinedup.app.imports``: it parses options, prints per file the rows in,
loaded and rejected and where the rejects went, and turns an import error into one ``error:``
line with exit code 2 (the previous store is then unchanged).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from joinedup.cli.errors import fail, user_errors
from joinedup.cli.group import Group
from joinedup.cli.options import PATH

if TYPE_CHECKING:
    from joinedup.app.imports import ImportReport


@click.group("import", cls=Group, no_args_is_help=True)
def app() -> None:
    """Import published aggregates (QOF, list sizes, IMD, CVDPREVENT, ODS) into a store."""


db_option = click.option(
    "--db",
    type=PATH,
    required=True,
    help="DuckDB store to create or update (a store of published aggregates).",
)
rejects_option = click.option(
    "--rejects",
    type=PATH,
    help="Where to write rejected rows as CSV (default: <db stem>.rejects.csv).",
)
max_rejected_share_option = click.option(
    "--max-rejected-share",
    type=click.FloatRange(0, 1),
    help="Refuse the import, leaving --db as it was, when more than this share of any file's "
    "rows would be rejected (default 0.1; 1 imports whatever is rejected).",
)


def register(parent: click.Group) -> None:
    """Add the `import` command group to the app."""
    parent.add_command(app)


@app.command("qof")
@click.option(
    "--prevalence",
    type=PATH,
    required=True,
    help="QOF prevalence CSV (PRACTICE_CODE, GROUP_CODE, REGISTER, PATIENT_LIST_TYPE, "
    "PATIENT_LIST_SIZE).",
)
@click.option(
    "--geography",
    type=PATH,
    required=True,
    help="QOF MAPPING_NHS_GEOGRAPHIES CSV for the same year.",
)
@db_option
@click.option(
    "--achievement",
    type=PATH,
    help="QOF achievement CSV (PRACTICE_CODE, INDICATOR_CODE, MEASURE, VALUE): "
    "eligible, treated and exceptions.",
)
@click.option(
    "--ages",
    type=PATH,
    help="List sizes by 5-year age band and sex (NHS Digital) or by QOF age base "
    "(PRACTICE_CODE, TOTAL, 16OV, ...).",
)
@click.option(
    "--imd",
    type=PATH,
    help="Practice IMD (practice_code, imd_score, imd_decile) or Fingertips indicator 93553.",
)
@click.option("--pcn-imd", type=PATH, help="PCN IMD (pcn_code, imd_score, imd_decile).")
@click.option(
    "--indicators",
    type=PATH,
    help="QOF MAPPING_INDICATORS CSV (default: the packaged one for the year).",
)
@click.option(
    "--year", metavar="YYYY-YY", help="QOF year, e.g. 2019-20 (default: from the file names)."
)
@click.option("--ics", help="Keep one ICS/STP's practices, e.g. QWO (default: all).")
@rejects_option
@max_rejected_share_option
def qof_command(
    prevalence: Path,
    geography: Path,
    db: Path,
    achievement: Path | None,
    ages: Path | None,
    imd: Path | None,
    pcn_imd: Path | None,
    indicators: Path | None,
    year: str | None,
    ics: str | None,
    rejects: Path | None,
    max_rejected_share: float | None,
) -> None:
    """Check QOF files row by row and import them; rejected rows are kept with reasons."""
    from joinedup.app.imports import import_qof

    with user_errors():
        report = import_qof(
            db,
            prevalence=prevalence,
            geography=geography,
            achievement=achievement,
            ages=ages,
            imd=imd,
            pcn_imd=pcn_imd,
            indicators=indicators,
            year=_year(year),
            ics=ics.upper() if ics else None,
            rejects_csv=rejects,
            max_rejected_share=max_rejected_share,
        )
    _print(report)


@app.command("cvdprevent")
@click.argument(
    "files",
    type=PATH,
    nargs=-1,
    required=True,
    help="CVDPREVENT raw-data CSV files (any system level).",
)
@db_option
@rejects_option
@max_rejected_share_option
def cvdprevent_command(
    files: tuple[Path, ...], db: Path, rejects: Path | None, max_rejected_share: float | None
) -> None:
    """Check CVDPREVENT rows and import them; suppressed values are kept as unknown."""
    from joinedup.app.imports import import_cvdprevent

    with user_errors():
        report = import_cvdprevent(
            db, files, rejects_csv=rejects, max_rejected_share=max_rejected_share
        )
    _print(report)


@app.command("ods")
@db_option
@click.option(
    "--epraccur",
    type=PATH,
    help="ODS epraccur.csv (GP practices: names, open and close dates, status; no header row).",
)
@click.option(
    "--epcn", type=PATH, help="ODS ePCN.xlsx (PCNs and their member practices, with dates)."
)
@rejects_option
@max_rejected_share_option
def ods_command(
    db: Path,
    epraccur: Path | None,
    epcn: Path | None,
    rejects: Path | None,
    max_rejected_share: float | None,
) -> None:
    """Check ODS practice and PCN files and import them; runs lay them over the footprint."""
    from joinedup.app.imports import import_ods

    with user_errors():
        report = import_ods(
            db,
            epraccur=epraccur,
            epcn=epcn,
            rejects_csv=rejects,
            max_rejected_share=max_rejected_share,
        )
    _print(report)


def _year(text: str | None) -> int | None:
    """2019 from "2019-20", "2019/20", "2019-2020" or "2019"."""
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?\s*", text)
    if match is None:
        raise fail(f"--year must look like 2019-20, got {text!r}")
    start = int(match.group(1))
    if match.group(2) is not None and int(match.group(2)[-2:]) != (start + 1) % 100:
        raise fail(f"--year {text!r}: a QOF year runs from one April to the next")
    return start


def _print(report: ImportReport) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()

    def say(text: str) -> None:
        # Paths must survive intact: no wrapping inside them, no markup read into brackets.
        out.print(text, soft_wrap=True, markup=False, highlight=False)

    say(f"Imported into {report.db_path}" + (f" (QOF {report.period})" if report.period else ""))
    table = Table()
    for heading in ("table", "file"):
        table.add_column(heading, overflow="fold")
    for heading in ("rows in", "loaded", "rejected"):
        table.add_column(heading, justify="right")
    for t in report.files:
        table.add_row(t.table, t.file or "", f"{t.rows_in:,}", f"{t.loaded:,}", f"{t.rejected:,}")
    table.add_section()
    table.add_row("total", "", f"{report.rows_in:,}", f"{report.loaded:,}", f"{report.rejected:,}")
    out.print(table)
    if report.rejected:
        say(
            f"{report.rejected:,} rejected rows with file, row, field and reason: "
            f"{report.rejects_csv} (and the rejects table in the database)"
        )
    else:
        say(f"No rows rejected; {report.rejects_csv} lists none.")
    for note in report.notes:
        say(note)
