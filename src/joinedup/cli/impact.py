"""`joinedup impact PROGRAMME`: what extra treatment and case finding is worth a year.

Why: a programme lead often needs the size of the prize for a number, not a whole footprint run
("if we anticoagulate 400 more patients and find 150 more, how many strokes is that?"). The
command is a thin shell over `joinedup.app.impact.estimate_impact`, using the programme's own
impact model, cited parameters (or a user's override folder) and treat ambition, and says which
parameter version it used.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from joinedup.cli.errors import user_errors
from joinedup.cli.options import AmbitionTreat, Parameters, ambition_request


def impact(
    programme: Annotated[str, typer.Argument(help="Programme with an impact model, e.g. af.")],
    additional_treated: Annotated[
        int,
        typer.Option(
            "--additional-treated",
            min=0,
            help="Eligible patients already on the register who are newly treated.",
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
    ambition_treat: AmbitionTreat = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    parameters: Parameters = None,
) -> None:
    """Strokes prevented, deaths avoided and money saved a year by extra treatment."""
    from joinedup.app.impact import ImpactRequest, estimate_impact

    request = ImpactRequest(
        programme=programme, ambition=ambition_request(None, ambition_treat, None),
        parameters_dir=parameters, additional_treated=additional_treated,
        additional_found=additional_found,
    )
    with user_errors():
        answer = estimate_impact(request)
    result, parameter_set = answer.result, answer.setup.parameters
    if as_json:
        payload = {**result.to_dict(), "parameters": parameter_set.name}
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"{programme.upper()} impact ({parameter_set.label})")
    typer.echo(
        f"  newly treated: {additional_treated:,} already on the register"
        f" + {result.newly_found_treated:,.1f} of {additional_found:,} newly found"
    )
    typer.echo(f"  strokes prevented a year:  {result.strokes_prevented_per_year:,.2f}")
    if result.heart_attacks_prevented_per_year is not None:
        typer.echo(f"  heart attacks prevented:   {result.heart_attacks_prevented_per_year:,.2f}")
    typer.echo(f"  deaths avoided a year:     {result.deaths_avoided_per_year:,.2f}")
    typer.echo(f"  saved a year:              £{result.savings_gbp_per_year:,.0f}")
    typer.echo(f"  five-year cost avoided:    £{result.savings_gbp_five_year:,.0f} (at least)")
    typer.echo(
        "  Gross health and social care costs of events avoided (year one); drug costs and"
        " bleeding are not netted off. See docs/impact.md."
    )


def register(app: typer.Typer) -> None:
    """Add `joinedup impact` to the app."""
    app.command("impact")(impact)
