"""Worklists: a practice's own patients to treat, to assess and to find, with CSV/Excel copies.

Why: the practice team acts on patients, not percentages. Every route names the practice in its
path and is guarded by `require(Permission.PATIENTS_READ, org_param="practice_code")`, so only
that practice's own users get in; the use case (`joinedup.app.worklists`) checks again and audits
every view and download with the patients it lists. Sorting is by link (works without
JavaScript); downloads carry the same rows.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from joinedup.app.access import Permission, Principal
from joinedup.app.exports import FORMATS, export_table
from joinedup.app.worklists import (
    COLUMNS,
    SORTS,
    PracticeNotFound,
    Worklist,
    WorklistKind,
    WorklistRequest,
    worklist,
    worklist_counts,
)
from joinedup.web.auth import client_address, require, services
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)
PracticeMember = Annotated[Principal, Depends(require(Permission.PATIENTS_READ,
                                                      org_param="practice_code"))]
Sort = Annotated[Literal["risk_score", "age", "nhs_number", "last_recorded"] | None, Query()]
Order = Annotated[Literal["asc", "desc"] | None, Query()]
PATIENT_NOTE = ("Patient-level data for direct care by the practice. Keep it as you keep the "
                "clinical record; this download is recorded in the audit log.")


def _programme(request: Request, programme: str) -> None:
    if programme not in dict(services(request).dashboard.programmes()):
        raise HTTPException(status_code=404, detail=f"no programme {programme!r}")


def _worklist(request: Request, principal: Principal, practice_code: str, programme: str,
              kind: WorklistKind, sort: str | None, order: str | None,
              export: bool = False) -> Worklist:
    _programme(request, programme)
    try:
        return worklist(services(request).dashboard, principal,
                        WorklistRequest(practice_code, programme, kind, sort,
                                        None if order is None else order == "desc"),
                        client_address(request), export=export)
    except PracticeNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


@router.get("/practices/{practice_code}/worklists", response_class=HTMLResponse)
def index(request: Request, practice_code: str, principal: PracticeMember) -> Response:
    dashboard = services(request).dashboard
    items = []
    try:
        for name, title in dashboard.programmes():
            counts = worklist_counts(dashboard, principal, practice_code, name)
            items.append({"name": name, "title": title, "counts": counts})
    except PracticeNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return render(request, "worklists/index.html", {
        "practice_code": practice_code.upper(), "items": items, "kinds": list(WorklistKind),
        "practice_name": dashboard.names().get(practice_code.upper(), practice_code.upper())})


@router.get("/practices/{practice_code}/worklists/{programme}/{kind}",
            response_class=HTMLResponse)
def page(request: Request, practice_code: str, programme: str, kind: WorklistKind,
         principal: PracticeMember, sort: Sort = None, order: Order = None) -> Response:
    found = _worklist(request, principal, practice_code, programme, kind, sort, order)
    return render(request, "worklists/list.html", {"list": found, "sorts": SORTS,
                                                   "kinds": list(WorklistKind)})


@router.get("/practices/{practice_code}/worklists/{programme}/{kind}/download.{fmt}")
def download(request: Request, practice_code: str, programme: str, kind: WorklistKind,
             fmt: Literal["csv", "xlsx"], principal: PracticeMember, sort: Sort = None,
             order: Order = None) -> Response:
    found = _worklist(request, principal, practice_code, programme, kind, sort, order,
                      export=True)
    body = export_table(found.rows(), COLUMNS, fmt, PATIENT_NOTE, sheet=kind.value)
    name = (f"{found.practice_code}-{programme}-{kind.value}-"
            f"{found.reference_date.isoformat()}.{fmt}")
    return Response(body, media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
