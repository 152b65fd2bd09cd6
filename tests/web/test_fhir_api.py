"""The FHIR REST interactions against R4 4.0.1's rules, on SQLite and PostgreSQL.

Read, vread, create, update with If-Match, history, search (tokens, references, date prefixes,
sorting, paging, _include/_revinclude, unknown parameters), batch and transaction Bundles,
$everything and the CapabilityStatement; every error is an OperationOutcome with R4's status.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from fixtures.record import seed_record
from fixtures.web import World

SNOMED = "http://snomed.info/sct"
PATIENT = "pt-9000000009"  # registered at A81001, in hospital at RR8 (the nurse's trust)


def observation(code: str, when: str, patient: str = PATIENT, value: float = 120) -> dict:
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": SNOMED, "code": code}]},
            "subject": {"reference": f"Patient/{patient}"}, "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": "mmHg"}}


@pytest.fixture
def nurse(world: World) -> Any:
    seed_record(world)
    return world.client("nurse")


def ids(bundle: dict[str, Any], mode: str = "match") -> set[str]:
    return {e["resource"]["id"] for e in bundle.get("entry", [])
            if e.get("search", {}).get("mode") == mode}


def test_create_read_update_and_versions(nurse: Any) -> None:
    created = nurse.post("/fhir/Observation", json=observation("271649006", "2026-11-01"))
    assert created.status_code == 201
    body = created.json()
    oid = body["id"]
    assert created.headers["etag"] == 'W/"1"'
    assert urlsplit(created.headers["location"]).path == f"/fhir/Observation/{oid}/_history/1"
    assert created.headers["content-type"].startswith("application/fhir+json")
    assert body["meta"]["versionId"] == "1"

    read = nurse.get(f"/fhir/Observation/{oid}")
    assert read.json() == body
    changed = {**body, "valueQuantity": {"value": 118, "unit": "mmHg"}}
    updated = nurse.put(f"/fhir/Observation/{oid}", json=changed, headers={"If-Match": 'W/"1"'})
    assert updated.status_code == 200 and updated.headers["etag"] == 'W/"2"'
    stale = nurse.put(f"/fhir/Observation/{oid}", json=changed, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.json()["resourceType"] == "OperationOutcome"
    mismatch = nurse.put(f"/fhir/Observation/{oid}", json={**changed, "id": "other"})
    assert mismatch.status_code == 400

    assert nurse.get(f"/fhir/Observation/{oid}/_history/1").json()["valueQuantity"]["value"] == 120
    assert nurse.get(f"/fhir/Observation/{oid}/_history/2").json()["valueQuantity"]["value"] == 118
    assert nurse.get(f"/fhir/Observation/{oid}/_history/3").status_code == 404
    history = nurse.get(f"/fhir/Observation/{oid}/_history").json()
    assert history["type"] == "history" and history["total"] == 2
    assert [e["request"]["method"] for e in history["entry"]] == ["PUT", "POST"]


def test_update_creates_with_a_client_id(nurse: Any) -> None:
    made = nurse.put("/fhir/Observation/bp-1",
                     json={**observation("271649006", "2026-11-01"), "id": "bp-1"})
    assert made.status_code == 201 and made.json()["id"] == "bp-1"


def test_date_prefixes_compare_ranges(nurse: Any) -> None:
    made = {}
    for name, when in (("jan", "2026-01-15"), ("feb", "2026-02-10T08:00:00Z"),
                       ("mar", "2026-03")):
        answer = nurse.post("/fhir/Observation", json=observation("38341003", when))
        made[answer.json()["id"]] = name

    def names(date: str) -> set[str]:
        bundle = nurse.get("/fhir/Observation", params={"date": date, "code": "38341003"}).json()
        return {made[i] for i in ids(bundle)}

    # resource ranges: jan = [15 Jan, 16 Jan), feb = [10 Feb 08:00:00, +1 s), mar = [1 Mar, 1 Apr)
    assert names("2026-02") == {"feb"}                 # eq: inside February
    assert names("ge2026-02-01") == {"feb", "mar"}     # ends after 2 Feb, or inside 1 Feb
    assert names("lt2026-02-10") == {"jan"}            # starts before 10 Feb 00:00
    assert names("sa2026-01-31") == {"feb", "mar"}     # starts on or after 1 Feb
    assert names("eb2026-03-01") == {"jan", "feb"}     # ends by 1 Mar
    assert names("ne2026-03") == {"jan", "feb"}
    assert names("2026-01-15,2026-03") == {"jan", "mar"}  # commas OR
    bad = nurse.get("/fhir/Observation", params={"date": "gt2026-13-01"})
    assert bad.status_code == 400 and bad.json()["resourceType"] == "OperationOutcome"


def test_tokens_references_sorting_and_paging(nurse: Any) -> None:
    for day in range(1, 8):
        nurse.post("/fhir/Observation", json=observation("72313002", f"2026-10-0{day}", value=day))
    nurse.post("/fhir/Observation", json=observation("271649006", "2026-10-09"))
    by_code = nurse.get("/fhir/Observation", params={"code": f"{SNOMED}|72313002"}).json()
    assert by_code["total"] == 7
    assert nurse.get("/fhir/Observation", params={"code": "|72313002"}).json()["total"] == 0
    assert nurse.get("/fhir/Observation",
                     params={"code:not": "72313002", "patient": PATIENT}).json()["total"] == 1
    assert nurse.get("/fhir/Observation",
                     params={"subject": f"Patient/{PATIENT}"}).json()["total"] == 8

    seen, values = [], []
    url: str | None = "/fhir/Observation?code=72313002&_sort=-date&_count=3"
    while url:
        page = nurse.get(url).json()
        assert len(page.get("entry", [])) <= 3
        seen.extend(e["resource"]["id"] for e in page.get("entry", []))
        values.extend(e["resource"]["valueQuantity"]["value"] for e in page.get("entry", []))
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), None)
    assert len(seen) == len(set(seen)) == 7
    assert values == [7, 6, 5, 4, 3, 2, 1]  # newest first

    counted = nurse.get("/fhir/Observation", params={"code": "72313002", "_summary": "count"})
    assert counted.json()["total"] == 7 and "entry" not in counted.json()


def test_include_revinclude_and_unknown_parameters(nurse: Any) -> None:
    nurse.post("/fhir/Observation", json=observation("72313002", "2026-10-01"))
    included = nurse.get("/fhir/Observation", params={"code": "72313002",
                                                      "_include": "Observation:patient"}).json()
    assert ids(included, "include") == {PATIENT}
    rev = nurse.get("/fhir/Patient", params={"_id": PATIENT,
                                             "_revinclude": "Encounter:patient"}).json()
    assert ids(rev) == {PATIENT} and ids(rev, "include") == {"enc-9000000009"}
    lenient = nurse.get("/fhir/Patient", params={"colour": "blue", "_id": PATIENT}).json()
    assert ids(lenient) == {PATIENT}
    assert [e["search"]["mode"] for e in lenient["entry"]][-1] == "outcome"
    strict = nurse.get("/fhir/Patient", params={"colour": "blue"},
                       headers={"Prefer": "handling=strict"})
    assert strict.status_code == 400
    assert nurse.get("/fhir/Patient", params={"_include": "Nope:x"}).status_code == 400


def test_transaction_is_all_or_nothing(nurse: Any) -> None:
    urn = "urn:uuid:2b1e3c1a-0d5f-4c39-9d7e-6b5b0b9e9f01"
    good = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": urn, "request": {"method": "POST", "url": "Patient"},
         "resource": {"resourceType": "Patient", "name": [{"family": "Newpatient"}],
                      "generalPractitioner": [{"reference": "Organization/RR8"}]}},
        {"request": {"method": "POST", "url": "Observation"},
         "resource": {**observation("72313002", "2026-10-01"), "subject": {"reference": urn}}},
    ]}
    answer = nurse.post("/fhir", json=good)
    assert answer.status_code == 200 and answer.json()["type"] == "transaction-response"
    locations = [e["response"]["location"] for e in answer.json()["entry"]]
    patient_id = locations[0].split("/")[1]
    obs = nurse.get("/" + "fhir/" + "/".join(locations[1].split("/")[:2])).json()
    assert obs["subject"]["reference"] == f"Patient/{patient_id}"

    bad = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"request": {"method": "PUT", "url": "Observation/keep-out"},
         "resource": {**observation("72313002", "2026-10-01"), "id": "keep-out"}},
        {"request": {"method": "POST", "url": "Observation"},
         "resource": {**observation("72313002", "2026-10-01"), "status": "sure"}},
    ]}
    refused = nurse.post("/fhir", json=bad)
    assert refused.status_code == 422
    assert "Bundle.entry[1]" in refused.json()["issue"][0]["expression"][0]
    assert nurse.get("/fhir/Observation/keep-out").status_code == 404


def test_batch_reports_each_entry(nurse: Any) -> None:
    batch = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "POST", "url": "Observation"},
         "resource": observation("72313002", "2026-10-01")},
        {"request": {"method": "POST", "url": "Observation"},
         "resource": {**observation("72313002", "2026-10-01"), "status": "sure"}},
        {"request": {"method": "GET", "url": f"Patient/{PATIENT}"}},
        {"request": {"method": "GET", "url": "Patient/pt-9000000025"}},
    ]}
    answer = nurse.post("/fhir", json=batch).json()
    assert [e["response"]["status"][:3] for e in answer["entry"]] == ["201", "422", "200", "403"]
    assert answer["entry"][2]["resource"]["id"] == PATIENT


def test_everything_gathers_the_record(nurse: Any) -> None:
    nurse.post("/fhir/Observation", json=observation("72313002", "2026-10-01"))
    bundle = nurse.get(f"/fhir/Patient/{PATIENT}/$everything").json()
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "Patient"
    assert sorted(kinds) == ["Encounter", "Observation", "Organization", "Organization",
                             "Patient"]
    assert bundle["total"] == 5


ERRORS: list[tuple[str, str, bytes, dict[str, str], int]] = [
    ("POST", "/fhir/Patient", b"{not json", {}, 400),
    ("POST", "/fhir/Patient", b'{"resourceType": "Patient", "gender": "male", "gender": "x"}',
     {}, 400),
    ("POST", "/fhir/Patient", b'{"resourceType": "Patient"}',
     {"content-type": "application/fhir+xml"}, 415),
    ("POST", "/fhir/Patient", b'{"resourceType": "Observation", "status": "final"}', {}, 400),
    ("POST", "/fhir/Patient", b'{"resourceType": "Patient", "gender": "robot"}', {}, 422),
    ("POST", "/fhir/Patient", b'{"resourceType": "Patient", "active": "true"}', {}, 422),
    ("POST", "/fhir/Observation", b'{"resourceType": "Observation", "status": "final"}', {}, 422),
    ("POST", "/fhir/AuditEvent", b'{"resourceType": "AuditEvent"}', {}, 405),
    ("GET", "/fhir/Spaceship/1", b"", {}, 404),
    ("GET", "/fhir/Patient/nobody", b"", {}, 404),
    ("GET", "/fhir/Patient/a/b/c/d", b"", {}, 404),
    ("PUT", "/fhir/Patient/p1", b'{"resourceType": "Patient", "id": "p1"}',
     {"If-Match": "yesterday"}, 400),
]
"""(method, path, body, headers, the status R4 gives) of requests that must fail."""


def test_every_error_is_an_operation_outcome(nurse: Any) -> None:
    wrong = []
    for method, path, body, extra, status in ERRORS:  # one server for all: none of them writes
        headers = {"content-type": "application/fhir+json", **extra}
        answer = nurse.request(method, path, content=body, headers=headers)
        outcome = answer.json()
        issues = outcome.get("issue") or [{}]
        if (answer.status_code, outcome.get("resourceType")) != (status, "OperationOutcome") or (
                not all(i.get("severity") == "error" for i in issues)):
            wrong.append(f"{method} {path} {body[:40]!r}: {answer.status_code} {answer.text}")
    assert wrong == []


def test_capability_statement_tells_the_truth(nurse: Any) -> None:
    statement = nurse.get("/fhir/metadata").json()
    assert statement["fhirVersion"] == "4.0.1"
    # The backport's handshake and heartbeats are not implemented, and the statement says so.
    (subscription,) = [r for r in statement["rest"][0]["resource"] if r["type"] == "Subscription"]
    assert "no handshake" in subscription["documentation"]
    assert "no heartbeat" in subscription["documentation"]
    for resource in statement["rest"][0]["resource"]:
        kind = resource["type"]
        client = nurse
        for param in resource["searchParam"]:
            value = {"date": "ge2026-01-01", "reference": "x", "string": "a"}.get(
                param["type"], "a")
            answer = client.get(f"/fhir/{kind}", params={param["name"]: value},
                                headers={"Prefer": "handling=strict"})
            assert answer.status_code in (200, 403), (kind, param["name"], answer.text)
        assert nurse.get(f"/fhir/{kind}", params={"notaparam": "x"},
                         headers={"Prefer": "handling=strict"}).status_code in (400, 403)
