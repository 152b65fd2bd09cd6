"""Same seed and options give byte-identical files; a different seed gives different patients."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from joinedup.sources.synthetic import generate

FILES = (
    "organisations.parquet",
    "patients.parquet",
    "clinical_events.parquet",
    "medications.parquet",
    "encounters.parquet",
)


def test_same_seed_and_options_give_byte_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", patients=15_000, seed=3)
    generate(tmp_path / "b", patients=15_000, seed=3)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    manifests = [json.loads((tmp_path / d / "manifest.json").read_text()) for d in ("a", "b")]
    for manifest in manifests:
        manifest.pop("reproduce")  # it names the run's own output folder
    assert manifests[0] == manifests[1]


def test_another_seed_changes_the_patients_not_the_footprint(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", patients=15_000, seed=3)
    second = generate(tmp_path / "b", patients=15_000, seed=4)
    assert first.paths["organisations"].read_bytes() == second.paths["organisations"].read_bytes()
    a = pd.read_parquet(first.paths["patients"])
    b = pd.read_parquet(second.paths["patients"])
    assert not a["birth_date"].equals(b["birth_date"])


def test_an_earlier_reference_date_moves_everything_before_it(tmp_path: Path) -> None:
    day = date(2020, 3, 31)
    result = generate(tmp_path / "old", patients=10_000, seed=1, reference_date=day)
    events = pd.read_parquet(result.paths["clinical_events"])
    meds = pd.read_parquet(result.paths["medications"])
    enc = pd.read_parquet(result.paths["encounters"])
    assert events["date"].max() <= day and meds["date"].max() <= day
    assert enc["start"].max() < pd.Timestamp(2020, 4, 1)
    assert meds["date"].max() > date(2020, 1, 1)  # repeat issues run up to the date


def test_bad_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seed"):
        generate(tmp_path, patients=1000, seed=-1)
    with pytest.raises(ValueError, match="at least 307 patients"):
        generate(tmp_path, patients=100)
