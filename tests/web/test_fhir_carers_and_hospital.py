"""Carers recorded once and seen by every service; carers by place; who of a practice's patients
is in hospital now or was discharged this week (the dashboard's view)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fixtures.record import OPERATOR, inpatient, seed_record
from fixtures.web import PASSWORD, World
from joinedup.app.access import Refused, Role
from joinedup.app.record_export import carers_by_place, publish_carers
from joinedup.app.record_notify import hospital_activity
from joinedup.domain.carers import CONSENT_EXTENSION

ORG_TYPE = "https://joinedup.invalid/fhir/CodeSystem/organisation-type"


def carer(carer_id: str, patient: str, consent: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "RelatedPerson", "id": carer_id, "active": True,
        "patient": {"reference": f"Patient/{patient}"}, "name": [{"family": "Carer"}],
        "relationship": [{"coding": [{"system": "http://snomed.info/sct",
                                      "code": "133932002"}]}]}
    if consent:
        out["extension"] = [{"url": CONSENT_EXTENSION, "valueDateTime": "2026-10-01"}]
    return out


@pytest.fixture
def seeded(world: World) -> World:
    seed_record(world)
    world.store.accounts.add("gp_nurse", Role.CARE_PROFESSIONAL, "A81001", PASSWORD)
    world.tokens["gp_nurse"] = world.store.accounts.issue_token("gp_nurse")
    return world


def test_a_carer_recorded_once_is_seen_by_every_service(seeded: World) -> None:
    nurse, practice = seeded.client("nurse"), seeded.client("gp_nurse")
    refused = nurse.put("/fhir/RelatedPerson/c1", json=carer("c1", "pt-9000000009", False))
    assert refused.status_code == 422
    assert nurse.put("/fhir/RelatedPerson/c1", json=carer("c1", "pt-9000000009")
                     ).status_code == 201
    for client in (nurse, practice):  # the trust recorded it; the practice sees it too
        found = client.get("/fhir/RelatedPerson", params={"patient": "pt-9000000009"}).json()
        assert [e["resource"]["id"] for e in found["entry"]] == ["c1"]
    assert seeded.client("gp_b").get("/fhir/RelatedPerson/c1").status_code == 403


def test_carers_are_counted_by_place(seeded: World) -> None:
    service = seed_record(seeded)
    for code, kind, parent in (("PL1", "place", None), ("A81001", "practice", "PL1"),
                               ("A81002", "practice", "PL1")):
        org = {"resourceType": "Organization", "id": code, "name": f"Org {code}",
               "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code",
                               "value": code}],
               "type": [{"coding": [{"system": ORG_TYPE, "code": kind}]}]}
        if parent:
            org["partOf"] = {"reference": f"Organization/{parent}"}
        service.write(OPERATOR, "Organization", org, code)
    for index, patient in enumerate(("pt-9000000009", "pt-9000000017", "pt-9000000025")):
        service.write(OPERATOR, "RelatedPerson", carer(f"c{index}", patient), f"c{index}")
    opted = service.store.read("Patient", "pt-9000000033")
    assert opted is not None
    service.write(OPERATOR, "Patient", {**opted.content, "extension": [{
        "url": "https://joinedup.invalid/fhir/StructureDefinition/national-data-opt-out",
        "valueBoolean": True}]}, "pt-9000000033")
    service.write(OPERATOR, "RelatedPerson", carer("c9", "pt-9000000033"), "c9")
    counts = carers_by_place(service)
    assert [(c.place_code, c.carers) for c in counts] == [("PL1", 3)]  # opted out not counted
    assert publish_carers(counts) == [("PL1", "Org PL1", None)]  # 3 is a small count


def test_in_hospital_now_and_discharged_this_week(seeded: World) -> None:
    service = seed_record(seeded)
    now = seeded.store.now()
    day = (now - timedelta(days=2)).strftime("%Y-%m-%dT10:00:00Z")
    long_ago = (now - timedelta(days=30)).strftime("%Y-%m-%dT10:00:00Z")
    service.write(OPERATOR, "Encounter", inpatient("home", "pt-9000000017", "RR8", "finished",
                                                   long_ago, day), "home")
    service.write(OPERATOR, "Encounter", inpatient("old", "pt-9000000017", "RR8", "finished",
                                                   long_ago, long_ago), "old")
    # "this week" is the 7 days to today: six days ago counts from its first minute, seven
    # days ago does not even in its last; an outpatient visit in progress is no hospital stay
    six_days = (now.date() - timedelta(days=6)).isoformat() + "T00:30:00Z"
    seven_days = (now.date() - timedelta(days=7)).isoformat() + "T23:30:00Z"
    service.write(OPERATOR, "Encounter", inpatient("edge-in", "pt-9000000017", "RR8",
                                                   "finished", long_ago, six_days), "edge-in")
    service.write(OPERATOR, "Encounter", inpatient("edge-out", "pt-9000000017", "RR8",
                                                   "finished", long_ago, seven_days), "edge-out")
    clinic = inpatient("clinic", "pt-9000000017", "RR8")
    clinic["class"]["code"] = "AMB"
    service.write(OPERATOR, "Encounter", clinic, "clinic")
    gp = seeded.store.accounts.require("gp_a").principal()
    in_hospital, discharged = hospital_activity(service, gp, "A81001")
    assert [(s.patient_id, s.nhs_number, s.name, s.encounter_id, s.provider)
            for s in in_hospital] == [
        ("pt-9000000009", "9000000009", "Alex Testpatient", "enc-9000000009", "RR8")]
    assert [(s.patient_id, s.encounter_id) for s in discharged] == [
        ("pt-9000000017", "edge-in"), ("pt-9000000017", "home")]
    with pytest.raises(Refused):
        hospital_activity(service, gp, "A81002")

    api = seeded.client("gp_a").get("/api/record/practices/a81001/hospital-activity")
    assert api.status_code == 200
    body = api.json()
    assert [(s["nhs_number"], s["provider"], s["discharged"]) for s in body["in_hospital"]] == [
        ("9000000009", "RR8", None)]
    assert [s["encounter"] for s in body["discharged_this_week"]] == ["edge-in", "home"]
    assert seeded.client("gp_a").get("/api/record/practices/A81002/hospital-activity"
                                     ).status_code == 403

    page = seeded.client("gp_a").get("/record/hospital")
    assert page.status_code == 200
    assert "In hospital now (1)" in page.text and "Discharged in the last 7 days (2)" in page.text
    assert "9000000009" in page.text and "9000000017" in page.text
    other = seeded.client("gp_b").get("/record/hospital").text  # A81002's own patients only
    assert "9000000009" not in other and "9000000033" in other
    viewed = [e for e in seeded.store.audit.read()
              if e.resource == "record/practices/A81001/hospital-activity"]
    assert viewed and all("Patient/pt-9000000009" in e.patients for e in viewed)
