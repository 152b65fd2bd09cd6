"""The data contract's tables as FHIR R4 resources, so the synthetic ICS fills the record.

Why: the demo should show one joined-up record — GP events, hospital stays, outpatient and A&E
attendances, community visits — for the same patients find and treat counts. `joinedup record
load` reads the contract tables already validated into the analytics store and turns each row
into the resource a GP, trust or community system would send (docs/record.md, "Loading"):

- organisations → Organization (`org_code`): ODS identifier, type, `partOf` the parent;
- patients → Patient (`pt-<patient_id>`): NHS number, birth date, sex, registered practice
  with its registration period, ethnicity (UK Core EthnicCategory extension, Census 2021
  group), LSOA and IMD decile, national data opt-out;
- clinical_events → Observation (`ev-<n>`): SNOMED CT code, date, value when there is one;
- medications → MedicationRequest (`rx-<n>`): dm+d code, date issued;
- encounters → Encounter (`enc-<encounter_id>`): class by kind (IMP, EMER, AMB, HH; a GP
  consultation is AMB too),
  serviceProvider, period, in progress while an admission has no end; discharge rows are not
  resources of their own (the admission's end is the discharge);
- community visits → also one EpisodeOfCare (`eoc-<patient>-<team>`) per patient and team,
  the team's caseload.

The extensions joinedup defines for contract fields FHIR has no element for live under
`https://joinedup.invalid/fhir/StructureDefinition/` (record/export.py reads them back).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

JOINEDUP = "https://joinedup.invalid/fhir/StructureDefinition/"
OPT_OUT = JOINEDUP + "national-data-opt-out"
LSOA = JOINEDUP + "lsoa"
IMD = JOINEDUP + "imd-decile"
REGISTRATION = JOINEDUP + "registration-period"
ORG_TYPE_SYSTEM = "https://joinedup.invalid/fhir/CodeSystem/organisation-type"
ENCOUNTER_KIND_SYSTEM = "https://joinedup.invalid/fhir/CodeSystem/encounter-kind"
ETHNIC_CATEGORY = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
CENSUS_GROUP = "https://joinedup.invalid/fhir/CodeSystem/census-2021-ethnic-group"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
LOCAL_ORG = "https://joinedup.invalid/fhir/Id/org-code"
NHS = "https://fhir.nhs.uk/Id/nhs-number"
SNOMED = "http://snomed.info/sct"
DMD = "https://dmd.nhs.uk"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CLASS_OF_KIND = {"admission": "IMP", "ae_attendance": "EMER", "outpatient": "AMB",
                 "community_visit": "HH", "gp_consultation": "AMB"}
Row = Mapping[str, Any]


def _day(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _instant(value: Any) -> str | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _org_identifier(code: str) -> dict[str, str]:
    ods_shaped = (code.isalnum() and code.isupper()) or code.isdigit()
    return {"system": ODS if ods_shaped and 3 <= len(code) <= 10 else LOCAL_ORG, "value": code}


def organization(row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Organization", "id": row["org_code"], "active": True,
        "identifier": [_org_identifier(row["org_code"])], "name": row["name"],
        "type": [{"coding": [{"system": ORG_TYPE_SYSTEM, "code": row["org_type"]}]}]}
    if row.get("parent_code"):
        out["partOf"] = {"reference": f"Organization/{row['parent_code']}"}
    return out


def patient(row: Row) -> dict[str, Any]:
    registration = {"start": _day(row["registered_from"])}
    if row.get("registered_to"):
        registration["end"] = _day(row["registered_to"])
    gp = {"reference": f"Organization/{row['practice_code']}",
          "extension": [{"url": REGISTRATION, "valuePeriod": registration}]}
    out: dict[str, Any] = {
        "resourceType": "Patient", "id": f"pt-{row['patient_id']}",
        "extension": [
            {"url": ETHNIC_CATEGORY, "valueCodeableConcept": {"coding": [
                {"system": CENSUS_GROUP, "code": row["ethnicity"]}]}},
            {"url": OPT_OUT, "valueBoolean": bool(row["opted_out"])}],
        "identifier": [{"system": NHS, "value": row["nhs_number"]}],
        "gender": {"F": "female", "M": "male"}[row["sex"]],
        "birthDate": _day(row["birth_date"]),
        "generalPractitioner": [gp]}
    if row.get("date_of_death"):
        out["deceasedDateTime"] = _day(row["date_of_death"])
    address_ext = []
    if row.get("lsoa_code"):
        address_ext.append({"url": LSOA, "valueCode": row["lsoa_code"]})
    if row.get("imd_decile") is not None:
        address_ext.append({"url": IMD, "valueInteger": int(row["imd_decile"])})
    if address_ext:
        out["address"] = [{"use": "home", "extension": address_ext}]
    return out


def observation(number: int, row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Observation", "id": f"ev-{number}", "status": "final",
        "code": {"coding": [{"system": SNOMED, "code": row["snomed_code"]}]},
        "subject": {"reference": f"Patient/pt-{row['patient_id']}"},
        "effectiveDateTime": _day(row["date"])}
    if row.get("numeric_value") is not None:
        out["valueQuantity"] = {"value": float(row["numeric_value"])}
    return out


def medication(number: int, row: Row) -> dict[str, Any]:
    return {"resourceType": "MedicationRequest", "id": f"rx-{number}", "status": "completed",
            "intent": "order",
            "medicationCodeableConcept": {"coding": [{"system": DMD, "code": row["dmd_code"]}]},
            "subject": {"reference": f"Patient/pt-{row['patient_id']}"},
            "authoredOn": _day(row["date"])}


def encounter(row: Row) -> dict[str, Any] | None:
    kind = row["kind"]
    if kind not in CLASS_OF_KIND:
        return None  # a discharge row: the admission's end says it
    period = {"start": _instant(row["start"])}
    if row.get("end"):
        period["end"] = _instant(row["end"])
    out: dict[str, Any] = {
        "resourceType": "Encounter", "id": f"enc-{row['encounter_id']}",
        "status": "finished" if row.get("end") else "in-progress",
        "class": {"system": ACT_CODE, "code": CLASS_OF_KIND[kind]},
        "type": [{"coding": [{"system": ENCOUNTER_KIND_SYSTEM, "code": kind}]}],
        "subject": {"reference": f"Patient/pt-{row['patient_id']}"},
        "serviceProvider": {"reference": f"Organization/{row['org_code']}"},
        "period": period}
    if row.get("snomed_code"):
        out["reasonCode"] = [{"coding": [{"system": SNOMED, "code": row["snomed_code"]}]}]
    return out


def caseloads(visits: Sequence[Row], today: date, recent_days: int) -> Iterator[dict[str, Any]]:
    """One EpisodeOfCare per (patient, community team): first to last visit, active while the
    last visit is within `recent_days` of `today`."""
    spans: dict[tuple[Any, str], list[Any]] = {}
    for row in visits:
        key = (row["patient_id"], row["org_code"])
        spans.setdefault(key, []).append(row["start"])
    for (patient_id, team), starts in sorted(spans.items(), key=lambda item: str(item[0])):
        first, last = min(starts), max(starts)
        last_day = last.date() if isinstance(last, datetime) else date.fromisoformat(
            str(last)[:10])
        active = (today - last_day).days <= recent_days
        period = {"start": _instant(first)}
        if not active:
            period["end"] = _instant(last)
        yield {"resourceType": "EpisodeOfCare", "id": f"eoc-{patient_id}-{team}"[:64],
               "status": "active" if active else "finished",
               "patient": {"reference": f"Patient/pt-{patient_id}"},
               "managingOrganization": {"reference": f"Organization/{team}"},
               "period": period}
