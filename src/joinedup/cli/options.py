"""Options that several commands share, declared once so they cannot drift apart.

`joinedup run`, `joinedup progress` and `joinedup impact` take the same ambitions, parameter
overrides and publication settings under the same names and defaults. Each is a click decorator
(`@options.db`), and `ambitions`, `publication_options` and `engine_options` apply a set of them in
one line. Nothing here imports more than click: the use cases load only inside the command that
needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from joinedup.app.programme import AmbitionRequest, PublicationPolicy
    from joinedup.app.store import EngineChoice

F = TypeVar("F", bound=Callable[..., object])
"""A command function, before or after click's decorators wrap it."""

PATH = click.Path(path_type=Path)
"""A file or folder on the command line, passed to the command as a `Path`. Whether it exists is
the use case's check, so the message can say what the path was for."""


def together(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several option decorators as one, applied so the options list in the order given."""

    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


db = click.option(
    "--db",
    type=PATH,
    required=True,
    help="DuckDB store made by `joinedup load` or `joinedup import`.",
)
ambition_detect = click.option(
    "--ambition-detect",
    type=float,
    help="Share of expected patients to detect (default: the programme's, 0.85 for AF).",
)
ambition_treat = click.option(
    "--ambition-treat",
    type=float,
    help="Share of eligible patients to treat (default: the programme's, 0.90 for AF).",
)
ambition_combined = click.option(
    "--ambition",
    type=float,
    help="One combined 'identified and managed' ambition instead (e.g. 0.89).",
)
ambitions = together(ambition_detect, ambition_treat, ambition_combined)
parameters = click.option(
    "--parameters",
    type=PATH,
    help="Folder of CSVs overriding the programme's cited parameters.",
)
publication_options = together(
    click.option(
        "--publish",
        is_flag=True,
        help="Outputs for a wider audience: suppress small counts, round the rest.",
    ),
    click.option(
        "--suppress-max",
        type=click.IntRange(min=0),
        default=7,
        help="With --publish: suppress counts from 1 to this.",
    ),
    click.option(
        "--round-to",
        type=click.IntRange(min=1),
        default=5,
        help="With --publish: round other counts to the nearest this.",
    ),
)
engine_options = together(
    click.option(
        "--engine",
        default="duckdb",
        help="Where the measures run: duckdb (embedded) or spark (Apache Spark, from the "
        "package's spark extra, with Java 17; --db may then also be a folder of "
        "contract Parquet tables; docs/engines.md).",
    ),
    click.option(
        "--spark-master",
        metavar="URL",
        help="With --engine spark: the Spark master (default: $JOINEDUP_SPARK_MASTER, "
        "else local[*], this machine).",
    ),
)


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
        raise click.BadParameter(
            f"{value!r} is not a date in the form YYYY-MM-DD", param_hint=option
        ) from None
