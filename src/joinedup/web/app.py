"""The app factory: `create_app(settings)` builds the one ASGI app `joinedup serve` runs.

Why a factory: tests, the live server and uvicorn each build an app for their own settings
(another store, another port) without global state. It opens the services once, mounts the
NHS.UK frontend's static files, adds the app-wide CSRF check and the security headers, and
includes every router listed in `ROUTERS` — the seam where dashboard pages, API endpoints and
the FHIR API are added.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from joinedup import __version__
from joinedup.app.errors import UserError
from joinedup.app.record_notify import start_notifications
from joinedup.app.serve import ServeSettings, Services, open_services
from joinedup.web import errors, fhir
from joinedup.web.api import account, audit, dashboard, record
from joinedup.web.api import willing as willing_api
from joinedup.web.api import worklists as worklists_api
from joinedup.web.csrf import csrf_guard
from joinedup.web.middleware import RequestLog, SecurityHeaders
from joinedup.web.pages import (
    admin,
    downloads,
    find_and_treat,
    home,
    signin,
    willing,
    worklists,
)
from joinedup.web.pages import record as record_pages

STATIC = Path(__file__).resolve().parent / "static"
VENDOR = STATIC / "vendor"

ROUTERS: list[tuple[str, APIRouter]] = [
    ("", signin.router),
    ("", home.router),
    ("", admin.router),
    ("", find_and_treat.router),
    ("", downloads.router),
    ("", willing.router),
    ("", worklists.router),
    ("", record_pages.router),
    ("/api", account.router),
    ("/api", audit.router),
    ("/api", dashboard.router),
    ("/api", willing_api.router),
    ("/api", worklists_api.router),
    ("/api", record.router),
    ("/fhir", fhir.router),
]
"""(prefix, router) for everything the server answers. Add a line to add a page or an API."""


def route_table(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """(method, full path template, route) for every route the app serves from its routers."""
    return [(method, prefix + route.path, route)
            for prefix, router in app.state.routers
            for route in router.routes if isinstance(route, APIRoute)
            for method in sorted(route.methods or ())]


def create_app(settings: ServeSettings, services: Services | None = None,
               routers: list[tuple[str, APIRouter]] | None = None) -> FastAPI:
    """The server's app; `routers` defaults to `ROUTERS` (tests add their own beside them)."""
    if not (VENDOR / "nhsuk-frontend.min.css").is_file():
        raise UserError(f"the NHS.UK frontend files are missing from {VENDOR}: run `make install`")
    opened = services or open_services(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop_notifications = start_notifications(opened)
        yield
        stop_notifications()
        opened.close()

    app = FastAPI(
        title="joinedup", version=__version__, lifespan=lifespan,
        description="The JSON API of an integrated care system's joinedup server. "
                    "Authenticate with `Authorization: Bearer <token>` "
                    "(`joinedup users add NAME --role ROLE --token`).",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.services = opened
    app.state.routers = ROUTERS if routers is None else routers
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/assets", StaticFiles(directory=VENDOR / "assets"), name="assets")
    for prefix, router in app.state.routers:
        app.include_router(router, prefix=prefix)
    errors.install(app)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.add_middleware(RequestLog, templates={id(route): path
                                              for _, path, route in route_table(app)})
    return app
