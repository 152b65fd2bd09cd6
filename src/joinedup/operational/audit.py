"""The append-only audit log: who did what, to which patients, when, why and from where.

Why: every patient-level read and every change to accounts must be answerable afterwards
(DESIGN.md, "Privacy and security"). Rows are only ever inserted here; this class has no update
or delete, and the migration adds database triggers that refuse UPDATE and DELETE, so neither the
application nor someone at a SQL prompt using the application's tables can quietly rewrite
history. Patients named by an event go to `audit_patients` (one row each), so "who has seen this
patient?" is one indexed query. The table is identifiable: only admins read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Select, insert, select

from joinedup.domain.audit import AuditEvent
from joinedup.operational.context import StoreContext
from joinedup.operational.schema import audit_log, audit_patients

AUDIT_COLUMNS = ("id", "at", "user_name", "user_id", "role", "org_code", "action", "resource",
                 "outcome", "reason", "client_address", "patients")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    user_name: str
    user_id: int | None
    role: str | None
    org_code: str | None
    action: str
    resource: str
    outcome: str
    reason: str | None
    client_address: str | None
    patients: tuple[str, ...]

    def as_row(self) -> dict[str, object]:
        """Plain values for CSV and JSON: ISO-8601 UTC time, patients joined by spaces."""
        row = {name: getattr(self, name) for name in AUDIT_COLUMNS}
        row["at"] = self.at.isoformat(timespec="seconds") + "Z"
        row["patients"] = " ".join(self.patients)
        return row


@dataclass(frozen=True)
class AuditQuery:
    """Filters for reading the log, newest first; `before_id` pages backwards."""

    limit: int = 100
    before_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    user_name: str | None = None
    action: str | None = None
    patient: str | None = None


class AuditLog:
    def __init__(self, store: StoreContext) -> None:
        self._store = store

    def append(self, event: AuditEvent, conn: Connection | None = None) -> int:
        """Write one event (and its patients) in one transaction; returns its id.

        Given `conn`, the rows join that connection's transaction (so a caller can commit the
        audit row together with what it records) instead of a transaction of their own."""
        if conn is not None:
            return self._append(event, conn)
        with self._store.engine.begin() as fresh:
            return self._append(event, fresh)

    def _append(self, event: AuditEvent, conn: Connection) -> int:
        actor = event.actor
        audit_id = conn.execute(insert(audit_log).values(
            at=self._store.now(), user_id=actor.user_id, user_name=actor.name[:64],
            role=actor.role, org_code=actor.org_code, action=str(event.action),
            resource=event.resource[:512], outcome=str(event.outcome), reason=event.reason,
            client_address=event.client_address[:64] if event.client_address else None,
        ).returning(audit_log.c.id)).scalar_one()
        patients = sorted(set(event.patients))
        if patients:
            conn.execute(insert(audit_patients),
                         [{"audit_id": audit_id, "patient": p} for p in patients])
        return int(audit_id)

    def read(self, query: AuditQuery = AuditQuery()) -> list[AuditEntry]:
        statement = self._select(query).order_by(audit_log.c.id.desc()).limit(query.limit)
        return self._entries(statement)

    def iter_all(self, chunk: int = 1000) -> Iterator[AuditEntry]:
        """Every entry, oldest first, a chunk at a time (for exports)."""
        after = 0
        while True:
            statement = (select(audit_log).where(audit_log.c.id > after)
                         .order_by(audit_log.c.id).limit(chunk))
            entries = self._entries(statement)
            yield from entries
            if len(entries) < chunk:
                return
            after = entries[-1].id

    def _select(self, query: AuditQuery) -> Select:
        statement = select(audit_log)
        t = audit_log
        if query.before_id is not None:
            statement = statement.where(t.c.id < query.before_id)
        if query.since is not None:
            statement = statement.where(t.c.at >= query.since)
        if query.until is not None:
            statement = statement.where(t.c.at < query.until)
        if query.user_name is not None:
            statement = statement.where(t.c.user_name == query.user_name)
        if query.action is not None:
            statement = statement.where(t.c.action == query.action)
        if query.patient is not None:
            statement = statement.where(t.c.id.in_(select(audit_patients.c.audit_id).where(
                audit_patients.c.patient == query.patient)))
        return statement

    def _entries(self, statement: Select) -> list[AuditEntry]:
        with self._store.engine.connect() as conn:
            rows = conn.execute(statement).all()
            ids = [r.id for r in rows]
            patients: dict[int, list[str]] = {}
            if ids:
                for audit_id, patient in conn.execute(
                        select(audit_patients.c.audit_id, audit_patients.c.patient)
                        .where(audit_patients.c.audit_id.in_(ids))
                        .order_by(audit_patients.c.patient)):
                    patients.setdefault(audit_id, []).append(patient)
        return [AuditEntry(id=r.id, at=r.at, user_name=r.user_name, user_id=r.user_id,
                           role=r.role, org_code=r.org_code, action=r.action,
                           resource=r.resource, outcome=r.outcome, reason=r.reason,
                           client_address=r.client_address,
                           patients=tuple(patients.get(r.id, ())))
                for r in rows]
