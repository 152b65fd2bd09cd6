"""Care relationships worked out from the record itself, and the access questions they answer.

Why: a professional may read a patient's record when their organisation cares for the patient
(joinedup.domain.care_access). Rather than a list kept by hand, the relationships follow from
what the record says: a Patient's registered practice (`generalPractitioner`, or
`managingOrganization` when no practice is named), an Encounter's `serviceProvider`, a
ServiceRequest's (referral's) organisation `performer`, an EpisodeOfCare's
`managingOrganization` (a community team's caseload). Each write of such a resource replaces
the rows it gave before, in the same transaction. An organisation is named by its ODS code: a
reference to an Organization resource is resolved to the code in its identifier
(https://fhir.nhs.uk/Id/ods-organization-code), or a logical reference carries the code itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, or_, select

from joinedup.domain.care_access import AccessPolicy, Relationship, valid_until
from joinedup.record.schema import break_glass, care_relationships
from joinedup.record.search_params import date_span, reference_key
from joinedup.record.store import RecordStore, Stored

ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
LOCAL_ORG = "https://joinedup.invalid/fhir/Id/org-code"
"""Synthetic organisations whose codes are not ODS-shaped (community teams `CT-BDC`)."""
OPEN_ENCOUNTER = {"planned", "arrived", "triaged", "in-progress", "onleave"}
FINISHED = {"finished", "completed", "cancelled", "entered-in-error", "revoked", "stopped"}


class Relationships:
    def __init__(self, store: RecordStore, policy: AccessPolicy) -> None:
        self.store = store
        self.policy = policy
        self._org_codes: dict[str, str | None] = {}
        """ODS code by Organization id, forgotten whenever an Organization is written."""

    def on_write(self, conn: Connection, before: Stored | None, after: Stored) -> None:
        """Hook: replace the relationships this resource gives (store.hooks)."""
        r = care_relationships
        if after.type == "Organization":
            self._org_codes.clear()
        if after.type not in ("Patient", "Encounter", "ServiceRequest", "EpisodeOfCare"):
            return
        conn.execute(delete(r).where(r.c.source_type == after.type, r.c.source_id == after.id))
        rows = list(self._rows(conn, after))
        if rows:
            conn.execute(insert(r), rows)

    def _rows(self, conn: Connection, stored: Stored) -> Iterator[dict[str, Any]]:
        content, patient = stored.content, stored.patient_id
        if patient is None:
            return
        kind: Relationship
        if stored.type == "Patient":
            if content.get("active") is False or "deceasedDateTime" in content or content.get(
                    "deceasedBoolean") is True:
                return
            for ref in content.get("generalPractitioner") or (
                    [content["managingOrganization"]] if "managingOrganization" in content
                    else []):
                org = self.org_code(conn, ref)
                start, end = self._registration(ref)
                if org:
                    yield {"patient_id": patient, "org_code": org, "kind": "registered",
                           "source_type": stored.type, "source_id": stored.id, "start": start,
                           "until": valid_until(Relationship.REGISTERED, end, self.policy)}
            return
        elif stored.type == "Encounter":
            refs = [content["serviceProvider"]] if "serviceProvider" in content else []
            kind = Relationship.ENCOUNTER
            start, end = self._span(content.get("period"), content.get("status"))
        elif stored.type == "ServiceRequest":
            refs = content.get("performer", [])
            kind = Relationship.REFERRAL
            start, end = self._span({"start": content.get("authoredOn")}, content.get("status"))
        else:
            refs = ([content["managingOrganization"]]
                    if "managingOrganization" in content else [])
            kind = Relationship.CASELOAD
            start, end = self._span(content.get("period"), content.get("status"))
        for ref in refs:
            org = self.org_code(conn, ref)
            if org:
                yield {"patient_id": patient, "org_code": org, "kind": kind.value,
                       "source_type": stored.type, "source_id": stored.id, "start": start,
                       "until": valid_until(kind, end, self.policy)}

    @staticmethod
    def _registration(reference: Any) -> tuple[datetime | None, datetime | None]:
        """A registration's period, from joinedup's registration-period extension if given."""
        for ext in reference.get("extension", []) if isinstance(reference, dict) else []:
            if ext.get("url", "").endswith("/registration-period"):
                span = date_span(ext.get("valuePeriod", {}))
                if span:
                    return (span[0] if span[0].year > 1 else None,
                            span[1] if span[1].year < 9999 else None)
        return None, None

    def _span(self, period: Any, status: Any) -> tuple[datetime | None, datetime | None]:
        span = date_span(period) if isinstance(period, dict) else None
        start = span[0] if span and span[0].year > 1 else None
        end = span[1] if span and span[1].year < 9999 else None
        if end is None and status in FINISHED:
            end = start or self.store.clock()
        return start, end

    def org_code(self, conn: Connection, reference: Any) -> str | None:
        if not isinstance(reference, dict):
            return None
        ident = reference.get("identifier")
        if isinstance(ident, dict) and ident.get("system") in (ODS_SYSTEM, LOCAL_ORG):
            value = ident.get("value")
            return value.upper() if isinstance(value, str) else None
        key = reference_key(reference)
        if not key or not key.startswith("Organization/"):
            return None
        org_id = key.split("/", 1)[1]
        if org_id not in self._org_codes:
            self._org_codes[org_id] = self._read_code(conn, org_id)
        return self._org_codes[org_id]

    def _read_code(self, conn: Connection, org_id: str) -> str | None:
        org = self.store.read("Organization", org_id, conn)
        if org is None:
            return None
        for item in org.content.get("identifier", []):
            if item.get("system") in (ODS_SYSTEM, LOCAL_ORG) and isinstance(item.get("value"),
                                                                            str):
                return str(item["value"]).upper()
        return None

    def org_code_of(self, reference: Any) -> str | None:
        with self.store.engine.connect() as conn:
            return self.org_code(conn, reference)

    def orgs_for(self, patient_id: str, now: datetime, conn: Connection | None = None
                 ) -> set[str]:
        """Organisations with a relationship open at `now` with the patient."""
        r = care_relationships
        with self.store.connect(conn) as conn:
            rows = conn.execute(select(r.c.org_code).where(
                r.c.patient_id == patient_id, self._open(now))).scalars()
            return set(rows)

    def kinds(self, patient_id: str, org_code: str, now: datetime) -> list[str]:
        r = care_relationships
        with self.store.engine.connect() as conn:
            return sorted(set(conn.execute(select(r.c.kind).where(
                r.c.patient_id == patient_id, r.c.org_code == org_code, self._open(now)))
                .scalars()))

    @staticmethod
    def _open(now: datetime) -> ColumnElement[bool]:
        r = care_relationships
        return (or_(r.c.start.is_(None), r.c.start <= now)
                & or_(r.c.until.is_(None), r.c.until >= now))

    def visible(self, org_code: str | None, user_id: int, now: datetime) -> Any:
        """A filter for searches: resources about no patient, or about a patient the caller's
        organisation cares for, or one they broke the glass for (still in time)."""
        r, g = care_relationships, break_glass

        def condition(table: Any) -> ColumnElement[bool]:
            related = select(r.c.patient_id).where(r.c.org_code == (org_code or ""),
                                                   self._open(now))
            glass = select(g.c.patient_id).where(g.c.user_id == user_id, g.c.started_at <= now,
                                                 g.c.expires_at > now)
            return or_(table.c.patient_id.is_(None), table.c.patient_id.in_(related),
                       table.c.patient_id.in_(glass))
        return condition

    def patients_of(self, org_code: str, now: datetime, kinds: tuple[str, ...]) -> list[str]:
        with self.store.engine.connect() as conn:
            return sorted(set(conn.execute(self.patients_query(org_code, now, kinds)).scalars()))

    def patients_query(self, org_code: str, now: datetime, kinds: tuple[str, ...]) -> Any:
        """The ids of patients the organisation has an open relationship of `kinds` with, as a
        query to use inside another."""
        r = care_relationships
        return select(r.c.patient_id).where(r.c.org_code == org_code, r.c.kind.in_(kinds),
                                            self._open(now))

