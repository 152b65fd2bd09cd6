"""Use cases for the audit log: write an event, read it, export it as CSV.

Why here: every surface records patient-level access through `record_access` (one call, one
row, with the patients it showed), and reading or exporting the log is itself an audited act by
someone allowed to do it, checked by the one access policy (`joinedup.domain.roles.authorise`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from sqlalchemy import Connection

from joinedup.domain.audit import Action, Actor, AuditEvent, Outcome
from joinedup.domain.roles import Permission, Principal, authorise
from joinedup.operational import OpsStore
from joinedup.operational.audit import AUDIT_COLUMNS, AuditEntry, AuditQuery

__all__ = ["AUDIT_COLUMNS", "AuditEntry", "AuditQuery", "actor_for", "export_audit",
           "read_audit", "record_access", "write_csv"]


def actor_for(principal: Principal) -> Actor:
    return Actor(name=principal.name, user_id=principal.user_id, role=principal.role.value,
                 org_code=principal.org_code)


def record_access(store: OpsStore, principal: Principal, action: Action | str, resource: str,
                  patients: Iterable[str] = (), reason: str | None = None,
                  client: str | None = None, outcome: Outcome = Outcome.SUCCESS,
                  conn: Connection | None = None) -> int:
    """Append one audit row for something `principal` did (patient-level views, exports, …);
    within `conn`'s transaction when given."""
    return store.audit.append(AuditEvent(
        actor=actor_for(principal), action=action, resource=resource, outcome=outcome,
        reason=reason, client_address=client, patients=tuple(patients)), conn)


def read_audit(store: OpsStore, principal: Principal, query: AuditQuery,
               client: str | None = None) -> list[AuditEntry]:
    """Entries for an admin, newest first; the reading is audited too."""
    authorise(principal, Permission.AUDIT_READ)
    entries = store.audit.read(query)
    record_access(store, principal, Action.AUDIT_READ, "audit", client=client)
    return entries


def write_csv(entries: Iterable[AuditEntry], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for entry in entries:
        writer.writerow(entry.as_row())
        count += 1
    return count


def export_audit(store: OpsStore, out: TextIO, actor: Actor, client: str | None = None) -> int:
    """Write the whole log as CSV, oldest first, after recording the export; returns the rows.

    The caller has already been allowed to export (an admin, or the operator of the CLI, who
    holds the database file itself).
    """
    store.audit.append(AuditEvent(actor=actor, action=Action.AUDIT_EXPORT, resource="audit",
                                  client_address=client))
    return write_csv(store.audit.iter_all(), out)
