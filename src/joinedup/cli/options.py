"""Options and checks that several commands share, declared once so they cannot drift apart.

`joinedup run` and `joinedup progress` take the same ambitions, parameter overrides and
publication settings, and report the same kinds of user error.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.errors import fail
from joinedup.domain.codelists import CodelistError
from joinedup.domain.disclosure import DisclosureError, PublicationPolicy
from joinedup.domain.errors import UserError
from joinedup.domain.parameters import ParameterError
from joinedup.domain.programme import ProgrammeError
from joinedup.domain.targeting import TargetingError
from joinedup.run import RunError

USER_ERRORS: tuple[type[Exception], ...] = (
    RunError, ProgrammeError, ParameterError, CodelistError, TargetingError, DisclosureError,
    UserError,
)
"""Errors a user can fix: shown as one `error:` line, never a traceback."""

Db = Annotated[Path, typer.Option("--db", help="DuckDB store made by `joinedup load` or "
                                                "`joinedup import`.")]
AmbitionDetect = Annotated[float | None, typer.Option(
    "--ambition-detect", min=0, max=1,
    help="Share of expected patients to detect (default from the programme: 0.85 for AF).",
)]
AmbitionTreat = Annotated[float | None, typer.Option(
    "--ambition-treat", min=0, max=1,
    help="Share of eligible patients to treat (default from the programme: 0.90 for AF).",
)]
AmbitionCombined = Annotated[float | None, typer.Option(
    "--ambition", min=0, max=1,
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


def check_ambitions(combined: float | None, detect: float | None, treat: float | None) -> None:
    if combined is not None and (detect is not None or treat is not None):
        raise fail("use either --ambition or --ambition-detect/--ambition-treat, not both")


def publication(publish: bool, suppress_max: int, round_to: int) -> PublicationPolicy | None:
    return PublicationPolicy(suppress_max, round_to) if publish else None


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD",
                                 param_hint=option) from None
