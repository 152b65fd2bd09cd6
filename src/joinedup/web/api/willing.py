"""`/api/programmes/{programme}/willing`: read and replace the saved willing list and waves.

Why: a programme lead's own spreadsheet or script can keep the willing list; a PUT saves a new
version exactly as the dashboard's form does (checked, audited, used by the next run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from joinedup.app.access import Permission, Principal
from joinedup.app.saved_plans import DEFAULT_WAVE_SIZE, save_plan
from joinedup.web.api.dashboard_models import MISTAKES, SavedPlanIn, SavedPlanOut
from joinedup.web.api.models import REFUSALS
from joinedup.web.auth import client_address, require, services

if TYPE_CHECKING:
    from joinedup.app.saved_plans import SavedPlan

router = APIRouter(tags=["dashboard"], responses={**REFUSALS, **MISTAKES})


def _known(request: Request, programme: str) -> None:
    if programme not in dict(services(request).dashboard.programmes()):
        raise HTTPException(status_code=404, detail=f"no programme {programme!r}")


def _out(programme: str, saved: SavedPlan | None) -> SavedPlanOut:
    if saved is None:
        return SavedPlanOut(programme=programme, version=None, willing=None,
                            wave_size=DEFAULT_WAVE_SIZE, max_waves=None, saved_by=None,
                            saved_at=None)
    return SavedPlanOut(programme=programme, version=saved.version,
                        willing=None if saved.willing is None else sorted(saved.willing),
                        wave_size=saved.wave_size, max_waves=saved.max_waves,
                        saved_by=saved.saved_by, saved_at=saved.saved_at)


@router.get("/programmes/{programme}/willing", response_model=SavedPlanOut)
def read(request: Request, programme: str,
         _: Annotated[Principal, Depends(require(Permission.PUBLISHED_READ))]) -> SavedPlanOut:
    """The willing list and waves in force (the latest saved version, or the default)."""
    _known(request, programme)
    return _out(programme, services(request).dashboard.saved_plan(programme))


@router.put("/programmes/{programme}/willing", response_model=SavedPlanOut)
def replace(request: Request, programme: str, body: SavedPlanIn,
            principal: Annotated[Principal, Depends(require(Permission.PLAN_EDIT))]
            ) -> SavedPlanOut:
    """Save a new version of the willing list and waves (programme leads)."""
    _known(request, programme)
    dashboard = services(request).dashboard
    saved = save_plan(services(request).store, principal, programme, body.willing,
                      body.wave_size, body.max_waves, dashboard.practice_codes(programme),
                      client_address(request))
    return _out(programme, saved)
