"""`joinedup serve`: the dashboard, the JSON API and the FHIR API in one web server.

Why: partners use joinedup through a browser and scripts through the API, with the users, roles
and audit log of the operational store (see docs/web.md). This command resolves the stores, builds
the app with the web package's factory, and runs it with uvicorn; FastAPI, uvicorn and the web
package load only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.errors import fail
from joinedup.cli.users import Ops


def serve(
    db: Annotated[Path, typer.Option("--db", help="Analytics store (from `joinedup load` or "
                                                  "`joinedup import`) the dashboard reads.")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Keep the default "
                                                     "(loopback) behind a TLS proxy.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
                    ] = 8000,
    ops: Ops = None,
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="The partnership plan (TOML) the home page shows, with its measures "
                       "file (docs/dashboard.md).")] = None,
    trend: Annotated[int, typer.Option(
        "--trend", min=2, max=40, help="Quarters the find-and-treat progress pages measure.")
    ] = 4,
) -> None:
    """Serve the dashboard, the JSON API (/api) and the FHIR API (/fhir)."""
    from joinedup.app.errors import UserError
    from joinedup.app.serve import open_services, run_server, settings_for
    from joinedup.web.app import create_app

    try:
        settings = settings_for(db, ops, host, port, plan=plan, trend_periods=trend)
        services = open_services(settings)
        if not services.store.accounts.count_admins():
            typer.echo("no admin yet: add one with `joinedup users add NAME --role admin "
                       "--password-stdin --db …`", err=True)
        app = create_app(settings, services)
    except UserError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"joinedup serving on http://{host}:{port} (API description: /api/openapi.json)",
               err=True)
    services.warm_up()  # the plan and each programme's run, in the background
    run_server(app, settings)


def register(app: typer.Typer) -> None:
    """Add `joinedup serve` to the app."""
    app.command("serve")(serve)
