"""Use cases of record notifications: $status, the dead-letter list, replay, the delivery loop,
and who of a practice's patients is in hospital now or was discharged this week.

Why here: subscriptions and their delivery live in joinedup.record; who may see a
subscription's status, list dead letters or replay them is access policy, and the dashboard's
"in hospital now / discharged this week" view is a question asked of the record for one
practice. Replaying is audited.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from joinedup.app.audit import record_access
from joinedup.app.record import Caller, RecordService, record_service
from joinedup.app.serve import Services
from joinedup.domain.audit import Action
from joinedup.domain.roles import Permission, Principal, authorise
from joinedup.record.delivery import Letter
from joinedup.record.outcome import not_found
from joinedup.record.store import NHS_NUMBER_SYSTEM, Stored
from joinedup.record.subscriptions import parse

__all__ = ["HospitalStay", "Letter", "dead_letters", "hospital_activity", "replay",
           "start_delivery", "start_notifications", "subscription_status"]


def subscription_status(service: RecordService, caller: Caller, subscription_id: str,
                        base: str) -> dict[str, Any]:
    """The backport `$status` answer: a searchset Bundle holding one status Parameters."""
    stored = service.store.read("Subscription", subscription_id)
    if stored is None:
        raise not_found(f"Subscription/{subscription_id}")
    service.authorise_read(caller, stored, "fhir/Subscription/{id}/$status")
    spec = parse(stored.content)
    status = service.subscriptions.status_parameters(spec, base, "query-status")
    return {"resourceType": "Bundle", "type": "searchset", "total": 1,
            "entry": [{"fullUrl": f"urn:uuid:{status['id']}", "resource": status,
                       "search": {"mode": "match"}}]}


def dead_letters(service: RecordService, principal: Principal | None) -> list[Letter]:
    """Notifications that could not be delivered (admins; no patient values shown)."""
    if principal is not None:
        authorise(principal, Permission.NOTIFICATIONS_MANAGE)
    return service.delivery.letters("dead")


def replay(service: RecordService, principal: Principal | None, ids: list[int] | None = None,
           client: str | None = None) -> int:
    """Put dead letters back in the queue (all, or those named); audited."""
    if principal is not None:
        authorise(principal, Permission.NOTIFICATIONS_MANAGE)
        record_access(service.ops, principal, Action.NOTIFICATION_REPLAY,
                      "record/dead-letters", client=client)
    return service.delivery.replay(ids)


def start_notifications(services: Services) -> Callable[[], None]:
    """Open the record of a starting server and deliver its notifications in the background."""
    return start_delivery(record_service(services))


def start_delivery(service: RecordService, every_seconds: float = 1.0) -> Callable[[], None]:
    """Deliver due notifications in a background thread; returns the function that stops it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_seconds):
            service.delivery.deliver_due()

    thread = threading.Thread(target=loop, name="joinedup-notifications", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=10)

    return stopper


@dataclass(frozen=True)
class HospitalStay:
    patient_id: str
    nhs_number: str | None
    name: str
    encounter_id: str
    provider: str | None
    admitted: datetime | None
    discharged: datetime | None


def _who(patient: Stored | None) -> tuple[str | None, str]:
    """A Patient's NHS number and the name a practice would know them by ("" if none)."""
    content = patient.content if patient else {}
    nhs = next((i.get("value") for i in content.get("identifier", [])
                if i.get("system") == NHS_NUMBER_SYSTEM), None)
    names = content.get("name") or [{}]
    usual = next((n for n in names if n.get("use") == "usual"), names[0])
    text = usual.get("text") or " ".join([*usual.get("given", []), usual.get("family", "")])
    return nhs, text.strip()


def hospital_activity(service: RecordService, principal: Principal, practice_code: str,
                      today: date | None = None, client: str | None = None
                      ) -> tuple[list[HospitalStay], list[HospitalStay]]:
    """(in hospital now, discharged in the 7 days to `today`) for a practice's registered
    patients: inpatient Encounters that are in progress, or finished within the week.

    For the dashboard (issue 10): the caller must be a user of that practice (patient-level
    data, `patients:read` or `record:read` for the practice); the view is audited.
    """
    code = practice_code.upper()
    if principal.can(Permission.PATIENTS_READ):
        authorise(principal, Permission.PATIENTS_READ, {code})
    else:
        authorise(principal, Permission.RECORD_READ, {code})
    from joinedup.domain.care_access import Relationship
    from joinedup.domain.subscription_topics import is_inpatient
    from joinedup.record.search_params import date_span

    now = service.now()
    day = today or now.date()
    week_start = datetime.combine(day - timedelta(days=6), datetime.min.time())
    registered = service.relationships.patients_query(code, now, (Relationship.REGISTERED.value,))
    encounters = service.store.by_patients(registered, "Encounter", ("in-progress", "finished"))
    stays = [e for e in encounters if is_inpatient(e.content)]
    people = {p.id: _who(p) for p in service.store.read_many(
        sorted({("Patient", str(e.patient_id)) for e in stays}))}
    in_hospital, discharged = [], []
    for stored in stays:
        content, patient = stored.content, str(stored.patient_id)
        span = date_span(content.get("period", {})) if content.get("period") else None
        admitted = span[0] if span and span[0].year > 1 else None
        ended = span[1] if span and span[1].year < 9999 else None
        provider = service.relationships.org_code_of(content.get("serviceProvider"))
        stay = HospitalStay(patient, *people.get(patient, (None, "")), stored.id, provider,
                            admitted, ended)
        if content.get("status") == "in-progress":
            in_hospital.append(stay)
        elif ended and week_start <= ended and ended.date() <= day:
            discharged.append(stay)
    record_access(service.ops, principal, Action.PATIENT_VIEW,
                  f"record/practices/{code}/hospital-activity",
                  [f"Patient/{s.patient_id}" for s in (*in_hospital, *discharged)],
                  client=client)
    return in_hospital, discharged

