"""`/api/audit`: the audit log for admins, newest first, a page at a time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from joinedup.app.access import Permission, Principal
from joinedup.app.audit import AuditQuery, read_audit
from joinedup.web.api.models import LARGEST_ID, REFUSALS, AuditEntryOut, AuditPage
from joinedup.web.auth import client_address, require, services

router = APIRouter(tags=["audit"])


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


@router.get("/audit", response_model=AuditPage, responses=REFUSALS)
def audit(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=LARGEST_ID)] = None,
    since: Annotated[datetime | None, Query(description="From this time (UTC if no zone)")] = None,
    until: Annotated[datetime | None, Query(description="Before this time")] = None,
    user: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    patient: Annotated[str | None, Query(max_length=64)] = None,
) -> AuditPage:
    """Audit entries matching every filter given; reading them is itself audited."""
    query = AuditQuery(limit=limit, before_id=before_id, since=_naive_utc(since),
                       until=_naive_utc(until), user_name=user, action=action, patient=patient)
    entries = read_audit(services(request).store, principal, query, client_address(request))
    return AuditPage(
        entries=[AuditEntryOut(**{**e.__dict__, "at": e.at.replace(tzinfo=UTC),
                                  "patients": list(e.patients)}) for e in entries],
        next_before_id=entries[-1].id if len(entries) == limit else None,
    )
