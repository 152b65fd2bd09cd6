"""The CapabilityStatement at /fhir/metadata: what this server does, and nothing it does not.

Why: FHIR clients read it to learn the interactions, search parameters and operations a server
supports (http://hl7.org/fhir/R4/capabilitystatement.html). It is built from the same tables the
server uses (the search parameters of record/search_params.py, the interactions below), so it
cannot claim a parameter the search does not understand; a test compares the two.
"""

from __future__ import annotations

from typing import Any

from joinedup.record.search_params import COMMON, PARAMS

SERVED = ("Patient", "Encounter", "Condition", "Observation", "MedicationRequest",
          "MedicationStatement", "AllergyIntolerance", "Organization", "Practitioner",
          "PractitionerRole", "RelatedPerson", "Subscription", "Basic", "EpisodeOfCare",
          "ServiceRequest", "Consent", "Location", "Medication", "Bundle")
"""Resource types clients may read, search, create and update."""

READ_ONLY = ("AuditEvent",)
"""Written by the server for every access; read and searched by admins (no history: an
AuditEvent is never updated)."""

WRITE_INTERACTIONS = ("create", "update")
READ_INTERACTIONS = ("read", "vread", "search-type", "history-instance", "history-type")


def capability_statement(version: str, date: str, base: str) -> dict[str, Any]:
    resources = []
    for kind in (*SERVED, *READ_ONLY):
        interactions = (("read", "search-type") if kind in READ_ONLY
                        else READ_INTERACTIONS + WRITE_INTERACTIONS)
        entry: dict[str, Any] = {
            "type": kind,
            "interaction": [{"code": code} for code in interactions],
            "versioning": "versioned-update",
            "readHistory": kind not in READ_ONLY,
            "updateCreate": kind not in READ_ONLY,
            "conditionalCreate": False, "conditionalUpdate": False,
            "conditionalDelete": "not-supported",
            "searchParam": [{"name": p.name, "type": p.kind,
                             "definition": f"http://hl7.org/fhir/SearchParameter/"
                                           f"{kind if not p.name.startswith('_') else 'Resource'}"
                                           f"-{p.name.lstrip('_')}"}
                            for p in (*COMMON, *PARAMS.get(kind, ()))],
        }
        if kind in ("Patient", "Encounter", "Observation", "Condition", "MedicationRequest",
                    "MedicationStatement", "AllergyIntolerance", "RelatedPerson"):
            entry["searchInclude"] = [f"{kind}:{p.name}" for p in PARAMS.get(kind, ())
                                      if p.kind == "reference"]
        if kind == "Patient":
            entry["searchRevInclude"] = [f"{other}:{p.name}" for other in SERVED
                                         for p in PARAMS.get(other, ())
                                         if p.kind == "reference" and "Patient" in p.targets]
            entry["operation"] = [
                {"name": "everything",
                 "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"},
                {"name": "break-glass",
                 "definition": f"{base}/OperationDefinition/Patient-break-glass"}]
        if kind == "Subscription":
            # What of the backport this server does not do, said where clients look for it.
            entry["documentation"] = (
                "Topic-based rest-hook subscriptions (Subscriptions R5 Backport for R4). "
                "Activation is immediate: status is set to active on create, with no handshake "
                "notification to the endpoint first, and no heartbeat notifications are sent "
                "(channel heartbeatPeriod is ignored). Event notifications are retried with "
                "backoff; $status reports errors.")
            entry["operation"] = [{
                "name": "status",
                "definition": "http://hl7.org/fhir/uv/subscriptions-backport/"
                              "OperationDefinition/backport-subscription-status"}]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active", "date": date, "kind": "instance",
        "publisher": "joinedup",
        "software": {"name": "joinedup", "version": version},
        "implementation": {"description": "joinedup shared care record", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "instantiates": ["http://hl7.org/fhir/uv/subscriptions-backport/CapabilityStatement/"
                         "backport-subscription-server-r4"],
        "rest": [{
            "mode": "server",
            "security": {"cors": False, "description":
                         "Authorization: Bearer <token> (joinedup users add NAME --role "
                         "care_professional --org ODS --token). A care professional reads the "
                         "records of patients their organisation has a care relationship with; "
                         "every read, search and $everything is audited."},
            "resource": resources,
            "interaction": [{"code": "batch"}, {"code": "transaction"}],
        }],
    }
