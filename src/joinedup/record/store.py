"""Versioned FHIR resources in the operational database: read, vread, write, history.

Why: the record keeps every version of every resource (FHIR's `_history`, and the audit trail
of what a clinician saw when), the current version beside its search index, and the patient the
resource is about (its Patient compartment), so access checks, searches and `$everything` are
indexed queries. Writes happen inside a transaction the caller opens (`begin`), so a transaction
Bundle, a resource and the notifications it triggers commit together or not at all; hooks run
in that transaction after each write (care relationships, the notification outbox).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from joinedup.record.outcome import FhirError, Issue
from joinedup.record.schema import fhir_resources, fhir_search, fhir_versions
from joinedup.record.search_params import index_rows, reference_key

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"


@dataclass(frozen=True)
class Stored:
    type: str
    id: str
    version: int
    last_updated: datetime
    patient_id: str | None
    content: dict[str, Any]
    method: str = "update"

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'

    @property
    def key(self) -> str:
        return f"{self.type}/{self.id}"


Hook = Callable[[Connection, "Stored | None", Stored], None]


def instant(moment: datetime) -> str:
    """A naive-UTC time as a FHIR instant."""
    return moment.isoformat(timespec="milliseconds") + "Z"


def dumps(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))


class RecordStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock
        self.hooks: list[Hook] = []
        self._writer: Any = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        """SQLite lets one transaction write at a time and makes the others poll for the lock
        with growing sleeps; queueing this process's writers on a lock instead keeps latency
        even under many concurrent requests. PostgreSQL locks rows and needs none."""

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self._writer, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self, conn: Connection | None = None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as fresh:
                yield fresh

    def read(self, res_type: str, res_id: str, conn: Connection | None = None) -> Stored | None:
        t = fhir_resources
        with self.connect(conn) as c:
            row = c.execute(select(t).where(t.c.res_type == res_type, t.c.res_id == res_id)
                            ).one_or_none()
        return None if row is None else _stored(row)

    def read_many(self, keys: list[tuple[str, str]], conn: Connection | None = None
                  ) -> list[Stored]:
        if not keys:
            return []
        t = fhir_resources
        by_type: dict[str, list[str]] = {}
        for res_type, res_id in keys:
            by_type.setdefault(res_type, []).append(res_id)
        found: dict[tuple[str, str], Stored] = {}
        with self.connect(conn) as c:
            for res_type, ids in by_type.items():
                for start in range(0, len(ids), 500):
                    rows = c.execute(select(t).where(t.c.res_type == res_type,
                                                     t.c.res_id.in_(ids[start:start + 500])))
                    for row in rows:
                        found[(row.res_type, row.res_id)] = _stored(row)
        return [found[k] for k in keys if k in found]

    def by_patient(self, patient_id: str, res_type: str) -> list[Stored]:
        t = fhir_resources
        with self.engine.connect() as c:
            rows = c.execute(select(t).where(t.c.patient_id == patient_id,
                                             t.c.res_type == res_type).order_by(t.c.res_id))
            return [_stored(r) for r in rows]

    def by_patients(self, patients: Any, res_type: str, statuses: tuple[str, ...] = ()
                    ) -> list[Stored]:
        """Current resources of one type about any patient the `patients` query selects (and,
        given `statuses`, whose status is one of them): one query, however many patients."""
        t, s = fhir_resources, fhir_search
        where = [t.c.res_type == res_type, t.c.patient_id.in_(patients)]
        if statuses:
            where.append(t.c.res_id.in_(select(s.c.res_id).where(
                s.c.res_type == res_type, s.c.param == "status", s.c.value.in_(statuses))))
        with self.engine.connect() as c:
            rows = c.execute(select(t).where(*where).order_by(t.c.patient_id, t.c.res_id))
            return [_stored(r) for r in rows]

    def vread(self, res_type: str, res_id: str, version: int) -> Stored | None:
        v = fhir_versions
        with self.engine.connect() as c:
            row = c.execute(select(v).where(v.c.res_type == res_type, v.c.res_id == res_id,
                                            v.c.version == version)).one_or_none()
            current = self.read(res_type, res_id, c)
        if row is None:
            return None
        patient = current.patient_id if current else None
        return Stored(row.res_type, row.res_id, row.version, row.last_updated, patient,
                      json.loads(row.content), row.method)

    def history(self, res_type: str, res_id: str | None, count: int, offset: int
                ) -> tuple[list[Stored], int]:
        """Versions newest first (of one resource, or of every resource of a type)."""
        v = fhir_versions
        where = [v.c.res_type == res_type] + ([v.c.res_id == res_id] if res_id else [])
        with self.engine.connect() as c:
            total = c.execute(select(func.count()).select_from(v).where(*where)).scalar_one()
            rows = c.execute(select(v, fhir_resources.c.patient_id).outerjoin(
                fhir_resources, and_(fhir_resources.c.res_type == v.c.res_type,
                                     fhir_resources.c.res_id == v.c.res_id))
                .where(*where).order_by(v.c.last_updated.desc(), v.c.version.desc())
                .limit(count).offset(offset)).all()
        return [Stored(r.res_type, r.res_id, r.version, r.last_updated, r.patient_id,
                       json.loads(r.content), r.method) for r in rows], total

    def write(self, conn: Connection, resource: dict[str, Any], *,
              if_match: int | None = None, must_create: bool = False) -> tuple[Stored, bool]:
        """Store a validated resource as its next version; returns it and whether it is new.

        `if_match` is the version the caller last saw (HTTP If-Match): a different current
        version answers 412. A resource without an id is given one. A clash with a concurrent
        write of the same resource answers 409.
        """
        res_type = resource["resourceType"]
        res_id = resource.get("id") or str(uuid.uuid4())
        t = fhir_resources
        current_row = conn.execute(select(t).where(t.c.res_type == res_type, t.c.res_id == res_id)
                                   .with_for_update()).one_or_none()
        before = None if current_row is None else _stored(current_row)
        if must_create and before is not None:
            raise FhirError(409, Issue("duplicate", f"{res_type}/{res_id} already exists"))
        if if_match is not None and (before is None or before.version != if_match):
            raise FhirError(412, Issue("conflict", "the resource has changed since the version "
                                       "named in If-Match (or does not exist)"))
        stored = self._next_version(conn, resource, res_id, before, self.clock())
        self._put(conn, [(before, stored)])
        return stored, before is None

    def write_many(self, conn: Connection, resources: list[dict[str, Any]]) -> list[Stored]:
        """Store validated resources (each id at most once) as their next versions, with a few
        statements for the lot: how a loader writes thousands of resources a minute.

        The same rows and hooks as `write` one by one, except that every resource of the list
        is stored before the hooks run (in order). A resource naming its patient by an NHS
        number given only by a Patient of the same list is refused (422), as is an id given
        twice (409); the caller may then write them one at a time.
        """
        keys = [(r["resourceType"], r.get("id") or str(uuid.uuid4())) for r in resources]
        if len(set(keys)) != len(keys):
            raise FhirError(409, Issue("duplicate", "a resource is written twice in one batch"))
        current = {(s.type, s.id): s for s in self.read_many(keys, conn)}
        now = self.clock()
        pairs = [(current.get(key), self._next_version(conn, resource, key[1],
                                                       current.get(key), now))
                 for key, resource in zip(keys, resources, strict=True)]
        self._put(conn, pairs)
        return [stored for _, stored in pairs]

    def _next_version(self, conn: Connection, resource: dict[str, Any], res_id: str,
                      before: Stored | None, now: datetime) -> Stored:
        res_type = resource["resourceType"]
        version = 1 if before is None else before.version + 1
        meta = {k: v for k, v in (resource.get("meta") or {}).items()
                if k not in ("versionId", "lastUpdated")}
        content = {"resourceType": res_type, "id": res_id,
                   "meta": {"versionId": str(version), "lastUpdated": instant(now), **meta},
                   **{k: v for k, v in resource.items() if k not in ("resourceType", "id", "meta")}}
        patient = self.patient_of(conn, content)
        return Stored(res_type, res_id, version, now, patient, content,
                      "create" if before is None else "update")

    def _put(self, conn: Connection, pairs: list[tuple[Stored | None, Stored]]) -> None:
        """Write the versions, current rows and search index of (before, after) pairs, then
        run the hooks on each pair in order."""
        t, s = fhir_resources, fhir_search
        rows = [{"res_type": a.type, "res_id": a.id, "version": a.version,
                 "last_updated": a.last_updated, "patient_id": a.patient_id,
                 "content": dumps(a.content), "method": a.method} for _, a in pairs]
        updated = [row for row, (before, _) in zip(rows, pairs, strict=True) if before]
        try:
            conn.execute(insert(fhir_versions), [
                {k: row[k] for k in ("res_type", "res_id", "version", "last_updated", "method",
                                     "content")} for row in rows])
            created = [{k: v for k, v in row.items() if k != "method"}
                       for row, (before, _) in zip(rows, pairs, strict=True) if before is None]
            if created:
                conn.execute(insert(t), created)
            if updated:
                conn.execute(update(t).where(t.c.res_type == bindparam("b_type"),
                                             t.c.res_id == bindparam("b_id"))
                             .values(version=bindparam("version"),
                                     last_updated=bindparam("last_updated"),
                                     patient_id=bindparam("patient_id"),
                                     content=bindparam("content")),
                             [{"b_type": r["res_type"], "b_id": r["res_id"],
                               "version": r["version"], "last_updated": r["last_updated"],
                               "patient_id": r["patient_id"], "content": r["content"]}
                              for r in updated])
        except IntegrityError:
            what = pairs[0][1].key if len(pairs) == 1 else "a resource of the batch"
            raise FhirError(409, Issue("conflict", f"{what} was changed by another request at "
                                       "the same moment; read it and try again")) from None
        if updated:
            conn.execute(delete(s).where(s.c.res_type == bindparam("b_type"),
                                         s.c.res_id == bindparam("b_id")),
                         [{"b_type": r["res_type"], "b_id": r["res_id"]} for r in updated])
        index = [{"res_type": a.type, "res_id": a.id, "param": r.param, "system": r.system,
                  "value": r.value, "low": r.low, "high": r.high}
                 for _, a in pairs for r in index_rows(a.content)]
        if index:
            conn.execute(insert(s), index)
        for before, after in pairs:
            for hook in self.hooks:
                hook(conn, before, after)

    def patient_of(self, conn: Connection, resource: dict[str, Any]) -> str | None:
        """The Patient the resource is about: itself, or the one Patient it refers to.

        A reference may be relative (`Patient/123`), absolute (ending so) or logical, by NHS
        number (`identifier` with system https://fhir.nhs.uk/Id/nhs-number). A resource naming
        two different patients is refused: each record entry belongs to one patient.
        """
        if resource["resourceType"] == "Patient":
            return str(resource["id"]) if "id" in resource else None
        if resource["resourceType"] == "AuditEvent":
            return None  # about accesses, often to several patients; read by admins only
        found: set[str] = set()
        for node in _references(resource):
            key = reference_key(node)
            if key and key.startswith("Patient/"):
                found.add(key.split("/", 1)[1])
            elif node.get("type") in (None, "Patient") and isinstance(node.get("identifier"),
                                                                       dict):
                ident = node["identifier"]
                if ident.get("system") == NHS_NUMBER_SYSTEM and isinstance(ident.get("value"),
                                                                           str):
                    patient = self.patient_by_nhs_number(conn, ident["value"])
                    if patient is None:
                        raise FhirError(422, Issue("not-found", "no Patient has the NHS number "
                                                   "this reference names"))
                    found.add(patient)
        if len(found) > 1:
            raise FhirError(422, Issue("business-rule", "a resource may concern one patient "
                                       "only; this one refers to several"))
        return found.pop() if found else None

    def patient_by_nhs_number(self, conn: Connection, nhs_number: str) -> str | None:
        s = fhir_search
        return conn.execute(select(s.c.res_id).where(
            s.c.res_type == "Patient", s.c.param == "identifier",
            s.c.system == NHS_NUMBER_SYSTEM, s.c.value == nhs_number).limit(1)
        ).scalar_one_or_none()


def _references(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    stack: list[Any] = [resource]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "reference" in node or isinstance(node.get("identifier"), dict):
                yield node
            for key, value in node.items():
                if key not in ("contained", "text"):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _stored(row: Any) -> Stored:
    return Stored(row.res_type, row.res_id, row.version, row.last_updated, row.patient_id,
                  json.loads(row.content))

