"""`joinedup record load | export | carers`: the synthetic ICS into the record and back out.

The round trip is the promise that FHIR data reaches analytics: the contract tables loaded into
the record, exported again and loaded by `joinedup load` give the same rows as the original
store; a patient who arrived only through FHIR (a JSON file here) is in the analytics store
afterwards with their AF diagnosis, so find and treat counts them.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from joinedup.cli.main import app

TABLES = {
    "patients": "patient_id, nhs_number, birth_date, sex, ethnicity, lsoa_code, imd_decile, "
                "practice_code, registered_from, registered_to, date_of_death, opted_out",
    "clinical_events": "patient_id, date, snomed_code, numeric_value",
    "medications": "patient_id, date, dmd_code",
    "encounters": "patient_id, org_code, kind, start, \"end\", snomed_code",
    "organisations": "org_code, name, org_type, parent_code",
}


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def rows(db: Path, table: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(f"SELECT {TABLES[table]} FROM {table}").fetchall(), key=repr)


@pytest.mark.slow
def test_the_record_round_trips_into_analytics(tmp_path: Path) -> None:
    run("synth", "--out", str(tmp_path / "synth"), "--patients", "320", "--seed", "11",
        "--density", "programme")
    db = tmp_path / "ics.duckdb"
    run("load", str(tmp_path / "synth"), "--db", str(db))
    arrival = tmp_path / "arrival.json"
    arrival.write_text(json.dumps({
        "resourceType": "Patient", "id": "arrived",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9999999999"}],
        "gender": "female", "birthDate": "1940-03-04",
        "generalPractitioner": [{"reference": "Organization/Y90001"}]}))
    af = tmp_path / "af.json"
    af.write_text(json.dumps({
        "resourceType": "Condition", "id": "arrived-af",
        "subject": {"reference": "Patient/arrived"}, "onsetDateTime": "2025-06-01",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "49436004"}]}}))
    out = run("record", "load", "--db", str(db), "--fhir", str(arrival), "--fhir", str(af))
    assert "refused 0" in out

    export = tmp_path / "export"
    run("record", "export", "--db", str(db), "--out", str(export))
    again = tmp_path / "again.duckdb"
    run("load", str(export), "--db", str(again))
    for table in TABLES:
        before, after = rows(db, table), rows(again, table)
        if table == "patients":
            after = [r for r in after if r[1] != "9999999999"]
        if table == "clinical_events":
            arrived = [r for r in after if r[2] == "49436004" and str(r[1]) == "2025-06-01"]
            after = [r for r in after if r not in arrived[-1:]]
        assert after == before, table
    with duckdb.connect(str(again), read_only=True) as con:
        [(sex, practice, opted)] = con.execute(
            "SELECT sex, practice_code, opted_out FROM patients WHERE nhs_number = '9999999999'"
        ).fetchall()
        assert (sex, practice, opted) == ("F", "Y90001", False)
        assert con.execute(
            "SELECT count(*) FROM clinical_events e JOIN patients p USING (patient_id) "
            "WHERE p.nhs_number = '9999999999' AND e.snomed_code = '49436004'"
        ).fetchone() == (1,)


def test_refused_files_are_reported(tmp_path: Path, shared_data: Path, ops_url: str) -> None:
    db = tmp_path / "empty.duckdb"
    baby = shared_data / "fhir" / "ukcore-examples" / "UKCore-Patient-BabyPatient-Example.xml"
    richard = shared_data / "fhir" / "ukcore-examples" / "UKCore-Patient-RichardSmith-Example.xml"
    result = CliRunner().invoke(app, ["record", "load", "--db", str(db), "--ops", ops_url,
                                      "--no-analytics", "--fhir", str(baby), "--fhir",
                                      str(richard)])
    assert result.exit_code == 0, result.stderr
    assert "stored 1 resources, refused 1" in result.stdout
    assert "UKCore-Patient-BabyPatient-Example.xml: Patient.identifier[0].value" in result.stderr
    carers = CliRunner().invoke(app, ["record", "carers", "--db", str(db), "--ops", ops_url])
    assert carers.stdout.splitlines() == ["place_code,place_name,carers"]
    export = CliRunner().invoke(app, ["record", "export", "--db", str(db), "--ops", ops_url,
                                      "--out", str(tmp_path / "out")])
    assert export.exit_code == 0, export.stderr
    patients = (tmp_path / "out" / "patients.csv").read_text().splitlines()
    assert len(patients) == 2 and patients[1].split(",")[1] == "9912003888"
