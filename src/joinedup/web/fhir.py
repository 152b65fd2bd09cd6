"""The place of the FHIR R4 API: `/fhir`, in the same server, with the same users and audit log.

Why it exists before the API does: the dashboard and the shared care record (issue 11) share one
server, so the mount point, the error seam and the access seam are fixed here for the FHIR engineer.
Nothing is served under `/fhir` yet (every path answers 404), and the CapabilityStatement at
`/fhir/metadata` is theirs to write, truthfully. To build it:
- add routes to `router` (or include sub-routers), each guarded by
  `Depends(require(Permission.RECORD_READ))` or `RECORD_WRITE`, then call
  `authorise(principal, permission, orgs)` with the organisations holding a care relationship
  with the patient, as the record package computes them;
- write an audit row for every read, search and `$everything` with
  `joinedup.app.audit.record_access(..., patients=[...])` (and AuditEvent resources from it);
- register an OperationOutcome renderer for "/fhir" in `joinedup.web.errors.RENDERERS`;
- keep the record's tables in the operational store with a new Alembic migration
  (`joinedup/operational/migrations/README.md`), so they run on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["fhir"])
