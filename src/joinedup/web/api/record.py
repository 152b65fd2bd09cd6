"""`/api/record/…`: the shared care record's admin views — break glass to review, dead letters.

Why: breaking the glass is allowed in an emergency but every instance is flagged until an admin
reviews it, and notifications an endpoint refused wait in a dead-letter list until an admin
replays them (docs/record.md). Neither shows a patient's values: grants name the patient's
record id, letters the subscription and event number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request
from pydantic import BaseModel, Field

from joinedup.app.access import Permission, Principal
from joinedup.app.record import Grant, record_service
from joinedup.app.record_notify import dead_letters, replay
from joinedup.web.api.models import REFUSALS
from joinedup.web.auth import client_address, require, services

router = APIRouter(tags=["record"])


class GrantOut(BaseModel):
    id: int
    user_name: str
    org_code: str | None
    patient: str = Field(description="The Patient resource's id in the record")
    reason: str
    started_at: datetime
    expires_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_note: str | None


class Review(BaseModel):
    note: str = Field(min_length=1, max_length=2000, pattern=r"\S",
                      description="What was checked and found")


class LetterOut(BaseModel):
    id: int
    subscription_id: str
    topic: str
    event_number: int
    attempts: int
    created_at: datetime
    last_error: str | None


class Replayed(BaseModel):
    replayed: int


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def _grant(grant: Grant) -> GrantOut:
    return GrantOut(id=grant.id, user_name=grant.user_name, org_code=grant.org_code,
                    reason=grant.reason, reviewed_by=grant.reviewed_by,
                    review_note=grant.review_note, patient=grant.patient_id,
                    started_at=grant.started_at.replace(tzinfo=UTC),
                    expires_at=grant.expires_at.replace(tzinfo=UTC),
                    reviewed_at=_utc(grant.reviewed_at))


@router.get("/record/break-glass", response_model=list[GrantOut], responses=REFUSALS)
def glass_to_review(
    request: Request, principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
) -> list[GrantOut]:
    """Emergency accesses not yet reviewed, oldest first."""
    return [_grant(g) for g in record_service(services(request)).glass_to_review(principal)]


@router.post("/record/break-glass/{grant_id}/review", response_model=GrantOut,
             responses={**REFUSALS, 404: {"description": "No break-glass access has that id"},
                        409: {"description": "Already reviewed"}})
def review(
    request: Request, grant_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Annotated[Review, Body()],
    principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
) -> GrantOut:
    """Record the review of one emergency access."""
    grant = record_service(services(request)).review_glass(
        principal, grant_id, body.note, client_address(request))
    return _grant(grant)


@router.get("/record/dead-letters", response_model=list[LetterOut], responses=REFUSALS)
def letters(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.NOTIFICATIONS_MANAGE))],
) -> list[LetterOut]:
    """Notifications given up on after every retry."""
    found = dead_letters(record_service(services(request)), principal)
    return [LetterOut(id=x.id, subscription_id=x.subscription_id, topic=x.topic,
                      event_number=x.event_number, attempts=x.attempts,
                      created_at=x.created_at.replace(tzinfo=UTC), last_error=x.last_error)
            for x in found]


@router.post("/record/dead-letters/replay", response_model=Replayed, responses=REFUSALS)
def replay_letters(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.NOTIFICATIONS_MANAGE))],
) -> Replayed:
    """Put every dead letter back in the queue, in its original order."""
    count = replay(record_service(services(request)), principal,
                   client=client_address(request))
    return Replayed(replayed=count)
