"""Access to the record by care relationship, both ways, with break glass and the audit trail.

The nurse works at the trust RR8: patients 9000000009 and 9000000033 are in hospital there;
9000000017 and 9000000025 have no relationship with RR8. Practice users, admins, analysts and
board viewers hold no record permission at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fixtures.record import inpatient, seed_record
from fixtures.web import World, build_world
from joinedup.app.audit import AuditQuery

RELATED = ("pt-9000000009", "pt-9000000033")
UNRELATED = ("pt-9000000017", "pt-9000000025")


@pytest.fixture
def seeded(world: World) -> World:
    seed_record(world)
    return world


def test_the_nurse_reads_related_patients_only(seeded: World) -> None:
    nurse = seeded.client("nurse")
    for patient in RELATED:
        assert nurse.get(f"/fhir/Patient/{patient}").status_code == 200
        assert nurse.get(f"/fhir/Patient/{patient}/$everything").status_code == 200
    for patient in UNRELATED:
        refused = nurse.get(f"/fhir/Patient/{patient}")
        assert refused.status_code == 403
        assert refused.json()["resourceType"] == "OperationOutcome"
        assert nurse.get(f"/fhir/Patient/{patient}/$everything").status_code == 403
        assert nurse.get(f"/fhir/Patient/{patient}/_history").status_code == 403
    found = nurse.get("/fhir/Patient").json()
    assert {e["resource"]["id"] for e in found["entry"]} == set(RELATED)
    assert found["total"] == 2


def test_searching_by_nhs_number_never_reveals_an_unrelated_patient(seeded: World) -> None:
    nurse = seeded.client("nurse")
    answer = nurse.get("/fhir/Patient", params={
        "identifier": "https://fhir.nhs.uk/Id/nhs-number|9000000017"}).json()
    assert answer["total"] == 0 and "entry" not in answer


def test_roles_without_the_record_permission_are_refused(seeded: World) -> None:
    answers = {}
    for user in ("gp_a", "gp_b", "admin", "analyst", "lead", "board"):
        client = seeded.client(user)
        answers[user] = (client.get(f"/fhir/Patient/{RELATED[0]}").status_code,
                         client.get("/fhir/Patient").status_code,
                         client.post("/fhir/Patient", json={"resourceType": "Patient"}
                                     ).status_code)
    assert answers == dict.fromkeys(answers, (403, 403, 403))


def test_writing_needs_a_relationship_or_makes_one(seeded: World) -> None:
    nurse = seeded.client("nurse")
    note = {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "72313002"}]}}
    mine = nurse.post("/fhir/Observation",
                      json={**note, "subject": {"reference": f"Patient/{RELATED[0]}"}})
    assert mine.status_code == 201
    theirs = nurse.post("/fhir/Observation",
                        json={**note, "subject": {"reference": f"Patient/{UNRELATED[0]}"}})
    assert theirs.status_code == 403
    assert seeded.client("admin").get("/fhir/Observation").status_code == 403
    # admitting the patient to one's own hospital records the relationship it rests on
    admitted = nurse.put("/fhir/Encounter/adm-1", json=inpatient("adm-1", UNRELATED[0], "RR8"))
    assert admitted.status_code == 201
    assert nurse.get(f"/fhir/Patient/{UNRELATED[0]}").status_code == 200


def test_a_finished_stay_opens_the_record_for_ninety_days_only(seeded: World) -> None:
    nurse = seeded.client("nurse")
    seed = nurse.put("/fhir/Encounter/enc-9000000033",
                     json=inpatient("enc-9000000033", "pt-9000000033", "RR8", "finished",
                                    "2025-01-01T10:00:00Z", "2025-01-05T10:00:00Z"))
    assert seed.status_code == 200
    assert nurse.get("/fhir/Patient/pt-9000000033").status_code == 403  # ended long ago
    recent = seeded.store.now().date().isoformat()
    nurse.put("/fhir/Encounter/enc-9000000033",
              json=inpatient("enc-9000000033", "pt-9000000033", "RR8", "finished",
                             f"{recent}T00:00:00Z", f"{recent}T00:00:01Z"))
    assert nurse.get("/fhir/Patient/pt-9000000033").status_code == 200


def test_break_glass_needs_a_reason_and_is_flagged_for_review(seeded: World) -> None:
    nurse = seeded.client("nurse")
    patient = UNRELATED[1]

    def ask(reason: str) -> Any:
        return nurse.post(f"/fhir/Patient/{patient}/$break-glass", json={
            "resourceType": "Parameters", "parameter": [{"name": "reason",
                                                          "valueString": reason}]})

    assert ask("").status_code == 400
    assert ask("urgent").status_code == 400  # too short to be reviewed
    assert nurse.get(f"/fhir/Patient/{patient}").status_code == 403
    granted = ask("unconscious in A&E, no relationship, needs medicines list")
    assert granted.status_code == 200
    assert nurse.get(f"/fhir/Patient/{patient}").status_code == 200
    assert nurse.get(f"/fhir/Patient/{patient}/$everything").status_code == 200
    assert seeded.client("gp_b").get(f"/fhir/Patient/{patient}").status_code == 403

    admin = seeded.client("admin")
    flagged = admin.get("/api/record/break-glass").json()
    assert [(g["user_name"], g["patient"]) for g in flagged] == [("nurse", patient)]
    reviewed = admin.post(f"/api/record/break-glass/{flagged[0]['id']}/review",
                          json={"note": "checked with the A&E consultant: appropriate"})
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_by"] == "admin"
    assert admin.get("/api/record/break-glass").json() == []
    entries = seeded.store.audit.read(AuditQuery(action="record.break_glass"))
    assert len(entries) == 1 and entries[0].patients == (f"Patient/{patient}",)
    assert "unconscious" in (entries[0].reason or "")


def test_break_glass_ends_after_its_time(tmp_path: Path, ops_url: str, clock: Any) -> None:
    timed = build_world(tmp_path, ops_url, clock=clock)
    seed_record(timed)
    nurse = timed.client("nurse")
    patient = UNRELATED[0]
    granted = nurse.post(f"/fhir/Patient/{patient}/$break-glass", json={
        "resourceType": "Parameters",
        "parameter": [{"name": "reason", "valueString": "collapsed at the bus station"}]})
    assert granted.status_code == 200
    clock.advance(hours=3, minutes=59)
    assert nurse.get(f"/fhir/Patient/{patient}").status_code == 200
    clock.advance(minutes=2)
    assert nurse.get(f"/fhir/Patient/{patient}").status_code == 403
    timed.store.close()


def test_every_read_search_and_everything_is_audited(seeded: World) -> None:
    nurse = seeded.client("nurse")
    before = len(seeded.store.audit.read(AuditQuery(limit=1000)))
    nurse.get(f"/fhir/Patient/{RELATED[0]}")
    nurse.get("/fhir/Encounter", params={"patient": RELATED[0]})
    nurse.get(f"/fhir/Patient/{RELATED[0]}/$everything")
    nurse.get(f"/fhir/Patient/{UNRELATED[0]}")
    entries = seeded.store.audit.read(AuditQuery(limit=1000))[: -before or None]
    assert [(e.action, e.outcome) for e in reversed(entries)] == [
        ("patient.view", "success"), ("patient.view", "success"), ("patient.view", "success"),
        ("access.refused", "refused")]
    assert all(e.patients for e in entries)

    admin = seeded.client("admin")
    events = admin.get("/fhir/AuditEvent", params={
        "patient": f"Patient/{RELATED[0]}", "_sort": "-date", "_count": 3}).json()
    subtypes = [e["resource"]["subtype"][0]["code"] for e in events["entry"]]
    assert subtypes == ["operation", "search-type", "read"]
    assert all(e["resource"]["agent"][0]["name"] == "nurse" for e in events["entry"])
    assert nurse.get("/fhir/AuditEvent").status_code == 403
