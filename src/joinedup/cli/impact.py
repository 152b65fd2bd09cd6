"""`joinedup impact PROGRAMME`: what extra treatment and case finding is worth a year.

Why: a programme lead often needs the size of the prize for a number, not a whole footprint run
("if we anticoagulate 400 more patients and find 150 more, how many strokes is that?"). The
command is a thin shell over `joinedup.app.impact.estimate_impact`, using the programme's own
impact model, cited parameters (or a user's override folder) and treat ambition, and says which
parameter version it used.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from joinedup.cli import options
from joinedup.cli.errors import user_errors


@click.command("impact")
@click.argument("programme", help="Programme with an impact model, e.g. af.")
@click.option(
    "--additional-treated",
    type=click.IntRange(min=0),
    required=True,
    help="Eligible patients already on the register who are newly treated.",
)
@click.option(
    "--additional-found",
    type=click.IntRange(min=0),
    default=0,
    help="Patients newly found; the eligible share of them is treated at the ambition.",
)
@options.ambition_treat
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@options.parameters
def impact(
    programme: str,
    additional_treated: int,
    additional_found: int,
    ambition_treat: float | None,
    as_json: bool,
    parameters: Path | None,
) -> None:
    """Strokes prevented, deaths avoided and money saved a year by extra treatment."""
    from joinedup.app.impact import ImpactRequest, estimate_impact

    request = ImpactRequest(
        programme=programme,
        ambition=options.ambition_request(None, ambition_treat, None),
        parameters_dir=parameters,
        additional_treated=additional_treated,
        additional_found=additional_found,
    )
    with user_errors():
        answer = estimate_impact(request)
    result, parameter_set = answer.result, answer.setup.parameters
    if as_json:
        payload = {**result.to_dict(), "parameters": parameter_set.name}
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(f"{programme.upper()} impact ({parameter_set.label})")
    click.echo(
        f"  newly treated: {additional_treated:,} already on the register"
        f" + {result.newly_found_treated:,.1f} of {additional_found:,} newly found"
    )
    click.echo(f"  strokes prevented a year:  {result.strokes_prevented_per_year:,.2f}")
    if result.heart_attacks_prevented_per_year is not None:
        click.echo(f"  heart attacks prevented:   {result.heart_attacks_prevented_per_year:,.2f}")
    click.echo(f"  deaths avoided a year:     {result.deaths_avoided_per_year:,.2f}")
    click.echo(f"  saved a year:              £{result.savings_gbp_per_year:,.0f}")
    click.echo(f"  five-year cost avoided:    £{result.savings_gbp_five_year:,.0f} (at least)")
    click.echo(
        "  Gross health and social care costs of events avoided (year one); drug costs and"
        " bleeding are not netted off. See docs/impact.md."
    )


def register(app: click.Group) -> None:
    """Add `joinedup impact` to the app."""
    app.add_command(impact)
