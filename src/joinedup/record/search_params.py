"""The search parameters the record supports, and the index values a resource gives each one.

Why: searching JSON documents by walking them at query time would be slow and different on
SQLite and PostgreSQL, so every write extracts the values each search parameter matches on into
an index table (record/schema.py `fhir_search`) and searches are plain SQL over it. Names, types
and paths follow the R4 4.0.1 search parameter registry (http://hl7.org/fhir/R4/searchparameter-
registry.html); the CapabilityStatement lists exactly these. Dates are indexed as the range of
instants they cover (`2024-03` covers the whole of March 2024; a date without a time zone is
taken as UTC), so prefixes compare ranges as R4's search page says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Path = tuple[str, ...]


@dataclass(frozen=True)
class SearchParam:
    name: str
    kind: str  # token, reference, date, string
    paths: tuple[str, ...]
    targets: tuple[str, ...] = ()
    """For a reference: the resource types it may point at (for _include and chaining)."""


def _p(name: str, kind: str, *paths: str, targets: tuple[str, ...] = ()) -> SearchParam:
    return SearchParam(name, kind, paths, targets)


PATIENT = ("Patient",)
_SUBJECT = (_p("patient", "reference", "subject", targets=PATIENT),
            _p("subject", "reference", "subject", targets=("Patient", "Group")),
            _p("encounter", "reference", "encounter", targets=("Encounter",)),
            _p("identifier", "token", "identifier"))

COMMON = (_p("_id", "token", "id"), _p("_lastUpdated", "date", "meta.lastUpdated"))

PARAMS: dict[str, tuple[SearchParam, ...]] = {
    "Patient": (
        _p("identifier", "token", "identifier"), _p("name", "string", "name"),
        _p("family", "string", "name.family"), _p("given", "string", "name.given"),
        _p("birthdate", "date", "birthDate"), _p("gender", "token", "gender"),
        _p("active", "token", "active"),
        _p("general-practitioner", "reference", "generalPractitioner",
           targets=("Organization", "Practitioner", "PractitionerRole")),
        _p("organization", "reference", "managingOrganization", targets=("Organization",)),
    ),
    "Encounter": (
        *_SUBJECT, _p("date", "date", "period"), _p("status", "token", "status"),
        _p("class", "token", "class"), _p("type", "token", "type"),
        _p("service-provider", "reference", "serviceProvider", targets=("Organization",)),
        _p("participant", "reference", "participant.individual",
           targets=("Practitioner", "PractitionerRole", "RelatedPerson")),
    ),
    "Condition": (
        *_SUBJECT, _p("code", "token", "code"), _p("clinical-status", "token", "clinicalStatus"),
        _p("verification-status", "token", "verificationStatus"),
        _p("category", "token", "category"),
        _p("onset-date", "date", "onsetDateTime", "onsetPeriod"),
        _p("recorded-date", "date", "recordedDate"),
    ),
    "Observation": (
        *_SUBJECT, _p("code", "token", "code"), _p("status", "token", "status"),
        _p("category", "token", "category"),
        _p("date", "date", "effectiveDateTime", "effectivePeriod", "effectiveInstant"),
        _p("performer", "reference", "performer",
           targets=("Practitioner", "PractitionerRole", "Organization")),
    ),
    "MedicationRequest": (
        *_SUBJECT, _p("code", "token", "medicationCodeableConcept"),
        _p("medication", "reference", "medicationReference", targets=("Medication",)),
        _p("status", "token", "status"), _p("intent", "token", "intent"),
        _p("authoredon", "date", "authoredOn"),
        _p("requester", "reference", "requester",
           targets=("Practitioner", "PractitionerRole", "Organization")),
    ),
    "MedicationStatement": (
        *_SUBJECT, _p("code", "token", "medicationCodeableConcept"),
        _p("medication", "reference", "medicationReference", targets=("Medication",)),
        _p("status", "token", "status"),
        _p("effective", "date", "effectiveDateTime", "effectivePeriod"),
    ),
    "AllergyIntolerance": (
        _p("patient", "reference", "patient", targets=PATIENT),
        _p("identifier", "token", "identifier"), _p("code", "token", "code"),
        _p("clinical-status", "token", "clinicalStatus"), _p("date", "date", "recordedDate"),
        _p("criticality", "token", "criticality"),
    ),
    "Organization": (
        _p("identifier", "token", "identifier"), _p("name", "string", "name", "alias"),
        _p("type", "token", "type"),
        _p("partof", "reference", "partOf", targets=("Organization",)),
    ),
    "Practitioner": (
        _p("identifier", "token", "identifier"), _p("name", "string", "name"),
        _p("family", "string", "name.family"), _p("given", "string", "name.given"),
    ),
    "PractitionerRole": (
        _p("identifier", "token", "identifier"), _p("role", "token", "code"),
        _p("practitioner", "reference", "practitioner", targets=("Practitioner",)),
        _p("organization", "reference", "organization", targets=("Organization",)),
    ),
    "RelatedPerson": (
        _p("patient", "reference", "patient", targets=PATIENT),
        _p("identifier", "token", "identifier"), _p("name", "string", "name"),
        _p("relationship", "token", "relationship"), _p("active", "token", "active"),
    ),
    "AuditEvent": (
        _p("patient", "reference", "entity.what", targets=PATIENT),
        _p("entity", "reference", "entity.what"), _p("date", "date", "recorded"),
        _p("type", "token", "type"), _p("subtype", "token", "subtype"),
        _p("action", "token", "action"), _p("agent-name", "string", "agent.name"),
        _p("outcome", "token", "outcome"),
    ),
    "Subscription": (
        _p("status", "token", "status"), _p("criteria", "string", "criteria"),
        _p("url", "token", "channel.endpoint"),
    ),
    "Basic": (_p("code", "token", "code"), _p("identifier", "token", "identifier")),
    "EpisodeOfCare": (
        _p("patient", "reference", "patient", targets=PATIENT),
        _p("identifier", "token", "identifier"), _p("status", "token", "status"),
        _p("organization", "reference", "managingOrganization", targets=("Organization",)),
        _p("date", "date", "period"),
    ),
    "ServiceRequest": (
        *_SUBJECT, _p("status", "token", "status"), _p("code", "token", "code"),
        _p("performer", "reference", "performer",
           targets=("Organization", "Practitioner", "PractitionerRole")),
        _p("authored", "date", "authoredOn"),
    ),
    "Consent": (
        _p("patient", "reference", "patient", targets=PATIENT),
        _p("status", "token", "status"), _p("identifier", "token", "identifier"),
    ),
    "Location": (_p("identifier", "token", "identifier"), _p("name", "string", "name")),
    "Medication": (_p("identifier", "token", "identifier"), _p("code", "token", "code")),
    "Bundle": (_p("identifier", "token", "identifier"), _p("type", "token", "type")),
}
"""Search parameters by resource type, besides `COMMON` (`_id`, `_lastUpdated`)."""


def params_for(resource_type: str) -> dict[str, SearchParam]:
    return {p.name: p for p in (*COMMON, *PARAMS.get(resource_type, ()))}


@dataclass(frozen=True)
class IndexRow:
    param: str
    system: str | None = None
    value: str | None = None
    low: datetime | None = None
    high: datetime | None = None


def values_at(node: Any, steps: list[str]) -> Iterator[Any]:
    """Every value at a dotted path, stepping into arrays."""
    if isinstance(node, list):
        for item in node:
            yield from values_at(item, steps)
        return
    if not steps:
        if node is not None:
            yield node
        return
    if isinstance(node, dict) and steps[0] in node:
        yield from values_at(node[steps[0]], steps[1:])


def index_rows(resource: dict[str, Any]) -> list[IndexRow]:
    rows: list[IndexRow] = []
    for param in params_for(resource["resourceType"]).values():
        for path in param.paths:
            for value in values_at(resource, path.split(".")):
                rows.extend(_rows_for(param, value))
    return rows


def _rows_for(param: SearchParam, value: Any) -> Iterator[IndexRow]:
    name = param.name
    if param.kind == "token":
        for system, code in tokens(value):
            yield IndexRow(name, system, code)
    elif param.kind == "reference":
        target = reference_key(value)
        if target:
            yield IndexRow(name, None, target)
    elif param.kind == "date":
        span = date_span(value)
        if span:
            yield IndexRow(name, None, None, *span)
    elif param.kind == "string":
        for text in strings(value):
            yield IndexRow(name, None, normalise(text)[:512])


def tokens(value: Any) -> Iterator[tuple[str | None, str]]:
    if isinstance(value, bool):
        yield None, "true" if value else "false"
    elif isinstance(value, str):
        yield None, value
    elif isinstance(value, dict):
        if "coding" in value:
            for coding in value["coding"]:
                yield from tokens(coding)
        elif "code" in value and isinstance(value["code"], str):
            yield value.get("system"), value["code"]
        elif "value" in value and isinstance(value["value"], str):
            yield value.get("system"), value["value"]


def reference_key(value: Any) -> str | None:
    """`Type/id` for a relative reference (or an absolute one ending so), else None."""
    ref = value.get("reference") if isinstance(value, dict) else None
    if not isinstance(ref, str):
        return None
    found = re.search(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$", ref)
    return f"{found.group(1)}/{found.group(2)}" if found else None


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key in ("text", "family", "given", "prefix", "suffix", "line", "city", "postalCode"):
            item = value.get(key)
            for one in item if isinstance(item, list) else [item]:
                if isinstance(one, str):
                    yield one


def normalise(text: str) -> str:
    """Case- and accent-insensitive form for string search (R4: "ignoring case and accents")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
                   r"(Z|[+-]\d{2}:\d{2})?)?)?)?")
