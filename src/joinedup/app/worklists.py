"""Worklists for a practice's own patients: to treat, to assess, to find — authorised and audited.

Why here: a worklist is patient-level data, so the use case itself checks that the reader
belongs to the practice (`authorise` with the practice as the data's organisation: a practice
user never sees another practice's patients, whichever surface asks) and writes the audit row
naming every patient shown or exported, before returning anything. The rows come from the same
flags the practice counts are made of (`engines.worklists`), computed once per store state,
programme, date and practice and kept (`Dashboard.cache`); the audit is written on every view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from joinedup.app.audit import record_access
from joinedup.app.dashboard import Dashboard
from joinedup.app.store import open_store
from joinedup.domain.audit import Action
from joinedup.domain.errors import UserError
from joinedup.domain.roles import Permission, Principal, authorise
from joinedup.domain.worklists import (
    COLUMNS,
    DEFAULT_SORT,
    INCLUDE_OPTED_OUT,
    SORTS,
    WorklistEntry,
    WorklistKind,
    entries,
    sort_entries,
)
from joinedup.engines.patient_level import PATIENT_LEVEL
from joinedup.engines.worklists import practice_worklist_rows

__all__ = ["COLUMNS", "INCLUDE_OPTED_OUT", "SORTS", "PracticeNotFound", "Worklist",
           "WorklistEntry", "WorklistKind", "WorklistRequest", "worklist", "worklist_counts"]

REASON = "direct care: worklist review"


class PracticeNotFound(UserError):
    """The practice has no registered patients in the store (or is not a practice)."""


class NoPatientRecords(UserError):
    """The store holds published aggregates, not patient records: there is no worklist."""


@dataclass(frozen=True)
class WorklistRequest:
    practice_code: str
    programme: str
    kind: WorklistKind
    sort: str | None = None
    descending: bool | None = None
    reference_date: date | None = None


@dataclass(frozen=True)
class Worklist:
    practice_code: str
    practice_name: str
    programme: str
    title: str
    kind: WorklistKind
    reference_date: date
    sort: str
    descending: bool
    entries: list[WorklistEntry]

    def rows(self) -> list[dict[str, Any]]:
        return [e.as_row() for e in self.entries]


def worklist(dashboard: Dashboard, principal: Principal, request: WorklistRequest,
             client: str | None = None, *, export: bool = False) -> Worklist:
    """The practice's list `request.kind`, sorted; audited as a view (or an export)."""
    code = request.practice_code.upper()
    authorise(principal, Permission.PATIENTS_READ, {code})
    found, day, name, title = _rows(dashboard, code, request.programme, request.reference_date)
    listed = entries(request.kind, found, dashboard.setup(request.programme).programme, day)
    sort = request.sort or DEFAULT_SORT[request.kind]
    descending = request.descending if request.descending is not None else sort != "nhs_number"
    shown = sort_entries(listed, sort, descending)
    action = Action.PATIENT_EXPORT if export else Action.PATIENT_VIEW
    record_access(dashboard.ops, principal, action,
                  f"worklist/{request.programme}/{request.kind.value}/{code}",
                  [e.audit_id for e in shown], reason=REASON, client=client)
    return Worklist(practice_code=code, practice_name=name, programme=request.programme,
                    title=title, kind=request.kind, reference_date=day, sort=sort,
                    descending=descending, entries=shown)


def worklist_counts(dashboard: Dashboard, principal: Principal, practice_code: str,
                    programme: str) -> dict[WorklistKind, int]:
    """How many patients each list holds (no patient is shown, so nothing to audit)."""
    code = practice_code.upper()
    authorise(principal, Permission.PATIENTS_READ, {code})
    found, day, _name, _title = _rows(dashboard, code, programme, None)
    definition = dashboard.setup(programme).programme
    return {kind: len(entries(kind, found, definition, day)) for kind in WorklistKind}


def _rows(dashboard: Dashboard, code: str, programme: str, on: date | None
          ) -> tuple[list[dict[str, Any]], date, str, str]:
    setup = dashboard.setup(programme)
    names = dashboard.names()
    day = on or dashboard.reference_date()

    def compute() -> list[dict[str, Any]]:
        with open_store(dashboard.db) as store:
            if store.kind is not PATIENT_LEVEL:
                raise NoPatientRecords(f"{dashboard.db}: the store holds published aggregates; "
                                       "worklists need patient-level records")
            return practice_worklist_rows(store.con, setup.programme, day, code,
                                          codelists=setup.codelists)

    if code not in names:
        raise PracticeNotFound(f"no practice {code} in the store")
    found = dashboard.cache.get(("worklist", dashboard.state(), programme, day, code), compute)
    return found, day, names.get(code, code), setup.programme.title
