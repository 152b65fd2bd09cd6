"""The shapes of the API's answers, so the OpenAPI document describes them exactly."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Me(BaseModel):
    name: str
    role: str
    org_code: str | None = Field(description="ODS code of the user's organisation, if any")
    permissions: list[str]


class AuditEntryOut(BaseModel):
    id: int
    at: datetime = Field(description="UTC")
    user_name: str
    user_id: int | None
    role: str | None
    org_code: str | None
    action: str
    resource: str
    outcome: str
    reason: str | None
    client_address: str | None
    patients: list[str] = Field(description="Internal ids or NHS numbers the action touched")


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_before_id: int | None = Field(
        description="Pass as before_id for the next (older) page; null on the last page")


class Problem(BaseModel):
    detail: str


REFUSALS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem, "description": "No valid credentials (send a bearer token)"},
    403: {"model": Problem, "description": "The credentials' role or organisation may not"},
}
"""The refusals every guarded endpoint can answer; pass as `responses=REFUSALS`."""


LARGEST_ID = 2**63 - 1
"""The largest row id both databases store (a 64-bit signed integer): the bound on id queries."""


class Health(BaseModel):
    status: str
