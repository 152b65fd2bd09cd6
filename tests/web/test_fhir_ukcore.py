"""Every NHS England UK Core example (published as XML) loads and comes back out of the API as
equivalent JSON, on SQLite and PostgreSQL.

The examples are in ../shared/data/fhir/ukcore-examples (UKCore.R4.STU.02.00.00, FHIR 4.0.1;
see its SOURCE note). One is refused on purpose: UKCore-Patient-BabyPatient-Example gives the NHS
number 9912003890, whose Modulus 11 check digit is wrong (the weighted sum of 991200389 is 252,
252 mod 11 = 10, 11 - 10 = 1, not 0), so the record refuses it with 422 as it would any patient
with that number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fixtures.record import OPERATOR, inpatient, organization
from fixtures.web import TRUST, World
from joinedup.app.record import record_service
from joinedup.app.record_load import load_fhir_files, read_fhir_file

REFUSED = {"UKCore-Patient-BabyPatient-Example.xml": "Patient.identifier[0].value"}


def without_server_meta(resource: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in resource.get("meta", {}).items()
            if k not in ("versionId", "lastUpdated")}
    out = {k: v for k, v in resource.items() if k != "meta"}
    if meta:
        out["meta"] = meta
    return out


@pytest.fixture
def examples(shared_data: Path) -> list[Path]:
    found = sorted((shared_data / "fhir" / "ukcore-examples").glob("*.xml"))
    assert len(found) == 70
    return found


def test_every_example_round_trips_through_the_api(world: World, examples: list[Path]) -> None:
    service = record_service(world.app.state.services)
    report = load_fhir_files(service, examples)
    assert report.total == len(examples)
    assert {name: why.split(":")[0] for name, why in report.rejected} == REFUSED
    # the nurse's trust is caring for every patient the examples mention
    service.write(OPERATOR, "Organization", organization(TRUST, "Leeds"), TRUST)
    patients = sorted({p for _, _, p in report.stored if p})
    assert len(patients) >= 2
    for index, patient in enumerate(patients):
        stay = world.client("nurse").put(f"/fhir/Encounter/stay-{index}",
                                         json=inpatient(f"stay-{index}", patient, TRUST))
        assert stay.status_code == 201
    admin, nurse = world.client("admin"), world.client("nurse")
    checked = 0
    for path in examples:
        if path.name in REFUSED:
            continue
        expected = read_fhir_file(path)
        client = admin if expected["resourceType"] == "AuditEvent" else nurse
        answer = client.get(f"/fhir/{expected['resourceType']}/{expected['id']}")
        assert answer.status_code == 200, (path.name, answer.text)
        assert without_server_meta(answer.json()) == expected, path.name
        checked += 1
    assert checked == len(examples) - len(REFUSED)


def test_the_refused_example_is_refused_over_the_api_too(world: World, examples: list[Path]
                                                         ) -> None:
    baby = read_fhir_file(next(p for p in examples if p.name in REFUSED))
    answer = world.client("nurse").put(f"/fhir/Patient/{baby['id']}", json=baby)
    assert answer.status_code == 422
    assert answer.json()["issue"][0]["expression"] == [REFUSED[
        "UKCore-Patient-BabyPatient-Example.xml"]]


def test_xml_becomes_the_json_r4_describes(examples: list[Path]) -> None:
    patient = read_fhir_file(next(p for p in examples if "RichardSmith" in p.name))
    assert patient["resourceType"] == "Patient"
    assert patient["identifier"][0]["value"] == "9912003888"
    assert isinstance(patient["name"], list)  # repeats become arrays
    assert patient["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml"')
    bp = read_fhir_file(next(p for p in examples if "VitalSigns-BloodPressure" in p.name))
    values = [c["valueQuantity"]["value"] for c in bp["component"]]
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
