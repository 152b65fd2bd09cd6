"""The willing list and wave plan editor, for programme leads.

Why: practices opt in to support over weeks, by phone and email; the programme lead keeps the
list here rather than in a spreadsheet passed around. A save is a new version in the
operational store, audited, and used at once by the dashboard and by the next `joinedup run`
(`joinedup.app.saved_plans`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.app.access import Permission, Principal
from joinedup.app.errors import UserError
from joinedup.app.saved_plans import save_plan
from joinedup.web.auth import client_address, require, services
from joinedup.web.pages.find_and_treat import programme_view
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)
Editor = Annotated[Principal, Depends(require(Permission.PLAN_EDIT))]


def _form(request: Request, principal: Principal, programme: str, *, error: str | None = None,
          ticked: set[str] | None = None, all_willing: bool | None = None,
          wave_size: str | None = None, max_waves: str | None = None) -> Response:
    view = programme_view(request, principal, programme, None)
    dashboard = services(request).dashboard
    current = dashboard.saved_plan(programme)
    if ticked is None:
        ticked = {p["practice_code"] for p in view.practices if p.get("willing")}
    return render(request, "find_and_treat/willing.html", {
        "view": view, "error": error, "ticked": ticked,
        "all_willing": (current is None or current.willing is None) if all_willing is None
        else all_willing,
        "wave_size": wave_size or view.targeting["wave_size"],
        "max_waves": view.targeting["max_waves"] if max_waves is None else max_waves,
        "history": dashboard.ops.plans.history(programme),
    }, status_code=400 if error else 200)


@router.get("/find-and-treat/{programme}/willing", response_class=HTMLResponse)
def edit(request: Request, programme: str, principal: Editor) -> Response:
    return _form(request, principal, programme)


@router.post("/find-and-treat/{programme}/willing", response_class=HTMLResponse)
def save(request: Request, programme: str, principal: Editor,
         scope: Annotated[str, Form()] = "listed",
         willing: Annotated[list[str] | None, Form()] = None,
         wave_size: Annotated[str, Form()] = "",
         max_waves: Annotated[str, Form()] = "") -> Response:
    ticked = {c.strip().upper() for c in willing or [] if c.strip()}
    every = scope == "all"

    def again(message: str) -> Response:
        return _form(request, principal, programme, error=message, ticked=ticked,
                     all_willing=every, wave_size=wave_size, max_waves=max_waves)

    size = _whole(wave_size)
    if size is None or size < 1:
        return again("Enter the number of practices in each wave, a whole number from 1")
    most = _whole(max_waves) if max_waves.strip() else None
    if max_waves.strip() and (most is None or most < 1):
        return again("Enter the most waves to plan as a whole number from 1, or leave it empty")
    dashboard = services(request).dashboard
    programme_view(request, principal, programme, None)  # 404 for an unknown programme
    try:
        saved = save_plan(services(request).store, principal, programme,
                          None if every else sorted(ticked), size, most,
                          dashboard.practice_codes(programme), client_address(request))
    except UserError as exc:
        return again(str(exc))
    return RedirectResponse(f"/find-and-treat/{programme}/ranking?saved={saved.version}",
                            status_code=303)


def _whole(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None
