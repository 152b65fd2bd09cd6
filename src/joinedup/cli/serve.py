"""`joinedup serve`: the dashboard, the JSON API and the FHIR API in one web server.

Why: partners use joinedup through a browser and scripts through the API, with the users, roles
and audit log of the operational store (see docs/web.md). This command resolves the stores, builds
the app with the web package's factory, and runs it with uvicorn; FastAPI, uvicorn and the web
package load only when the command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from joinedup.cli.errors import fail
from joinedup.cli.options import PATH
from joinedup.cli.users import ops_option


@click.command("serve")
@click.option(
    "--db",
    type=PATH,
    required=True,
    help="Analytics store (from `joinedup load` or `joinedup import`) the dashboard reads.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    help="Address to listen on. Keep the default (loopback) behind a TLS proxy.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, help="Port to listen on.")
@ops_option
@click.option(
    "--plan",
    type=PATH,
    help="The partnership plan (TOML) the home page shows, with its measures file "
    "(docs/dashboard.md).",
)
@click.option(
    "--trend",
    type=click.IntRange(2, 40),
    default=4,
    help="Quarters the find-and-treat progress pages measure.",
)
def serve(db: Path, host: str, port: int, ops: str | None, plan: Path | None, trend: int) -> None:
    """Serve the dashboard, the JSON API (/api) and the FHIR API (/fhir)."""
    from joinedup.app.errors import UserError
    from joinedup.app.serve import open_services, run_server, settings_for
    from joinedup.web.app import create_app

    try:
        settings = settings_for(db, ops, host, port, plan=plan, trend_periods=trend)
        services = open_services(settings)
        if not services.store.accounts.count_admins():
            click.echo(
                "no admin yet: add one with `joinedup users add NAME --role admin "
                "--password-stdin --db …`",
                err=True,
            )
        app = create_app(settings, services)
    except UserError as exc:
        raise fail(str(exc)) from None
    click.echo(
        f"joinedup serving on http://{host}:{port} (API description: /api/openapi.json)", err=True
    )
    services.warm_up()  # the plan and each programme's run, in the background
    run_server(app, settings)


def register(app: click.Group) -> None:
    """Add `joinedup serve` to the app."""
    app.add_command(serve)
