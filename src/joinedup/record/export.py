"""The record as the data contract's tables, so what arrives through FHIR reaches analytics.

Why: find and treat counts patients from the analytics store, which `joinedup load` rebuilds
whole from contract files and replaces atomically. `joinedup record export` writes the record's
current resources as those files; `joinedup load` then validates them (rejecting, with reasons,
any row a FHIR resource could not fill) and swaps the store in one step (docs/record.md, "How
FHIR data reaches analytics"). Read back (record/synthetic.py's extensions are understood):

- Organization → organisations (code from the ODS or local identifier, type and partOf);
- Patient → patients: NHS number, birth date, sex (female F, male M; other values are left for
  the loader to reject), Census 2021 ethnic group (else Unknown), LSOA and IMD decile, the
  registered practice and period (a patient whose registration start is not given counts as
  registered from when the record first held them), death, and the national data opt-out
  extension (absent: not opted out);
- Observation and Condition with a SNOMED CT code → clinical_events;
- MedicationRequest and MedicationStatement with a dm+d code → medications;
- Encounter → encounters (kind from joinedup's kind coding, else the class: IMP admission,
  EMER ae_attendance, AMB outpatient, HH community_visit), plus a discharge row at the end of
  every finished admission.
Patient and encounter ids of the form `pt-<n>`/`enc-<n>` keep their numbers; others are
numbered after them in id order, so an export is the same every time for the same record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from joinedup.record import synthetic as s
from joinedup.record.schema import fhir_resources, fhir_versions
from joinedup.record.search_params import date_span, parse_span, reference_key

KIND_OF_CLASS = {code: kind for kind, code in reversed(s.CLASS_OF_KIND.items())}
"""The kind an Encounter with only a class has: the first kind of that class (AMB: outpatient)."""


@dataclass
class Tables:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _resources(engine: Engine, kind: str) -> Iterator[dict[str, Any]]:
    t = fhir_resources
    with engine.connect() as conn:
        for text in conn.execute(select(t.c.content).where(t.c.res_type == kind)
                                 .order_by(t.c.res_id)).scalars():
            yield json.loads(text)


def _number(resource_id: str, prefix: str) -> int | None:
    tail = resource_id[len(prefix):] if resource_id.startswith(prefix) else ""
    return int(tail) if tail.isdigit() else None


def _codes(concept: Any, system: str) -> list[str]:
    codings = concept.get("coding", []) if isinstance(concept, dict) else []
    return [c["code"] for c in codings if c.get("system") == system and "code" in c]


def _ext(node: Any, url: str) -> Any:
    for item in node.get("extension", []) if isinstance(node, dict) else []:
        if item.get("url") == url:
            return item
    return None


def _day(text: Any) -> str | None:
    span = date_span(text) if isinstance(text, str | dict) else None
    return span[0].date().isoformat() if span and span[0].year > 1 else None


def _moment(text: Any) -> datetime | None:
    """The instant a dateTime names (the start of its precision), naive UTC."""
    span = parse_span(text) if isinstance(text, str) else None
    return span[0] if span else None


def _ids(engine: Engine, kind: str, prefix: str) -> dict[str, int]:
    t = fhir_resources
    with engine.connect() as conn:
        ids = list(conn.execute(select(t.c.res_id).where(t.c.res_type == kind)
                                .order_by(t.c.res_id)).scalars())
    numbered = {i: n for i in ids if (n := _number(i, prefix)) is not None}
    start = max(numbered.values(), default=0) + 1
    others = [i for i in ids if i not in numbered]
    return {**numbered, **{i: start + k for k, i in enumerate(others)}}


def export_tables(engine: Engine, org_code_of: Any) -> dict[str, list[dict[str, Any]]]:
    """Contract rows by table name from the record's current resources."""
    patient_ids = _ids(engine, "Patient", "pt-")
    first_seen = _first_seen(engine)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in (
        "organisations", "patients", "clinical_events", "medications", "encounters")}
    for org in _resources(engine, "Organization"):
        code = next((i["value"] for i in org.get("identifier", [])
                     if i.get("system") in (s.ODS, s.LOCAL_ORG)), None)
        types = [c for t in org.get("type", []) for c in _codes(t, s.ORG_TYPE_SYSTEM)]
        parent = reference_key(org.get("partOf"))
        out["organisations"].append({
            "org_code": code, "name": org.get("name"), "org_type": types[0] if types else None,
            "parent_code": parent.split("/")[1] if parent else None,
            "valid_from": None, "valid_to": None})
    for patient in _resources(engine, "Patient"):
        out["patients"].append(_patient(patient, patient_ids, first_seen, org_code_of))
    for kind in ("Observation", "Condition"):
        for item in _resources(engine, kind):
            pid = _patient_number(item.get("subject"), patient_ids)
            when = _day(item.get("effectiveDateTime") or item.get("effectivePeriod")
                        or item.get("onsetDateTime") or item.get("recordedDate"))
            value = item.get("valueQuantity", {}).get("value")
            for code in _codes(item.get("code"), s.SNOMED)[:1]:
                out["clinical_events"].append({"patient_id": pid, "date": when,
                                               "snomed_code": code, "numeric_value": value})
    for kind in ("MedicationRequest", "MedicationStatement"):
        for item in _resources(engine, kind):
            pid = _patient_number(item.get("subject"), patient_ids)
            when = _day(item.get("authoredOn") or item.get("effectiveDateTime")
                        or item.get("dateAsserted"))
            for code in _codes(item.get("medicationCodeableConcept"), s.DMD)[:1]:
                out["medications"].append({"patient_id": pid, "date": when, "dmd_code": code})
    out["encounters"] = _encounters(engine, patient_ids, org_code_of)
    return out


