"""A real FHIR client library (fhirpy 2) uses the running server as any client would.

Why: a server can pass its own tests and still trip up clients (links they cannot follow,
headers they do not expect). fhirpy knows nothing of joinedup: it creates patients, encounters
and observations, searches, pages through results by following the Bundle's `next` links, and
reads resources back, over HTTP to uvicorn on loopback.
"""

from __future__ import annotations

from fhirpy import SyncFHIRClient

from fixtures.browser import LiveServer
from fixtures.record import seed_record

SNOMED = "http://snomed.info/sct"


def test_fhirpy_creates_searches_pages_and_reads(live_server: LiveServer) -> None:
    seed_record(live_server.world)
    client = SyncFHIRClient(f"{live_server.url}/fhir",
                            authorization=f"Bearer {live_server.world.tokens['nurse']}")
    made = []
    for number in range(12):
        patient = client.resource("Patient", name=[{"family": "Clientpatient",
                                                    "given": [f"P{number:02d}"]}],
                                  birthDate=f"19{40 + number}-05-01", gender="female",
                                  generalPractitioner=[{"reference": "Organization/RR8"}])
        patient.save()
        assert patient.id and patient["meta"]["versionId"] == "1"
        encounter = client.resource(
            "Encounter", status="in-progress",
            **{"class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                         "code": "IMP"}},
            subject=patient.to_reference(), serviceProvider={"reference": "Organization/RR8"},
            period={"start": "2026-11-01T09:00:00Z"})
        encounter.save()
        observation = client.resource(
            "Observation", status="final", subject=patient.to_reference(),
            code={"coding": [{"system": SNOMED, "code": "72313002"}]},
            effectiveDateTime=f"2026-11-{number + 1:02d}",
            valueQuantity={"value": 120 + number, "unit": "mmHg"})
        observation.save()
        made.append(patient.id)

    search = client.resources("Patient").search(family="Clientpatient").sort("birthdate")
    assert search.count() == 12
    first_page = search.limit(5).fetch()
    assert len(first_page) == 5
    everyone = search.limit(5).fetch_all()  # follows `next` links: 5 + 5 + 2
    assert [p.id for p in everyone] == made

    one = client.reference("Patient", made[3]).to_resource()
    assert one["name"][0]["given"] == ["P03"]
    encounters = client.resources("Encounter").search(patient=made[3]).fetch_all()
    assert [e["status"] for e in encounters] == ["in-progress"]
    recent = client.resources("Observation").search(
        code=f"{SNOMED}|72313002", date__ge="2026-11-10").sort("-date").fetch_all()
    assert [o["valueQuantity"]["value"] for o in recent] == [131, 130, 129]

    one["gender"] = "other"
    one.save()
    assert client.reference("Patient", made[3]).to_resource()["meta"]["versionId"] == "2"
