"""What the audit log records: the actions and outcomes every surface writes.

Why: the audit log answers "who saw this patient's record, when and why" and "who changed which
account", so its vocabulary must be the same whether the dashboard, the JSON API, the FHIR API or
the CLI wrote the row. New capabilities add their actions here (the record adds its FHIR
interactions, break glass, …). Pure: standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    USER_ADD = "user.add"
    USER_DISABLE = "user.disable"
    PASSWORD_SET = "user.password"
    TOKEN_ISSUE = "token.issue"
    TOKEN_REVOKE = "token.revoke"
    AUDIT_READ = "audit.read"
    AUDIT_EXPORT = "audit.export"
    PATIENT_VIEW = "patient.view"
    """Any page, API answer or FHIR read that shows patient-level data."""
    PATIENT_EXPORT = "patient.export"
    """A download (CSV, Excel, bundle) that carries patient-level data away."""
    ACCESS_REFUSED = "access.refused"
    PLAN_EDIT = "plan.edit"
    """A programme lead saved a new version of a programme's willing list and waves."""
    RECORD_CREATE = "record.create"
    RECORD_UPDATE = "record.update"
    BREAK_GLASS = "record.break_glass"
    """An emergency access to a record outside a care relationship (flagged for review)."""
    BREAK_GLASS_REVIEW = "record.break_glass_review"
    NOTIFICATION_REPLAY = "record.notification_replay"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    """The action was tried and did not succeed (a wrong password, a locked account)."""
    REFUSED = "refused"
    """The person was not allowed to do it."""


@dataclass(frozen=True)
class Actor:
    """Who did it: a signed-in user, or an operator at the command line (`user_id` None)."""

    name: str
    user_id: int | None = None
    role: str | None = None
    org_code: str | None = None


@dataclass(frozen=True)
class AuditEvent:
    """One row to append. `patients` holds internal ids or NHS numbers: identifiable, so they go
    to the protected audit table only, never to a log line or an error message."""

    actor: Actor
    action: Action | str
    resource: str
    outcome: Outcome = Outcome.SUCCESS
    reason: str | None = None
    client_address: str | None = None
    patients: tuple[str, ...] = field(default=())
