"""`--density realistic`: the background of a real GP extract, at the cited rates, harmless to
the programmes (issue 13 item 1).

Rates are checked against the parameter files with tolerances from Poisson variance; the
programmes' results must be identical with and without the background for one seed.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from joinedup.app.load import load
from joinedup.app.run import RunOptions, run_programme
from joinedup.domain.codelists import CodeSystem, load_codelist
from joinedup.domain.sctid import concept_id_problem
from joinedup.sources.synthetic import SynthResult, generate

PATIENTS = 6_000
SEED = 5
TODAY = date(2026, 11, 30)
PARAMETERS = Path(str(resources.files("joinedup.sources.synthetic").joinpath("parameters")))


def _rows(name: str) -> list[dict[str, str]]:
    with (PARAMETERS / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SynthResult]:
    root = tmp_path_factory.mktemp("density")
    return {
        density: generate(root / density, patients=PATIENTS, seed=SEED, density=density)
        for density in ("realistic", "programme")
    }


def test_no_background_code_is_in_any_packaged_codelist_and_each_is_a_valid_sctid() -> None:
    codelists = resources.files("joinedup.codelists")
    programme_codes: set[str] = set()
    for system in CodeSystem:
        for item in codelists.joinpath(system.value).iterdir():
            if item.name.endswith(".csv"):
                programme_codes |= load_codelist(item.name[:-4], system).codes
    assert len(programme_codes) > 100  # the AF and hypertension lists were all read
    background = _rows("background_codes.csv")
    assert {r["system"] for r in background} == {"snomed", "dmd"}
    for row in background:
        assert row["code"] not in programme_codes, row
        assert concept_id_problem(row["code"]) is None, row
    codes = [r["code"] for r in background]
    assert len(codes) == len(set(codes))


def test_background_rows_use_only_background_codes(both: dict[str, SynthResult]) -> None:
    dense, thin = both["realistic"].paths, both["programme"].paths
    snomed = {r["code"] for r in _rows("background_codes.csv") if r["system"] == "snomed"}
    dmd = {r["code"] for r in _rows("background_codes.csv") if r["system"] == "dmd"}
    for name, column, allowed in (("clinical_events", "snomed_code", snomed),
                                  ("medications", "dmd_code", dmd)):
        with_bg = pd.read_parquet(dense[name])
        without = pd.read_parquet(thin[name])
        extra = set(with_bg[column]) - set(without[column])
        assert extra and extra <= allowed, name
        # Every programme row is still there, unchanged; the rest are background codes.
        programme_rows = with_bg[~with_bg[column].isin(allowed)].reset_index(drop=True)
        pd.testing.assert_frame_equal(programme_rows, without.reset_index(drop=True))


def test_consultations_per_age_band_and_sex_match_the_cited_rates(
    both: dict[str, SynthResult],
) -> None:
    paths = both["realistic"].paths
    patients = pd.read_parquet(paths["patients"])
    visits = pd.read_parquet(paths["encounters"])
    visits = visits[visits["kind"] == "gp_consultation"]
    # Exposure: the last year (background_years = 1) of each patient's time at the practice.
    last = patients["date_of_death"].fillna(patients["registered_to"]).fillna(
        pd.Timestamp("2026-03-31")).astype("datetime64[s]")
    first = pd.concat([last - pd.Timedelta(days=365 - 1),
                       patients["registered_from"].astype("datetime64[s]"),
                       patients["birth_date"].astype("datetime64[s]")], axis=1).max(axis=1)
    years = ((last - first).dt.days + 1).clip(lower=0) / 365.2425
    age = (last - patients["birth_date"].astype("datetime64[s]")).dt.days // 365.2425
    counts = visits.groupby("patient_id").size()
    seen = patients["patient_id"].map(counts).fillna(0)
    checked = 0
    for row in _rows("consultation_rates.csv"):
        hi = float(row["age_to"]) if row["age_to"] else 200.0
        cell = (patients["sex"] == row["sex"]) & (age >= float(row["age_from"])) & (age <= hi)
        expected = float(row["rate_per_year"]) * years[cell].sum()
        if expected < 200:
            continue
        # Poisson: the count's sd is sqrt(expected); allow 4 sd (age in whole years is
        # approximate at band edges, so add 3% of the expectation).
        assert abs(seen[cell].sum() - expected) <= 4 * np.sqrt(expected) + 0.03 * expected, row
        checked += 1
    assert checked >= 10


def test_items_per_head_match_the_published_england_rate_in_shape(
    both: dict[str, SynthResult],
) -> None:
    paths = both["realistic"].paths
    patients = pd.read_parquet(paths["patients"])
    meds = pd.read_parquet(paths["medications"])
    dmd = {r["code"] for r in _rows("background_codes.csv") if r["system"] == "dmd"}
    items = meds[meds["dmd_code"].isin(dmd)].groupby("patient_id").size()
    per = patients["patient_id"].map(items).fillna(0)
    born = patients["birth_date"].astype("datetime64[s]")
    age = (pd.Timestamp("2026-03-31") - born).dt.days // 365.2425
    current = patients["registered_to"].isna() & patients["date_of_death"].isna()
    older, children = per[current & (age >= 80)].mean(), per[current & (age.between(5, 14))].mean()
    # prescribing_rates.csv: 67.8 items a year at 80+, 4.39 at 5-14 (same-day repeats of one
    # item collapse, so a little under at 80+).
    assert 60 <= older <= 68.5
    assert 3.9 <= children <= 4.9


def test_consultations_are_gp_encounters_at_the_patients_practice(
    both: dict[str, SynthResult],
) -> None:
    paths = both["realistic"].paths
    patients = pd.read_parquet(paths["patients"]).set_index("patient_id")
    visits = pd.read_parquet(paths["encounters"])
    gp = visits[visits["kind"] == "gp_consultation"]
    assert (gp["org_code"].to_numpy() == patients.loc[gp["patient_id"], "practice_code"]).all()
    minutes = (gp["end"] - gp["start"]).dt.total_seconds() / 60
    assert np.allclose(minutes, 553 / 60)  # consultation_minutes 9.22, to the second
    assert visits["encounter_id"].tolist() == list(range(1, len(visits) + 1))


def test_programme_results_are_identical_with_and_without_background(
    both: dict[str, SynthResult], tmp_path: Path
) -> None:
    outputs = {}
    for density, result in both.items():
        db = tmp_path / f"{density}.duckdb"
        report = load(result.out_dir, db, today=TODAY)
        assert report.rejected == 0, density
        for programme in ("af", "hypertension"):
            run_programme(db, tmp_path / f"{density}-{programme}", RunOptions(programme=programme))
            outputs[density, programme] = (
                tmp_path / f"{density}-{programme}" / "practices.csv"
            ).read_bytes()
    assert both["realistic"].counts["clinical_events"] > 5 * both["programme"].counts[
        "clinical_events"]
    for programme in ("af", "hypertension"):
        assert outputs["realistic", programme] == outputs["programme", programme], programme


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", patients=1_500, seed=9)
    second = generate(tmp_path / "b", patients=1_500, seed=9)
    assert first.digests == second.digests
    manifest = json.loads(first.manifest.read_text())
    assert manifest["options"]["density"] == "realistic"


def test_an_unknown_density_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="density"):
        generate(tmp_path, patients=100, density="dense")
