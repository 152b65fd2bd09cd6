"""Loading in batches (`RecordStore.write_many` through `load_resources`): the same resources,
versions, search index and care relationships as writing one at a time, and the batches it
cannot take whole (an id twice, a patient named by an NHS number given in the same batch) are
written one by one instead, so nothing is lost."""

from __future__ import annotations

from typing import Any

from joinedup.app.record import RecordService
from joinedup.app.record_load import load_resources
from joinedup.operational import OpsStore

NHS = "https://fhir.nhs.uk/Id/nhs-number"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"


def patient(pid: str, number: str, practice: str = "A81001") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid,
            "identifier": [{"system": NHS, "value": number}],
            "generalPractitioner": [{"reference": f"Organization/{practice}"}]}


def org(code: str) -> dict[str, Any]:
    return {"resourceType": "Organization", "id": code,
            "identifier": [{"system": ODS, "value": code}]}


def items(*resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"row {n}", r) for n, r in enumerate(resources, 1)]


def test_a_batch_stores_versions_index_and_relationships(ops_store: OpsStore) -> None:
    service = RecordService(ops_store)
    first = load_resources(service, iter(items(org("A81001"), patient("p1", "9000000009"),
                                               patient("p2", "9000000017"))), 3)
    assert (first.loaded, first.rejected) == (3, [])
    again = load_resources(service, iter(items(patient("p1", "9000000009", "A81002"))), 1)
    assert again.loaded == 1
    stored = service.store.read("Patient", "p1")
    assert stored is not None and stored.version == 2
    assert stored.content["generalPractitioner"] == [{"reference": "Organization/A81002"}]
    with service.store.engine.connect() as conn:
        assert service.store.patient_by_nhs_number(conn, "9000000017") == "p2"
    now = service.now()
    assert service.relationships.orgs_for("p2", now) == {"A81001"}
    assert service.relationships.orgs_for("p1", now) == set()  # A81002 has no Organization


def test_batches_it_cannot_take_whole_are_written_one_by_one(ops_store: OpsStore) -> None:
    service = RecordService(ops_store)
    observation = {"resourceType": "Observation", "id": "o1", "status": "final",
                   "code": {"text": "pulse"},
                   "subject": {"identifier": {"system": NHS, "value": "9000000025"}}}
    report = load_resources(service, iter(items(
        org("A81001"), patient("p3", "9000000025"), observation,  # NHS number in this batch
        patient("p4", "9000000033"), patient("p4", "9000000033"),  # the same id twice
        {"resourceType": "Patient", "id": "bad", "gender": "robot"})), 6)
    assert report.loaded == 5
    assert [where for where, _ in report.rejected] == ["row 6"]
    found = service.store.read("Observation", "o1")
    assert found is not None and found.patient_id == "p3"
    twice = service.store.read("Patient", "p4")
    assert twice is not None and twice.version == 2
