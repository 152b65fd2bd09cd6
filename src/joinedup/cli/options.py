"""Options that several commands share, declared once so they cannot drift apart.

`joinedup run`, `joinedup progress` and `joinedup impact` take the same ambitions, parameter
overrides and publication settings under the same names. Nothing here imports more than typer:
the use cases load only inside the command that needs them.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from joinedup.app.programme import AmbitionRequest, PublicationPolicy
    from joinedup.app.store import EngineChoice

Db = Annotated[Path, typer.Option("--db", help="DuckDB store made by `joinedup load` or "
                                                "`joinedup import`.")]
AmbitionDetect = Annotated[float | None, typer.Option(
    "--ambition-detect",
    help="Share of expected patients to detect (default: the programme's, 0.85 for AF).",
)]
AmbitionTreat = Annotated[float | None, typer.Option(
    "--ambition-treat",
    help="Share of eligible patients to treat (default: the programme's, 0.90 for AF).",
)]
AmbitionCombined = Annotated[float | None, typer.Option(
    "--ambition",
    help="One combined 'identified and managed' ambition instead (e.g. 0.89).",
)]
Parameters = Annotated[Path | None, typer.Option(
    "--parameters", help="Folder of CSVs overriding the programme's cited parameters.",
)]
Publish = Annotated[bool, typer.Option(
    "--publish", help="Outputs for a wider audience: suppress small counts, round the rest.",
)]
SuppressMax = Annotated[int, typer.Option(
    "--suppress-max", min=0, help="With --publish: suppress counts from 1 to this.",
)]
RoundTo = Annotated[int, typer.Option(
    "--round-to", min=1, help="With --publish: round other counts to the nearest this.",
)]
Engine = Annotated[str, typer.Option(
    "--engine", help="Where the measures run: duckdb (embedded) or spark (Apache Spark, "
                     "from the package's spark extra, with Java 17; --db may then also be a "
                     "folder of contract Parquet tables; docs/engines.md).",
)]
SparkMaster = Annotated[str | None, typer.Option(
    "--spark-master", metavar="URL", help="With --engine spark: the Spark master (default: "
                                          "$JOINEDUP_SPARK_MASTER, else local[*], this machine).",
)]


def ambition_request(
    detect: float | None, treat: float | None, combined: float | None
) -> AmbitionRequest:
    """The ambition options as one request; checked once, when the programme resolves it."""
    from joinedup.app.programme import AmbitionRequest

    return AmbitionRequest(detect=detect, treat=treat, combined=combined)


def engine_choice(engine: str, master: str | None) -> EngineChoice:
    from joinedup.app.store import EngineChoice

    return EngineChoice(name=engine, master=master)


def publication(publish: bool, suppress_max: int, round_to: int) -> PublicationPolicy | None:
    from joinedup.app.programme import PublicationPolicy

    return PublicationPolicy(suppress_max, round_to) if publish else None


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD",
                                 param_hint=option) from None
