"""`joinedup import qof|cvdprevent`: published aggregates into a store `joinedup run` can read.

A thin layer over ``joinedup.app.imports``: it parses options, prints per file the rows in,
loaded and rejected and where the rejects went, and turns an import error into one ``error:``
line with exit code 2 (the previous store is then unchanged).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from joinedup.cli.errors import fail, user_errors

if TYPE_CHECKING:
    from joinedup.app.imports import ImportReport

app = typer.Typer(
    name="import",
    help="Import published aggregates (QOF, list sizes, IMD, CVDPREVENT, ODS) into a store.",
    no_args_is_help=True,
)

_DB_HELP = "DuckDB store to create or update (a store of published aggregates)."
_REJECTS_HELP = "Where to write rejected rows as CSV (default: <db stem>.rejects.csv)."
MaxRejectedShare = Annotated[float | None, typer.Option(
    "--max-rejected-share", min=0, max=1, show_default=False,
    help="Refuse the import, leaving --db as it was, when more than this share of any file's "
    "rows would be rejected (default 0.1; 1 imports whatever is rejected).")]


def register(parent: typer.Typer) -> None:
    """Add the `import` command group to the app."""
    parent.add_typer(app, name="import")


@app.command("qof")
def qof_command(
    prevalence: Annotated[Path, typer.Option(
        "--prevalence", help="QOF prevalence CSV (PRACTICE_CODE, GROUP_CODE, REGISTER, "
        "PATIENT_LIST_TYPE, PATIENT_LIST_SIZE).", show_default=False)],
    geography: Annotated[Path, typer.Option(
        "--geography", help="QOF MAPPING_NHS_GEOGRAPHIES CSV for the same year.",
        show_default=False)],
    db: Annotated[Path, typer.Option("--db", help=_DB_HELP, show_default=False)],
    achievement: Annotated[Path | None, typer.Option(
        "--achievement", help="QOF achievement CSV (PRACTICE_CODE, INDICATOR_CODE, MEASURE, "
        "VALUE): eligible, treated and exceptions.")] = None,
    ages: Annotated[Path | None, typer.Option(
        "--ages", help="List sizes by 5-year age band and sex (NHS Digital) or by QOF age "
        "base (PRACTICE_CODE, TOTAL, 16OV, ...).")] = None,
    imd: Annotated[Path | None, typer.Option(
        "--imd", help="Practice IMD (practice_code, imd_score, imd_decile) or Fingertips "
        "indicator 93553.")] = None,
    pcn_imd: Annotated[Path | None, typer.Option(
        "--pcn-imd", help="PCN IMD (pcn_code, imd_score, imd_decile).")] = None,
    indicators: Annotated[Path | None, typer.Option(
        "--indicators", help="QOF MAPPING_INDICATORS CSV (default: the packaged one for the "
        "year).")] = None,
    year: Annotated[str | None, typer.Option(
        "--year", metavar="YYYY-YY", help="QOF year, e.g. 2019-20 (default: from the file "
        "names).")] = None,
    ics: Annotated[str | None, typer.Option(
        "--ics", help="Keep one ICS/STP's practices, e.g. QWO (default: all).")] = None,
    rejects: Annotated[Path | None, typer.Option("--rejects", help=_REJECTS_HELP,
                                                 show_default=False)] = None,
    max_rejected_share: MaxRejectedShare = None,
) -> None:
    """Check QOF files row by row and import them; rejected rows are kept with reasons."""
    from joinedup.app.imports import import_qof

    with user_errors():
        report = import_qof(
            db, prevalence=prevalence, geography=geography, achievement=achievement, ages=ages,
            imd=imd, pcn_imd=pcn_imd, indicators=indicators, year=_year(year),
            ics=ics.upper() if ics else None, rejects_csv=rejects,
            max_rejected_share=max_rejected_share,
        )
    _print(report)


@app.command("cvdprevent")
def cvdprevent_command(
    files: Annotated[list[Path], typer.Argument(
        help="CVDPREVENT raw-data CSV files (any system level).", show_default=False)],
    db: Annotated[Path, typer.Option("--db", help=_DB_HELP, show_default=False)],
    rejects: Annotated[Path | None, typer.Option("--rejects", help=_REJECTS_HELP,
                                                 show_default=False)] = None,
    max_rejected_share: MaxRejectedShare = None,
) -> None:
    """Check CVDPREVENT rows and import them; suppressed values are kept as unknown."""
    from joinedup.app.imports import import_cvdprevent

    with user_errors():
        report = import_cvdprevent(db, files, rejects_csv=rejects,
                                   max_rejected_share=max_rejected_share)
    _print(report)


@app.command("ods")
def ods_command(
    db: Annotated[Path, typer.Option("--db", help=_DB_HELP, show_default=False)],
    epraccur: Annotated[Path | None, typer.Option(
        "--epraccur", help="ODS epraccur.csv (GP practices: names, open and close dates, "
        "status; no header row).")] = None,
    epcn: Annotated[Path | None, typer.Option(
        "--epcn", help="ODS ePCN.xlsx (PCNs and their member practices, with dates).")] = None,
    rejects: Annotated[Path | None, typer.Option("--rejects", help=_REJECTS_HELP,
                                                 show_default=False)] = None,
    max_rejected_share: MaxRejectedShare = None,
) -> None:
    """Check ODS practice and PCN files and import them; runs lay them over the footprint."""
    from joinedup.app.imports import import_ods

    with user_errors():
        report = import_ods(db, epraccur=epraccur, epcn=epcn, rejects_csv=rejects,
                            max_rejected_share=max_rejected_share)
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
    table.add_row("total", "", f"{report.rows_in:,}", f"{report.loaded:,}",
                  f"{report.rejected:,}")
    out.print(table)
    if report.rejected:
        say(f"{report.rejected:,} rejected rows with file, row, field and reason: "
            f"{report.rejects_csv} (and the rejects table in the database)")
    else:
        say(f"No rows rejected; {report.rejects_csv} lists none.")
    for note in report.notes:
        say(note)
