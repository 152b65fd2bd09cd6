"""`/api/me` (who the credentials belong to) and `/api/health` (is the server up)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from joinedup.app.access import Permission, Principal
from joinedup.web.api.models import REFUSALS, Health, Me
from joinedup.web.auth import public, require

router = APIRouter(tags=["account"])


@router.get("/me", response_model=Me, responses=REFUSALS)
def me(principal: Annotated[Principal, Depends(require(Permission.ACCOUNT_READ))]) -> Me:
    """The signed-in user (or the token's owner), their role, organisation and permissions."""
    return Me(name=principal.name, role=principal.role.value, org_code=principal.org_code,
              permissions=sorted(p.value for p in principal.permissions))


@router.get("/health", response_model=Health)
def health(_: Annotated[Principal | None, Depends(public)]) -> Health:
    """Answers while the server runs; needs no credentials."""
    return Health(status="ok")
