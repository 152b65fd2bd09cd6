"""Problems with a request, as FHIR R4 OperationOutcome issues, and the error that carries them.

Why: every error the FHIR API gives is an OperationOutcome (issue 11), with the status a client
can act on: 400 for a malformed request, 404 for an unknown resource, 409 for a clash of
versions, 412 for a failed If-Match, 422 for a resource that breaks FHIR R4 or UK Core rules.
Issues name the element (`Patient.identifier[0].value`) and never repeat a patient's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from joinedup.domain.errors import UserError


@dataclass(frozen=True)
class Issue:
    code: str
    """An R4 issue-type code: structure, required, value, invariant, not-found, conflict, …"""
    diagnostics: str
    expression: str | None = None
    severity: str = "error"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"severity": self.severity, "code": self.code,
                               "diagnostics": self.diagnostics}
        if self.expression:
            out["expression"] = [self.expression]
        return out


class FhirError(UserError):
    """A request the FHIR API refuses, with its HTTP status and the issues that explain it."""

    def __init__(self, status: int, issues: list[Issue] | Issue) -> None:
        self.status = status
        self.issues = issues if isinstance(issues, list) else [issues]
        super().__init__("; ".join(i.diagnostics for i in self.issues))


def not_found(what: str) -> FhirError:
    return FhirError(404, Issue("not-found", f"{what} is not known"))


def invalid(diagnostics: str, expression: str | None = None, code: str = "invalid") -> FhirError:
    return FhirError(400, Issue(code, diagnostics, expression))


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [i.as_json() for i in issues]}
