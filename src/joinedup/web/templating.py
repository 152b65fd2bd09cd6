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
    ("Find and treat", "/find-and-treat", Permission.PUBLISHED_READ),
    ("Worklists", "/practices/{org_code}/worklists", Permission.PATIENTS_READ),
    ("Users", "/admin", Permission.USERS_MANAGE),
    ("Audit log", "/admin/audit", Permission.AUDIT_READ),
    ("In hospital", "/record/hospital", Permission.PATIENTS_READ),
]
"""Header links, each shown only to roles holding its permission; `{org_code}` is the user's
own organisation."""


def navigation(principal: Principal | None, path: str) -> list[dict[str, Any]]:
    if principal is None:
        return []
    links = []
    for text, href, permission in NAVIGATION:
        if not principal.can(permission) or ("{org_code}" in href and not principal.org_code):
            continue
        target = href.replace("{org_code}", principal.org_code or "")
        current = path == target or (target != "/" and path.startswith(target + "/"))
        links.append({"text": text, "href": target, "current": current})
    return links


def percent(value: object, digits: int = 1) -> str:
    """A share as a percentage ("85.1%"); a dash when unknown or not shown."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return "–"
    return f"{value * 100:.{digits}f}%"


def number(value: object, digits: int = 0) -> str:
    """A figure with thousands separators; a dash when unknown or not shown."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return "–"
    return f"{value:,.{digits}f}"


def measure(value: object, unit: str) -> str:
    """A plan measure's value: a share as a percentage, "%" values as given, others as a number
    (the page names the unit beside the measure)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return "–"
    if unit == "share":
        return percent(value)
    return f"{value:,.1f}%" if unit == "%" else f"{value:,.1f}"


environment.filters["percent"] = percent
environment.filters["number"] = number
environment.filters["measure"] = measure
environment.globals["status_class"] = {
    "achieved": "nhsuk-tag--green", "on track": "nhsuk-tag--blue", "behind": "nhsuk-tag--red",
    "no baseline": "nhsuk-tag--grey", "not measured": "nhsuk-tag--grey"}
"""The NHS.UK tag colour for each status of an ambition (domain.partnership.Status)."""


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
