"""`joinedup impact PROGRAMME`: what extra treatment and case finding is worth a year.

Why: a programme lead often needs the size of the prize for a number, not a whole footprint run
("if we anticoagulate 400 more patients and find 150 more, how many strokes is that?"). The
command is a thin shell over `joinedup.domain.impact.impact_of`, using the programme's packaged
cited parameters or a user's override folder, and says which parameter version it used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.errors import fail
from joinedup.domain.ambitions import Ambition
from joinedup.domain.impact import ImpactError, impact_model_for
from joinedup.domain.parameters import ParameterError
from joinedup.programmes import load_parameters, load_programme


def impact(
    programme: Annotated[str, typer.Argument(help="Programme with an impact model, e.g. af.")],
    additional_treated: Annotated[
        int,
        typer.Option(
            "--additional-treated",
            min=0,
            help="Eligible patients already on the register who are newly anticoagulated.",
        ),
    ],
    additional_found: Annotated[
        int,
        typer.Option(
            "--additional-found",
            min=0,
            help="Patients newly found; the eligible share of them is treated at the ambition.",
        ),
    ] = 0,
    treat_ambition: Annotated[
        float | None,
        typer.Option(
            "--treat-ambition",
            min=0.0,
            max=1.0,
            help="Share of newly found eligible patients then treated, when impact.csv leaves "
            "it to the ambition [default: the programme's treat ambition].",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    parameters: Annotated[
        Path | None,
        typer.Option(
            "--parameters",
            help="Folder of CSVs overriding the packaged parameters (same names and columns).",
        ),
    ] = None,
) -> None:
    """Strokes prevented, deaths avoided and money saved a year by extra treatment."""
    try:
        definition = load_programme(programme)
        parameter_set = load_parameters(definition, parameters)
        model = impact_model_for(definition.impact_model, parameter_set)
        treat = definition.ambitions.treat if treat_ambition is None else treat_ambition
        ambition = Ambition(detect=definition.ambitions.detect, treat=treat)
        result = model.for_additional(additional_treated, additional_found, ambition)
    except (ParameterError, ImpactError, ValueError) as exc:
        raise fail(str(exc)) from None

    if as_json:
        payload = {**result.to_dict(), "parameters": parameter_set.name}
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"{programme.upper()} impact ({parameter_set.label})")
    typer.echo(
        f"  anticoagulated: {additional_treated:,} already on the register"
        f" + {result.newly_found_treated:,.1f} of {additional_found:,} newly found"
    )
    typer.echo(f"  strokes prevented a year:  {result.strokes_prevented_per_year:,.2f}")
    typer.echo(f"  deaths avoided a year:     {result.deaths_avoided_per_year:,.2f}")
    typer.echo(f"  saved a year:              £{result.savings_gbp_per_year:,.0f}")
    typer.echo(f"  five-year cost avoided:    £{result.savings_gbp_five_year:,.0f} (at least)")
    typer.echo(
        "  Gross health and social care costs of strokes avoided (year one); drug costs and"
        " bleeding are not netted off. See docs/impact.md."
    )


def register(app: typer.Typer) -> None:
    """Add `joinedup impact` to the app."""
    app.command("impact")(impact)
