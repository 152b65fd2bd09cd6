"""Use cases of the shared care record: read, search, write, history, $everything, break glass.

Why here: every FHIR interaction joins the record (joinedup.record) to the access policy
(joinedup.domain.roles and care_access) and the audit log (joinedup.app.audit), and this is the
one place that does. The rules (docs/record.md, "Access"):
- a care professional reads a resource about a patient when their organisation has an open care
  relationship with the patient, or they broke the glass for that patient (with a reason, for a
  limited time, flagged for review); resources about no patient (organisations, practitioners,
  subscriptions) are open to every holder of the record permissions;
- a write about a patient is allowed when the writer's organisation has a relationship with the
  patient before or after it (recording an admission at one's own hospital makes one), or a
  break-glass grant is open, or it creates a new Patient;
- AuditEvents are written by the server only and read by admins (the audit permission);
- every read, search, history and $everything writes an audit row (the operational audit log)
  and an AuditEvent resource; refusals are audited too. The national data opt-out does not limit
  direct care, so it plays no part here (it keeps patients out of analytics: see record_export).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joinedup import __version__
from joinedup.app.audit import record_access
from joinedup.app.serve import Services
from joinedup.domain.audit import Action, Outcome
from joinedup.domain.care_access import DEFAULT_ACCESS_POLICY, AccessPolicy
from joinedup.domain.roles import Permission, Principal, Refused, authorise
from joinedup.domain.subscription_topics import (
    DEFAULT_DELIVERY_POLICY,
    TOPICS,
    DeliveryPolicy,
)
from joinedup.operational import OpsStore
from joinedup.record import bundles
from joinedup.record.break_glass import BreakGlass, Grant
from joinedup.record.capability import READ_ONLY, SERVED, capability_statement
from joinedup.record.delivery import Delivery, Sender, http_sender
from joinedup.record.outcome import FhirError, Issue, not_found, operation_outcome
from joinedup.record.relationships import Relationships
from joinedup.record.search import SearchResult, run_search
from joinedup.record.store import RecordStore, Stored, instant
from joinedup.record.subscriptions import Subscriptions, prepare, topic_resource
from joinedup.record.validation import ensure_valid

__all__ = ["Caller", "FhirError", "Grant", "Issue", "RecordService", "SearchResult", "Stored",
           "bundles", "operation_outcome", "record_service"]

EXTRA_KEY = "record"


@dataclass(frozen=True)
class Caller:
    """Who asks: a signed-in principal (None for the operator at the command line)."""

    principal: Principal | None
    client: str | None = None

    @property
    def name(self) -> str:
        return self.principal.name if self.principal else "operator"


class RecordService:
    """The record, opened over an operational store, with its access policy and delivery."""

    def __init__(self, ops: OpsStore, base_url: str = "http://127.0.0.1:8000/fhir",
                 policy: AccessPolicy = DEFAULT_ACCESS_POLICY,
                 delivery_policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
                 sender: Sender = http_sender) -> None:
        self.ops = ops
        self.base_url = base_url
        self.policy = policy
        self.store = RecordStore(ops.engine, ops.now)
        self.relationships = Relationships(self.store, policy)
        self.subscriptions = Subscriptions(self.store, self.relationships)
        self.store.hooks = [self.relationships.on_write, self.subscriptions.on_write]
        self.break_glass = BreakGlass(ops.engine, policy)
        self.delivery = Delivery(self.store, self.subscriptions, delivery_policy, base_url,
                                 sender)
        self._ensure_topics()

    def now(self) -> datetime:
        return self.ops.now()

    def _ensure_topics(self) -> None:
        for topic in TOPICS.values():
            wanted = topic_resource(topic)
            if self.store.read("Basic", wanted["id"]) is None:
                with self.store.begin() as conn:
                    self.store.write(conn, wanted)

    # --- access -------------------------------------------------------------------------

    def check_type(self, res_type: str, writing: bool = False) -> None:
        if res_type not in SERVED and res_type not in READ_ONLY:
            raise FhirError(404, Issue("not-supported",
                                       f"this server does not serve {res_type} resources"))
        if writing and res_type in READ_ONLY:
            raise FhirError(405, Issue("not-supported", f"{res_type} resources are written by "
                                       "the server only"))

    def _may_see(self, caller: Caller, stored: Stored, now: datetime) -> tuple[bool, str | None]:
        """(allowed, break-glass reason if that is why)."""
        principal = caller.principal
        if principal is None:
            return True, None
        if stored.type == "AuditEvent":
            return principal.can(Permission.AUDIT_READ), None
        if not principal.can(Permission.RECORD_READ):
            return False, None
        if stored.patient_id is None:
            return True, None
        if principal.org_code in self.relationships.orgs_for(stored.patient_id, now):
            return True, None
        grant = self.break_glass.active(principal.user_id, stored.patient_id, now)
        return (True, f"break glass: {grant.reason}") if grant else (False, None)

    def authorise_read(self, caller: Caller, stored: Stored, what: str) -> str | None:
        allowed, reason = self._may_see(caller, stored, self.now())
        if not allowed:
            self.audit(caller, Action.ACCESS_REFUSED, what, [stored.patient_id],
                       outcome=Outcome.REFUSED)
            permission = (Permission.AUDIT_READ if stored.type == "AuditEvent"
                          else Permission.RECORD_READ)
            raise Refused(permission, "no care relationship with this patient")
        return reason

    def visible_filter(self, caller: Caller) -> Any:
        principal = caller.principal
        if principal is None:
            return lambda t: t.c.res_type == t.c.res_type
        return self.relationships.visible(principal.org_code, principal.user_id, self.now())

    def allowed(self, caller: Caller) -> Any:
        now = self.now()
        return lambda stored: self._may_see(caller, stored, now)[0]

    # --- audit --------------------------------------------------------------------------

    def audit(self, caller: Caller, action: Action, what: str, patients: list[str | None],
              reason: str | None = None, outcome: Outcome = Outcome.SUCCESS,
              subtype: str = "read") -> None:
        """One audit row, and the same event as an AuditEvent resource (issue 11)."""
        keys = sorted({f"Patient/{p}" for p in patients if p})
        principal = caller.principal
        event = audit_event(caller, action, what, keys, reason, outcome, subtype, self.now())
        with self.store.begin() as conn:  # the row and the AuditEvent commit together
            if principal is not None:
                record_access(self.ops, principal, action, what, keys, reason=reason,
                              client=caller.client, outcome=outcome, conn=conn)
            self.store.write(conn, event)

    # --- reading ------------------------------------------------------------------------

    def read(self, caller: Caller, res_type: str, res_id: str) -> Stored:
        self.check_type(res_type)
        stored = self.store.read(res_type, res_id)
        if stored is None:
            raise not_found(f"{res_type}/{res_id}")
        what = f"fhir/{res_type}/{{id}}"
        reason = self.authorise_read(caller, stored, what)
        self.audit(caller, Action.PATIENT_VIEW, what, [stored.patient_id], reason)
        return stored

    def vread(self, caller: Caller, res_type: str, res_id: str, version: str) -> Stored:
        self.check_type(res_type)
        if not version.isdigit():
            raise not_found(f"{res_type}/{res_id}/_history/{version}")
        stored = self.store.vread(res_type, res_id, int(version))
        if stored is None:
            raise not_found(f"{res_type}/{res_id}/_history/{version}")
        what = f"fhir/{res_type}/{{id}}/_history/{{vid}}"
        reason = self.authorise_read(caller, stored, what)
        self.audit(caller, Action.PATIENT_VIEW, what, [stored.patient_id], reason, subtype="vread")
        return stored

    def history(self, caller: Caller, res_type: str, res_id: str | None, count: int,
                offset: int) -> tuple[list[Stored], int]:
        self.check_type(res_type)
        if res_id is not None:
            current = self.store.read(res_type, res_id)
            if current is None:
                raise not_found(f"{res_type}/{res_id}")
            self.authorise_read(caller, current, f"fhir/{res_type}/{{id}}/_history")
        versions, total = self.store.history(res_type, res_id, count, offset)
        allowed = self.allowed(caller)
        shown = [v for v in versions if allowed(v)]
        self.audit(caller, Action.PATIENT_VIEW, f"fhir/{res_type}/_history",
                   [v.patient_id for v in shown], subtype="history-type")
        return shown, total

    def search(self, caller: Caller, res_type: str, query: list[tuple[str, str]],
               strict: bool = False) -> SearchResult:
        self.check_type(res_type)
        if res_type == "AuditEvent":
            if caller.principal is not None:
                authorise(caller.principal, Permission.AUDIT_READ)
            visible = self.visible_filter(Caller(None))
        else:
            visible = self.visible_filter(caller)
        result = run_search(self.store, res_type, query, visible, strict, self.allowed(caller))
        if res_type != "AuditEvent":
            shown = [*result.matches, *result.included]
            self.audit(caller, Action.PATIENT_VIEW, f"fhir/{res_type}?search",
                       [s.patient_id for s in shown], subtype="search-type")
        return result

    def everything(self, caller: Caller, patient_id: str) -> list[Stored]:
        patient = self.store.read("Patient", patient_id)
        if patient is None:
            raise not_found(f"Patient/{patient_id}")
        what = "fhir/Patient/{id}/$everything"
        reason = self.authorise_read(caller, patient, what)
        from joinedup.record.everything import compartment

        found = compartment(self.store, patient)
        self.audit(caller, Action.PATIENT_VIEW, what, [patient_id], reason, subtype="operation")
        return found

    # --- writing ------------------------------------------------------------------------

    def write(self, caller: Caller, res_type: str, body: Any, res_id: str | None = None,
              if_match: int | None = None, conn: Any = None,
              deferred: list[Callable[[], None]] | None = None) -> tuple[Stored, bool]:
        """Create (res_id None) or update a resource; returns it and whether it is new.

        Inside a caller's transaction (`conn`), the audit is appended to `deferred` to be
        written once that transaction commits (SQLite allows one writer at a time)."""
        self.check_type(res_type, writing=caller.principal is not None)
        resource = ensure_valid(body, res_type)
        if res_id is not None:
            if resource.get("id") != res_id:
                raise FhirError(400, Issue("invalid", "the resource's id must match the id in "
                                           "the URL", f"{res_type}.id"))
        elif caller.principal is not None:
            resource = {k: v for k, v in resource.items() if k != "id"}
        if res_type == "Subscription":
            org = caller.principal.org_code if caller.principal else None
            resource = ensure_valid(prepare(resource, org), res_type)
        if conn is None:
            with self.store.begin() as fresh:
                stored, created = self._write(caller, fresh, resource, if_match)
        else:
            stored, created = self._write(caller, conn, resource, if_match)
        action = Action.RECORD_CREATE if created else Action.RECORD_UPDATE

        def audit() -> None:
            self.audit(caller, action, f"fhir/{res_type}", [stored.patient_id],
                       subtype="create" if created else "update")

        if caller.principal is None:
            pass  # the operator loading files: not a view of a record (app/record_load.py)
        elif deferred is None:
            audit()
        else:
            deferred.append(audit)
        return stored, created

    def load_many(self, conn: Any, resources: list[dict[str, Any]]) -> list[Stored]:
        """Validate and store resources as the operator loading files, in `conn`'s transaction
        (`RecordStore.write_many`); the first invalid one raises and nothing is stored."""
        valid = []
        for body in resources:
            res_type = str(body.get("resourceType"))
            self.check_type(res_type)
            resource = ensure_valid(body, res_type)
            if res_type == "Subscription":
                resource = ensure_valid(prepare(resource, None), res_type)
            valid.append(resource)
        return self.store.write_many(conn, valid)

    def _write(self, caller: Caller, conn: Any, resource: dict[str, Any],
               if_match: int | None) -> tuple[Stored, bool]:
        principal = caller.principal
        before_orgs: set[str] = set()
        now = self.now()
        if principal is not None:
            if not principal.can(Permission.RECORD_WRITE):
                raise Refused(Permission.RECORD_WRITE, "the role does not have it")
            patient = self.store.patient_of(conn, resource)
            if patient is not None:
                before_orgs = self.relationships.orgs_for(patient, now)
        stored, created = self.store.write(conn, resource, if_match=if_match)
        if principal is None or stored.patient_id is None:
            return stored, created
        after_orgs = self.relationships.orgs_for(stored.patient_id, now, conn)
        new_patient = created and stored.type == "Patient"
        grant = self.break_glass.active(principal.user_id, stored.patient_id, now)
        try:
            authorise(principal, Permission.RECORD_WRITE, before_orgs | after_orgs)
        except Refused:
            if not (new_patient or grant):
                raise
        return stored, created

    # --- break glass ----------------------------------------------------------------------

    def break_the_glass(self, caller: Caller, patient_id: str, reason: str) -> Grant:
        principal = caller.principal
        if principal is None or not principal.can(Permission.RECORD_READ):
            raise Refused(Permission.RECORD_READ, "only care professionals may break the glass")
        if self.store.read("Patient", patient_id) is None:
            raise not_found(f"Patient/{patient_id}")
        grant = self.break_glass.grant(principal.user_id, principal.name, principal.org_code,
                                       patient_id, reason, self.now())
        self.audit(caller, Action.BREAK_GLASS, "fhir/Patient/{id}/$break-glass", [patient_id],
                   reason=grant.reason, subtype="operation")
        return grant

    def glass_to_review(self, principal: Principal | None) -> list[Grant]:
        """Break-glass accesses nobody has reviewed yet (admins, who read the audit log)."""
        if principal is not None:
            authorise(principal, Permission.AUDIT_READ)
        return self.break_glass.listed(unreviewed_only=True)

    def review_glass(self, principal: Principal | None, grant_id: int, note: str,
                     client: str | None = None) -> Grant:
        """Mark a break-glass access reviewed, with what the reviewer found; audited."""
        if principal is not None:
            authorise(principal, Permission.AUDIT_READ)
        reviewer = principal.name if principal else "operator"
        grant = self.break_glass.review(grant_id, reviewer, note, self.now())
        if principal is not None:
            record_access(self.ops, principal, Action.BREAK_GLASS_REVIEW,
                          f"record/break-glass/{grant_id}", [f"Patient/{grant.patient_id}"],
                          reason=grant.review_note, client=client)
        return grant

    def capability(self) -> dict[str, Any]:
        return capability_statement(__version__, instant(self.now())[:10], self.base_url)


def audit_event(caller: Caller, action: Action, what: str, patients: list[str],
                reason: str | None, outcome: Outcome, subtype: str,
                now: datetime) -> dict[str, Any]:
    """An R4 AuditEvent for one access (type `rest`, the RESTful interaction as subtype)."""
    principal = caller.principal
    agent: dict[str, Any] = {
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                             "extra-security-role-type", "code": "humanuser"}]},
        "who": {"identifier": {"system": "https://joinedup.invalid/fhir/Id/user",
                               "value": caller.name}},
        "name": caller.name, "requestor": True}
    if principal is not None and principal.org_code:
        agent["who"]["display"] = f"{principal.role.value} at {principal.org_code}"
    if caller.client:
        agent["network"] = {"address": caller.client[:64], "type": "2"}
    codes = {Action.RECORD_CREATE: "C", Action.RECORD_UPDATE: "U"}
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
                 "code": "rest", "display": "RESTful Operation"},
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": subtype}],
        "action": codes.get(action, "E" if subtype == "operation" else "R"),
        "recorded": instant(now),
        "outcome": {"success": "0", "failure": "4", "refused": "4"}[outcome.value],
        "outcomeDesc": f"{action.value}: {what}",
        "purposeOfEvent": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
            "code": "ETREAT" if (reason and reason.startswith("break glass"))
            or action is Action.BREAK_GLASS else "TREAT"}]}],
        "agent": [agent],
        "source": {"observer": {"display": "joinedup shared care record"}},
    }
    if reason:
        event["purposeOfEvent"][0]["text"] = reason[:500]
    if patients:
        event["entity"] = [{"what": {"reference": key}} for key in patients]
    return event


_OPENING = threading.Lock()


def record_service(services: Services) -> RecordService:
    """The record of a running server, opened once on first use."""
    with _OPENING:
        found = services.extras.get(EXTRA_KEY)
        if found is None:
            settings = services.settings
            found = RecordService(services.store, f"http://{settings.host}:{settings.port}/fhir")
            services.extras[EXTRA_KEY] = found
    assert isinstance(found, RecordService)
    return found
