"""The dashboard's JSON API: the plan, each programme's run, its areas, practices and tables.

Why: everything the pages show, for scripts and other tools, under the same roles — exact for
roles that may see exact aggregates, published for everyone else (the `publication` field says
which) — read from the same `ProgrammeView` the pages render.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request

from joinedup.app.access import Permission, Principal
from joinedup.app.dashboard import DashboardRequest, publication_for
from joinedup.app.partnership import PlanView, plan_view
from joinedup.app.programme_view import PROGRESS_TABLES, TABLES, ProgrammeView
from joinedup.web.api.dashboard_models import (
    MISTAKES,
    AmbitionOut,
    AreaOut,
    AreaProgressOut,
    PeerOut,
    PlanOut,
    PracticeOut,
    PriorityOut,
    ProgrammeOut,
    ProgressOut,
    ReadingOut,
    SummaryOut,
    TableOut,
)
from joinedup.web.api.models import REFUSALS
from joinedup.web.auth import require, services
from joinedup.web.params import dashboard_request

router = APIRouter(tags=["dashboard"], responses={**REFUSALS, **MISTAKES})
Reader = Annotated[Principal, Depends(require(Permission.PUBLISHED_READ))]
Asked = Annotated[DashboardRequest, Depends(dashboard_request)]


def _view(request: Request, principal: Principal, asked: DashboardRequest) -> ProgrammeView:
    dashboard = services(request).dashboard
    if asked.programme not in dict(dashboard.programmes()):
        raise HTTPException(status_code=404, detail=f"no programme {asked.programme!r}")
    return dashboard.view(asked, publication_for(principal))


@router.get("/plan", response_model=PlanOut)
def plan(request: Request, principal: Reader) -> PlanOut:
    """The partnership plan with each ambition's progress in every area it targets."""
    source = services(request).plan
    if source is None:
        return PlanOut(configured=False, title=None, description=None, published=False,
                       status={}, priorities=[])
    return _plan_out(plan_view(source, services(request).dashboard,
                               publication_for(principal)))


@router.get("/programmes", response_model=list[ProgrammeOut])
def programmes(request: Request, _: Reader) -> list[ProgrammeOut]:
    """The find-and-treat programmes this server can run."""
    return [ProgrammeOut(name=n, title=t) for n, t in services(request).dashboard.programmes()]


@router.get("/programmes/{programme}", response_model=SummaryOut)
def summary(request: Request, principal: Reader, asked: Asked) -> SummaryOut:
    """The footprint's headline: counts, rates, gaps, impact, waves (summary.json)."""
    view = _view(request, principal, asked)
    return SummaryOut(programme=view.programme, title=view.title,
                      reference_date=view.reference_date, publication=view.note,
                      summary=view.summary, targeting=view.targeting)


@router.get("/programmes/{programme}/areas/{code}", response_model=AreaOut)
def area(request: Request, code: str, principal: Reader, asked: Asked) -> AreaOut:
    """An ICS, place, sub-ICB or PCN: its roll-up, the rows one level down, the areas above."""
    view = _view(request, principal, asked)
    found = view.area(code.upper())
    if found is None:
        raise HTTPException(status_code=404, detail=f"no area {code!r} in the footprint")
    return AreaOut(level=found.level, code=found.code, name=found.name, row=dict(found.row),
                   child_level=found.child_level, children=[dict(r) for r in found.children],
                   parents=[dict(r) for r in found.parents], publication=view.note)


@router.get("/programmes/{programme}/practices/{code}", response_model=PracticeOut)
def practice(request: Request, code: str, principal: Reader, asked: Asked) -> PracticeOut:
    """A practice's row, the areas above it, its PCN's practices and its rank among peers."""
    view = _view(request, principal, asked)
    found = view.practice(code.upper())
    if found is None:
        raise HTTPException(status_code=404, detail=f"no practice {code!r} in the footprint")
    return PracticeOut(practice=dict(found.row), parents=[dict(r) for r in found.parents],
                       pcn_peers=[dict(r) for r in found.pcn_peers],
                       positions=[PeerOut(**p.__dict__) for p in found.positions],
                       publication=view.note)


@router.get("/programmes/{programme}/tables/{table}", response_model=TableOut)
def table(request: Request, table: str, principal: Reader, asked: Asked) -> TableOut:
    """One table as the pages show it and the downloads carry it: practices, rollups, waves,
    pareto, breakdowns, pcn_need, progress or improvers."""
    view = _view(request, principal, asked)
    if table in TABLES:
        columns, rows = view.table(table)
        note = view.note
    elif table in PROGRESS_TABLES:
        progress_view = services(request).dashboard.progress(asked, publication_for(principal))
        columns, rows = progress_view.table(table)
        note = progress_view.note
    else:
        raise HTTPException(status_code=404, detail=f"no table {table!r}; choose from "
                                                    f"{', '.join([*TABLES, *PROGRESS_TABLES])}")
    return TableOut(table=table, columns=list(columns),
                    rows=[{c: r.get(c) for c in columns} for r in rows], publication=note)


@router.get("/programmes/{programme}/progress", response_model=ProgressOut)
def progress(request: Request, principal: Reader, asked: Asked) -> ProgressOut:
    """The footprint at each quarter end up to the date, against the ambition."""
    _view(request, principal, asked)
    found = services(request).dashboard.progress(asked, publication_for(principal))
    return ProgressOut(programme=found.programme, periods=found.periods, trend=found.trend,
                       ambition_lines=found.ambition_lines, pace=found.pace,
                       publication=found.note)


def _plan_out(view: PlanView) -> PlanOut:
    priorities = []
    for priority, ambitions in view.priorities:
        items = []
        for item in ambitions:
            a = item.ambition
            measure = (a.measure if a.measure is not None else
                       f"{a.programme_figure.programme}.{a.programme_figure.figure}"
                       if a.programme_figure else "")
            items.append(AmbitionOut(
                key=a.key, title=a.title, description=a.description,
                triple_aim=[t.value for t in a.triple_aim], direction=a.direction.value,
                measure=measure, unit=item.unit, source=item.source,
                progress=[_progress(p, view) for p in item.progress]))
        priorities.append(PriorityOut(key=priority.key, title=priority.title,
                                      description=priority.description, ambitions=items))
    return PlanOut(configured=True, title=view.plan.title, description=view.plan.description,
                   published=view.published,
                   status={s.value: n for s, n in view.status.items()}, priorities=priorities)


def _progress(p: Any, view: PlanView) -> AreaProgressOut:
    def reading(r: Any) -> ReadingOut | None:
        return None if r is None else ReadingOut(period_end=r.period_end, value=r.value)

    return AreaProgressOut(area=p.area, area_name=view.area_name(p.area), by=p.by,
                           target=p.target, baseline=reading(p.baseline),
                           current=reading(p.current), status=p.status.value,
                           share_of_way=p.share_of_way, expected_share=p.expected_share)
