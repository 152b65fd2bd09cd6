"""Rendering pages with the NHS.UK design system.

Why: pages use the NHS.UK frontend's own Jinja components (the `nhsuk-frontend-jinja` package,
the same markup as the `nhsuk-frontend` npm package whose CSS and JS we serve), so they look and
behave like other NHS services and inherit that design system's accessibility work. Every page is
rendered through `render`, which adds what the layout needs (the principal, the navigation their
role allows, the CSRF token for forms) and sends a new CSRF cookie when one was made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

from joinedup.app.access import Permission, Principal
from joinedup.web import csrf
from joinedup.web.auth import current_principal

TEMPLATES = Path(__file__).resolve().parent / "templates"

environment = Environment(
    loader=ChoiceLoader([FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja")]),
    undefined=ChainableUndefined,
    autoescape=True,
)

NAVIGATION: list[tuple[str, str, Permission]] = [
    ("Home", "/", Permission.ACCOUNT_READ),
    ("Users", "/admin", Permission.USERS_MANAGE),
    ("Audit log", "/admin/audit", Permission.AUDIT_READ),
    ("In hospital", "/record/hospital", Permission.PATIENTS_READ),
]
"""Header links, each shown only to roles holding its permission. Dashboard pages add theirs."""


def navigation(principal: Principal | None, path: str) -> list[dict[str, Any]]:
    if principal is None:
        return []
    return [{"text": text, "href": href, "current": path == href}
            for text, href, permission in NAVIGATION if principal.can(permission)]


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    principal = current_principal(request) if hasattr(request.state, "principal") else None
    values = {
        "principal": principal,
        "navigation": navigation(principal, request.url.path),
        "csrf_field": csrf.CSRF_FIELD,
        "csrf_token": csrf.csrf_token(request),
        **(context or {}),
    }
    html = environment.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    csrf.set_cookie(request, response)
    return response
