"""`generate` writes contract-shaped, internally consistent Parquet files and a manifest."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from joinedup.domain.contract import TABLES
from joinedup.domain.nhs_number import valid_mask
from joinedup.domain.organisations import hierarchy_problems
from joinedup.sources.synthetic import SynthResult, generate

REFERENCE = date(2026, 3, 31)
ARROW = {
    "string": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("synth"), patients=20_000, seed=11)


@pytest.fixture(scope="module")
def frames(run: SynthResult) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(path) for name, path in run.paths.items()}


def test_writes_one_file_per_contract_table_with_contract_types(run: SynthResult) -> None:
    written = {t.name for t in TABLES if t.name in run.paths}
    assert written == {"organisations", "patients", "clinical_events", "medications", "encounters"}
    for table in TABLES:
        if table.name not in run.paths:
            continue
        schema = pq.read_schema(run.paths[table.name])
        assert schema.names == list(table.column_names), table.name
        for column in table.columns:
            assert schema.field(column.name).type == ARROW[column.type], (table.name, column.name)


def test_required_columns_are_filled_and_values_allowed(frames: dict[str, pd.DataFrame]) -> None:
    for table in TABLES:
        if table.name not in frames:
            continue
        frame = frames[table.name]
        assert len(frame) > 0, table.name
        for column in table.columns:
            if column.required:
                assert frame[column.name].notna().all(), (table.name, column.name)
            if column.allowed:
                values = set(frame[column.name].dropna())
                assert values <= set(column.allowed), (table.name, column.name)


def test_references_resolve(frames: dict[str, pd.DataFrame]) -> None:
    orgs = frames["organisations"]
    practices = set(orgs.loc[orgs["org_type"] == "practice", "org_code"])
    assert set(frames["patients"]["practice_code"]) <= practices
    ids = set(frames["patients"]["patient_id"])
    for name in ("clinical_events", "medications", "encounters"):
        assert set(frames[name]["patient_id"]) <= ids, name
    sites = set(orgs.loc[orgs["org_type"].isin(["trust", "community_team"]), "org_code"])
    encounters = frames["encounters"]
    gp = encounters["kind"] == "gp_consultation"
    assert set(encounters.loc[~gp, "org_code"]) <= sites
    assert set(encounters.loc[gp, "org_code"]) <= practices
    assert frames["encounters"]["encounter_id"].is_unique
    assert frames["patients"]["patient_id"].is_unique


def test_nhs_numbers_are_valid_unique_and_in_the_test_range(
    frames: dict[str, pd.DataFrame],
) -> None:
    numbers = frames["patients"]["nhs_number"]
    assert valid_mask(numbers.to_numpy()).all()
    assert numbers.is_unique
    assert numbers.str.startswith("9").all()


def test_registration_and_death_dates_are_consistent(frames: dict[str, pd.DataFrame]) -> None:
    p = frames["patients"]
    assert (p["birth_date"] <= p["registered_from"]).all()
    assert (p["registered_from"] <= REFERENCE).all()
    left = p["registered_to"].notna()
    assert (p.loc[left, "registered_to"] >= p.loc[left, "registered_from"]).all()
    assert (p.loc[left, "registered_to"] <= REFERENCE).all()
    dead = p["date_of_death"].notna()
    assert dead.sum() > 0 and (left & ~dead).sum() > 0
    assert (p.loc[dead, "registered_to"] == p.loc[dead, "date_of_death"]).all()


def _limits(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    p = frames["patients"]
    last = p["date_of_death"].fillna(REFERENCE)
    return p[["patient_id", "birth_date"]].assign(last=last)


def test_no_record_before_birth_after_death_or_after_the_reference_date(
    frames: dict[str, pd.DataFrame],
) -> None:
    limits = _limits(frames)
    for name in ("clinical_events", "medications"):
        rows = frames[name].merge(limits, on="patient_id")
        assert (rows["date"] >= rows["birth_date"]).all(), name
        assert (rows["date"] <= rows["last"]).all(), name
    enc = frames["encounters"].merge(limits, on="patient_id")
    start_day = enc["start"].dt.date
    assert (start_day >= enc["birth_date"]).all()
    assert (start_day <= enc["last"]).all()
    ended = enc["end"].notna()
    assert (enc.loc[ended, "end"] >= enc.loc[ended, "start"]).all()
    assert (enc.loc[ended, "end"].dt.date <= enc.loc[ended, "last"]).all()
    assert enc["end"].max() < datetime.combine(REFERENCE, time()) + pd.Timedelta(days=1)


def test_blood_pressure_values_ride_on_readings_only(frames: dict[str, pd.DataFrame]) -> None:
    from joinedup.domain.codelists import load_codelist

    # Values ride on observations only: blood pressure readings (mmHg) and recorded CHA2DS2-VASc
    # scores (whole points, 0 to the published maximum of 9); a diagnosis, PCA or pulse check
    # carries none. The two kinds are told apart by code, and each has its own plausible range.
    events = frames["clinical_events"]
    bp = load_codelist("systolic_bp").codes | load_codelist("diastolic_bp").codes
    is_bp = events["snomed_code"].isin(bp)
    is_score = events["snomed_code"].isin(load_codelist("cha2ds2vasc_score").codes)
    assert is_bp.any() and is_score.any()
    assert not (is_bp & is_score).any()
    assert events.loc[is_bp | is_score, "numeric_value"].notna().all()
    assert events.loc[~(is_bp | is_score), "numeric_value"].isna().all()
    assert events.loc[is_bp, "numeric_value"].between(40, 260).all()
    scores = events.loc[is_score, "numeric_value"]
    assert scores.between(0, 9).all() and (scores == scores.round()).all()


def test_no_whole_row_repeats(frames: dict[str, pd.DataFrame]) -> None:
    for name in ("clinical_events", "medications"):
        assert not frames[name].duplicated().any(), name


def test_every_completed_admission_has_its_discharge(frames: dict[str, pd.DataFrame]) -> None:
    enc = frames["encounters"]
    admissions = enc[(enc["kind"] == "admission") & enc["end"].notna()]
    discharges = enc[enc["kind"] == "discharge"]
    keyed = set(
        zip(discharges["patient_id"], discharges["org_code"], discharges["start"], strict=True)
    )
    with_discharge = [
        (p, o, e) in keyed
        for p, o, e in zip(
            admissions["patient_id"], admissions["org_code"], admissions["end"], strict=True
        )
    ]
    # Only those who died in hospital have no discharge.
    assert sum(with_discharge) >= 0.97 * len(admissions)
    assert len(discharges) <= len(admissions)


def test_organisations_file_is_a_valid_footprint(frames: dict[str, pd.DataFrame]) -> None:
    orgs = frames["organisations"]
    rows = orgs.astype(object).where(orgs.notna(), None).to_dict("records")
    assert hierarchy_problems(rows) == []
    counts = orgs["org_type"].value_counts()
    assert counts["place"] == 6 and counts["ics"] == 1


def test_manifest_records_how_to_reproduce_the_run(run: SynthResult) -> None:
    manifest = json.loads(run.manifest.read_text(encoding="utf-8"))
    assert manifest["seed"] == 11
    assert manifest["options"] == {
        "footprint": "west-yorkshire",
        "patients": 20_000,
        "reference_date": "2026-03-31",
        "parameters_dir": None,
        "density": "realistic",
    }
    assert manifest["parameters"] == {"synthetic": "2026.3", "af": "2026.1"}
    assert manifest["joinedup_version"]
    assert "--seed 11" in manifest["reproduce"] and "--patients 20000" in manifest["reproduce"]
    for name, entry in manifest["tables"].items():
        path = Path(run.out_dir) / entry["file"]
        assert entry["rows"] == pq.read_metadata(path).num_rows == run.counts[name]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