FAR_FUTURE = datetime(9999, 12, 31)
FAR_PAST = datetime(1, 1, 1)


def date_span(value: Any) -> tuple[datetime, datetime] | None:
    """[low, high) in naive UTC for a date, dateTime, instant or Period."""
    if isinstance(value, dict):
        start = parse_span(value["start"]) if isinstance(value.get("start"), str) else None
        end = parse_span(value["end"]) if isinstance(value.get("end"), str) else None
        if start is None and end is None:
            return None
        return (start[0] if start else FAR_PAST, end[1] if end else FAR_FUTURE)
    return parse_span(value) if isinstance(value, str) else None


def parse_span(text: str) -> tuple[datetime, datetime] | None:
    """The range of instants a FHIR date/dateTime/instant (at its precision) covers."""
    m = _DATE.fullmatch(text.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    try:
        if month is None:
            return datetime(int(year), 1, 1), datetime(int(year) + 1, 1, 1)
        if day is None:
            low = datetime(int(year), int(month), 1)
            high = datetime(int(year) + (int(month) == 12), int(month) % 12 + 1, 1)
            return low, high
        if hour is None:
            low = datetime(int(year), int(month), int(day))
            return low, low + timedelta(days=1)
        low = datetime(int(year), int(month), int(day), int(hour), int(minute),
                       int(second or 0), int(float(fraction or 0) * 1_000_000))
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        low -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    step = timedelta(seconds=1) if second is not None else timedelta(minutes=1)
    if fraction:
        step = timedelta(microseconds=1)
    return low, low + step


def utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
