"""The practice's hospital page: which of its patients are in hospital now, who came home this
week.

Why: the shared care record tells a practice the moment its patients are admitted or discharged
(issue 11) so follow-up and discharge planning start early; this page is where a practice user
sees that without a FHIR client. It lists the practice's own registered patients only, and
viewing it is audited as a view of each patient listed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from joinedup.app.access import Permission, Principal
from joinedup.app.record import record_service
from joinedup.app.record_notify import hospital_activity
from joinedup.web.auth import client_address, require, services
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/record/hospital", response_class=HTMLResponse)
def hospital_page(request: Request,
                  principal: Annotated[Principal, Depends(require(Permission.PATIENTS_READ))]
                  ) -> Response:
    practice = principal.org_code or ""
    now, week = hospital_activity(record_service(services(request)), principal, practice,
                                  client=client_address(request))
    return render(request, "record_hospital.html",
                  {"practice": practice, "in_hospital": now, "discharged": week})
