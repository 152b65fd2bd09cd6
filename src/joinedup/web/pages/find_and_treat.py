"""Find-and-treat pages: the footprint overview, drill-down to a practice, ranking and waves,
inequalities and progress, for every programme.

Why: a programme lead, an analyst or a board member reads the same run `joinedup run` writes,
from the whole footprint down to one practice. Every page is the app layer's `ProgrammeView` of
that run (`joinedup.app.dashboard`), exact for roles that may see exact aggregates and published
for everyone else; pages only choose rows and render them. Charts are Vega-Lite, drawn from the
rows of the table printed beside them, so every page reads the same without JavaScript.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from joinedup.app.access import Permission, Principal
from joinedup.app.dashboard import DashboardRequest, publication_for
from joinedup.app.programme_view import TABLES, ProgrammeView
from joinedup.web import charts
from joinedup.web.auth import require, services
from joinedup.web.params import On, checked_date
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.PUBLISHED_READ))]
TOP_PARETO_ROWS = 20


def programme_view(request: Request, principal: Principal, programme: str,
                   on: date | None) -> ProgrammeView:
    """The run the page shows, as this reader may see it; 404 for an unknown programme."""
    dashboard = services(request).dashboard
    if programme not in dict(dashboard.programmes()):
        raise HTTPException(status_code=404, detail=f"no programme {programme!r}")
    return dashboard.view(DashboardRequest(programme=programme, reference_date=checked_date(on)),
                          publication_for(principal))


def _context(request: Request, principal: Principal, view: ProgrammeView,
             on: date | None, **extra: Any) -> dict[str, Any]:
    return {"view": view, "qs": f"?date={on.isoformat()}" if on else "",
            "can_edit": principal.can(Permission.PLAN_EDIT), **extra}


@router.get("/find-and-treat", response_class=HTMLResponse)
def index(request: Request, principal: Reader) -> Response:
    dashboard = services(request).dashboard
    items = []
    for name, title in dashboard.programmes():
        view = dashboard.view(DashboardRequest(programme=name), publication_for(principal))
        items.append({"name": name, "title": title, "summary": view.summary})
    return render(request, "find_and_treat/index.html", {"programmes": items})


@router.get("/find-and-treat/{programme}", response_class=HTMLResponse)
def overview(request: Request, programme: str, principal: Reader, on: On = None) -> Response:
    view = programme_view(request, principal, programme, on)
    points = view.pareto()
    wave_size = int(view.targeting["wave_size"])
    return render(request, "find_and_treat/overview.html", _context(
        request, principal, view, on, footprint=view.footprint(), top=points[:TOP_PARETO_ROWS],
        pareto_spec=charts.pareto(points, wave_size), pareto_text=pareto_text(points, wave_size),
        wave_size=wave_size, ambition_text=ambition_text(view), tables=TABLES, charts=True))


@router.get("/find-and-treat/{programme}/ranking", response_class=HTMLResponse)
def ranking(request: Request, programme: str, principal: Reader, on: On = None,
            saved: Annotated[int | None, Query(ge=1)] = None) -> Response:
    view = programme_view(request, principal, programme, on)
    return render(request, "find_and_treat/ranking.html",
                  _context(request, principal, view, on, waves=view.waves(), saved=saved))


@router.get("/find-and-treat/{programme}/inequalities", response_class=HTMLResponse)
def inequalities(request: Request, programme: str, principal: Reader,
                 on: On = None) -> Response:
    view = programme_view(request, principal, programme, on)
    items = []
    for dimension, measure, series in view.inequalities:
        title = f"{measure.capitalize()} by {charts.dimension_label(dimension)}"
        items.append({"title": title, "measure": measure,
                      "spec": charts.inequality(dimension, measure, series.groups, series.rates,
                                                series.lows, series.highs),
                      "rows": list(zip(series.groups, series.rates, series.lows, series.highs,
                                       strict=True))})
    return render(request, "find_and_treat/inequalities.html",
                  _context(request, principal, view, on, charts_data=items, charts=True))


@router.get("/find-and-treat/{programme}/progress", response_class=HTMLResponse)
def progress(request: Request, programme: str, principal: Reader, on: On = None) -> Response:
    view = programme_view(request, principal, programme, on)
    trend = services(request).dashboard.progress(
        DashboardRequest(programme=programme, reference_date=on), publication_for(principal))
    return render(request, "find_and_treat/progress.html", _context(
        request, principal, view, on, progress=trend,
        trend_spec=charts.trend(trend.trend, trend.ambition_lines), charts=True))


@router.get("/find-and-treat/{programme}/areas/{code}", response_class=HTMLResponse)
def area(request: Request, programme: str, code: str, principal: Reader,
         on: On = None) -> Response:
    view = programme_view(request, principal, programme, on)
    found = view.area(code.upper())
    if found is None:
        raise HTTPException(status_code=404, detail=f"no area {code!r} in the footprint")
    qs = f"?date={on.isoformat()}" if on else ""
    trail = _trail(view, found.parents, qs)
    child = found.child_level or "practice"
    return render(request, "find_and_treat/area.html", _context(
        request, principal, view, on, area=found, trail=trail,
        level_label=_LEVELS.get(found.level, found.level), child_label=_LEVELS[child]))


@router.get("/find-and-treat/{programme}/practices/{code}", response_class=HTMLResponse)
def practice(request: Request, programme: str, code: str, principal: Reader,
             on: On = None) -> Response:
    view = programme_view(request, principal, programme, on)
    found = view.practice(code.upper())
    if found is None:
        raise HTTPException(status_code=404, detail=f"no practice {code!r} in the footprint")
    qs = f"?date={on.isoformat()}" if on else ""
    pcn = found.row.get("pcn_code")
    return render(request, "find_and_treat/practice.html", _context(
        request, principal, view, on, p=found.row, positions=found.positions,
        peers=found.pcn_peers, pcn_name=view.names.get(pcn or "", pcn or "its PCN"),
        trail=_trail(view, found.parents, qs),
        own_practice=(principal.can(Permission.PATIENTS_READ)
                      and principal.org_code == found.row["practice_code"])))


_LEVELS = {"ics": "ICS", "place": "place", "sub_icb": "sub-ICB", "pcn": "PCN",
           "practice": "practice"}


def _trail(view: ProgrammeView, parents: list[Any], qs: str) -> list[dict[str, str]]:
    base = f"/find-and-treat/{view.programme}"
    trail = [{"href": "/", "text": "Home"}, {"href": "/find-and-treat", "text": "Find and treat"},
             {"href": base + qs, "text": view.title}]
    trail += [{"href": f"{base}/areas/{p['code']}{qs}", "text": p.get("name") or p["code"]}
              for p in parents]
    return trail


def ambition_text(view: ProgrammeView) -> str:
    ambition = view.ambition
    if ambition.combined is not None:
        return (f"Ambition: {ambition.combined:.0%} of the expected eligible patients found "
                "and treated.")
    return (f"Ambition: {ambition.detect:.0%} of expected patients detected and "
            f"{ambition.treat:.0%} of eligible patients treated.")


def pareto_text(points: list[dict[str, Any]], wave_size: int) -> str:
    if not points:
        return "No willing practice has patients to find or treat."
    k = min(wave_size, len(points))
    return (f"The top {k} willing practices hold {points[k - 1]['cumulative_share']:.0%} of "
            f"the footprint's patients to find and treat; all {len(points)} willing practices "
            f"with a gap hold {points[-1]['cumulative_share']:.0%}.")
