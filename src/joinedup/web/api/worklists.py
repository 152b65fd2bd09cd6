"""`/api/practices/{practice_code}/worklists/{programme}/{kind}`: a practice's worklist as JSON.

Why: practice systems and scripts can take the same lists the pages show, under the same rule
(only the practice's own users) and the same audit (every answer records the patients in it).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from joinedup.app.access import Permission, Principal
from joinedup.app.worklists import (
    PracticeNotFound,
    WorklistKind,
    WorklistRequest,
    worklist,
)
from joinedup.web.api.dashboard_models import (
    MISTAKES,
    RecordedOut,
    WorklistEntryOut,
    WorklistOut,
)
from joinedup.web.api.models import REFUSALS
from joinedup.web.auth import client_address, require, services

router = APIRouter(tags=["worklists"], responses={**REFUSALS, **MISTAKES})


@router.get("/practices/{practice_code}/worklists/{programme}/{kind}",
            response_model=WorklistOut)
def read(
    request: Request, practice_code: str, programme: str, kind: WorklistKind,
    principal: Annotated[Principal, Depends(require(Permission.PATIENTS_READ,
                                                    org_param="practice_code"))],
    sort: Annotated[Literal["risk_score", "age", "nhs_number", "last_recorded"] | None,
                    Query()] = None,
    order: Annotated[Literal["asc", "desc"] | None, Query()] = None,
) -> WorklistOut:
    """The practice's patients on list `kind`, each with why and what was last recorded.
    Audited with every patient listed."""
    dashboard = services(request).dashboard
    if programme not in dict(dashboard.programmes()):
        raise HTTPException(status_code=404, detail=f"no programme {programme!r}")
    try:
        found = worklist(dashboard, principal,
                         WorklistRequest(practice_code, programme, kind, sort,
                                         None if order is None else order == "desc"),
                         client_address(request))
    except PracticeNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return WorklistOut(
        practice_code=found.practice_code, practice_name=found.practice_name,
        programme=found.programme, kind=found.kind.value, reference_date=found.reference_date,
        sort=found.sort, descending=found.descending,
        entries=[WorklistEntryOut(
            nhs_number=e.nhs_number, patient_id=e.patient_id, age=e.age, sex=e.sex,
            risk_score=e.risk_score, reasons=list(e.reasons),
            last_recorded=[RecordedOut(label=r.label, date=r.day, value=r.value)
                           for r in e.last_recorded])
            for e in found.entries])
