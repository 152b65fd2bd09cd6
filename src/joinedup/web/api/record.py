"""`/api/record/…`: the shared care record's admin views — break glass to review, dead letters —
and a practice's patients in hospital now or discharged this week.

Why: a practice needs to know at once which of its patients are in hospital and who has just
come home (issue 11, notifications); breaking the glass is allowed in an emergency but every
instance is flagged until an admin reviews it, and notifications an endpoint refused wait in a
dead-letter list until an admin replays them (docs/record.md). The admin views show no patient's
values: grants name the patient's record id, letters the subscription and event number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request
from pydantic import BaseModel, Field

from joinedup.app.access import Permission, Principal
from joinedup.app.record import Grant, record_service
from joinedup.app.record_notify import HospitalStay, dead_letters, hospital_activity, replay
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


class StayOut(BaseModel):
    patient: str = Field(description="The Patient resource's id in the record")
    nhs_number: str | None
    name: str
    encounter: str = Field(description="The Encounter resource's id in the record")
    provider: str | None = Field(description="ODS code of the hospital")
    admitted: datetime | None
    discharged: datetime | None


class HospitalActivity(BaseModel):
    practice: str
    in_hospital: list[StayOut]
    discharged_this_week: list[StayOut] = Field(description="Finished in the last 7 days")


def _stay(stay: HospitalStay) -> StayOut:
    return StayOut(patient=stay.patient_id, nhs_number=stay.nhs_number, name=stay.name,
                   encounter=stay.encounter_id, provider=stay.provider,
                   admitted=_utc(stay.admitted), discharged=_utc(stay.discharged))


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


@router.get("/record/practices/{practice_code}/hospital-activity",
            response_model=HospitalActivity, responses=REFUSALS)
def practice_hospital_activity(
    request: Request, practice_code: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{3,10}$")],
    principal: Annotated[Principal, Depends(require(Permission.PATIENTS_READ,
                                                    org_param="practice_code"))],
) -> HospitalActivity:
    """The practice's registered patients in hospital now, and those discharged this week
    (audited as a view of each patient listed)."""
    now, week = hospital_activity(record_service(services(request)), principal, practice_code,
                                  client=client_address(request))
    return HospitalActivity(practice=practice_code.upper(), in_hospital=[_stay(s) for s in now],
                            discharged_this_week=[_stay(s) for s in week])