def _first_seen(engine: Engine) -> dict[str, datetime]:
    v = fhir_versions
    with engine.connect() as conn:
        return dict(conn.execute(select(v.c.res_id, func.min(v.c.last_updated)).where(
            v.c.res_type == "Patient").group_by(v.c.res_id)).all())


def _patient_number(reference: Any, patient_ids: dict[str, int]) -> int | None:
    key = reference_key(reference)
    return patient_ids.get(key.split("/")[1]) if key and key.startswith("Patient/") else None


def _patient(patient: dict[str, Any], ids: dict[str, int], first_seen: dict[str, datetime],
             org_code_of: Any) -> dict[str, Any]:
    nhs = next((i.get("value") for i in patient.get("identifier", [])
                if i.get("system") == s.NHS), None)
    gp = (patient.get("generalPractitioner") or [None])[0]
    registration = _ext(gp, s.REGISTRATION)
    period = registration.get("valuePeriod", {}) if registration else {}
    seen = first_seen.get(patient["id"])
    ethnicity = _ext(patient, s.ETHNIC_CATEGORY)
    groups = _codes(ethnicity.get("valueCodeableConcept"), s.CENSUS_GROUP) if ethnicity else []
    address = (patient.get("address") or [{}])[0]
    lsoa, imd = _ext(address, s.LSOA), _ext(address, s.IMD)
    opt_out = _ext(patient, s.OPT_OUT)
    return {
        "patient_id": ids[patient["id"]], "nhs_number": nhs,
        "birth_date": _day(patient.get("birthDate")),
        "sex": {"female": "F", "male": "M"}.get(patient.get("gender", ""),
                                                 patient.get("gender")),
        "ethnicity": groups[0] if groups else "Unknown",
        "lsoa_code": lsoa.get("valueCode") if lsoa else None,
        "imd_decile": imd.get("valueInteger") if imd else None,
        "practice_code": org_code_of(gp) if gp else None,
        "registered_from": _day(period.get("start")) or (seen.date().isoformat() if seen
                                                         else None),
        "registered_to": _day(period.get("end")),
        "date_of_death": _day(patient.get("deceasedDateTime")),
        "opted_out": bool(opt_out.get("valueBoolean")) if opt_out else False,
    }


def _encounters(engine: Engine, patient_ids: dict[str, int], org_code_of: Any
                ) -> list[dict[str, Any]]:
    ids = _ids(engine, "Encounter", "enc-")
    rows: list[dict[str, Any]] = []
    discharges: list[dict[str, Any]] = []
    next_id = max(ids.values(), default=0) + 1
    for item in _resources(engine, "Encounter"):
        kinds = [c for t in item.get("type", []) for c in _codes(t, s.ENCOUNTER_KIND_SYSTEM)]
        kind = kinds[0] if kinds else KIND_OF_CLASS.get(item.get("class", {}).get("code"))
        period = item.get("period") or {}
        start, end = _moment(period.get("start")), _moment(period.get("end"))
        reasons = [c for r in item.get("reasonCode", []) for c in _codes(r, s.SNOMED)]
        row = {"encounter_id": ids[item["id"]],
               "patient_id": _patient_number(item.get("subject"), patient_ids),
               "org_code": org_code_of(item.get("serviceProvider")), "kind": kind,
               "start": start, "end": end, "snomed_code": reasons[0] if reasons else None}
        rows.append(row)
        if kind == "admission" and item.get("status") == "finished" and end:
            discharges.append({**row, "kind": "discharge", "start": end, "snomed_code": None})
    for discharge in discharges:
        discharge["encounter_id"] = next_id
        next_id += 1
    return rows + discharges
