"""A run generated in several chunks is one consistent population; a one-chunk run is unchanged.

A small `chunk_patients` forces several chunks at test sizes. The multi-chunk files must have
exactly the requested registered patients per practice, unique ids, no orphan rows, the same
bytes for the same arguments, load with no rejects, and give `run af` rates close to a one-chunk
run of the same size (a different random draw, so rates are compared, not rows).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from joinedup.app.run import RunOptions, run_programme
from joinedup.sources.synthetic import SynthResult, generate
from joinedup.sources.synthetic.footprint import build_footprint
from joinedup.sources.synthetic.generator import plan, run_stages
from joinedup.sources.synthetic.rates import load_rates
from joinedup.store import load

TODAY = date(2026, 3, 31)
PATIENTS, CHUNK, SEED = 12_000, 5_000, 7  # three chunks: 4,000 patients each
RECORDS = ("clinical_events", "medications", "encounters")

# sha256 of the files `generate(out, patients=20_000, seed=11, density=...)` wrote on main
# before chunks existed (commit 26e3371). A one-chunk run must still write exactly these bytes;
# a new pyarrow or zstd may change them, and then they are recomputed on main.
BEFORE_CHUNKS = {
    "programme": {
        "organisations": "c3ac4b2d2e3e7ae1e76614ef579667dac17d71a56a7db1e83d8df41cad2f09ef",
        "patients": "596d4a3245530378f45a3c6129e876c9307d0d8bf6946c3e3cea010a85c7107b",
        "clinical_events": "71d33a7e50507871d5bd20a618df4cd1a78b55a552e9ed3aed976805b5a1ad3a",
        "medications": "28e49cced0fd2d290830cd7ff83f0936293816e7509185af449675d24ebdeffa",
        "encounters": "d3b551f5ec136e77b1466bd3b051d38ddc86aef4e7edc6c9fc74e5d700469846",
    },
    "realistic": {
        "organisations": "c3ac4b2d2e3e7ae1e76614ef579667dac17d71a56a7db1e83d8df41cad2f09ef",
        "patients": "596d4a3245530378f45a3c6129e876c9307d0d8bf6946c3e3cea010a85c7107b",
        "clinical_events": "414ae9ef29bc242ef816a5a5d9c8c3eea6520a3a7d26700e9d7be1fee59d2264",
        "medications": "e549f7f9a71d16ed805c1f2ba5f76f742c3f0c438fa4daa235616d8357f27b80",
        "encounters": "2e0c577a6615880faba957029d4196b5fa37826cda1c2322fc9f3d5fe89cc787",
    },
}


@pytest.fixture(scope="module")
def chunked(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(
        tmp_path_factory.mktemp("chunked"),
        patients=PATIENTS,
        seed=SEED,
        density="realistic",
        chunk_patients=CHUNK,
    )


@pytest.fixture(scope="module")
def frames(chunked: SynthResult) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(path) for name, path in chunked.paths.items()}


@pytest.mark.parametrize("density", ["programme", "realistic"])
def test_a_one_chunk_run_writes_the_same_bytes_as_before_chunks(
    density: str, tmp_path: Path
) -> None:
    result = generate(tmp_path, patients=20_000, seed=11, density=density)
    assert result.chunks == 1
    assert result.digests == BEFORE_CHUNKS[density]


def test_progress_and_manifest_name_the_chunks(tmp_path: Path) -> None:
    said: list[str] = []
    result = generate(
        tmp_path,
        patients=1_000,
        seed=1,
        density="programme",
        chunk_patients=400,
        progress=said.append,
    )
    assert result.chunks == 3
    assert said[0] == "footprint"
    assert "chunk 1 of 3: patients" in said and said[-1] == "chunk 3 of 3: writing"
    assert json.loads(result.manifest.read_text())["chunks"] == 3


def test_every_practice_has_exactly_its_list_size(
    chunked: SynthResult, frames: dict[str, pd.DataFrame]
) -> None:
    assert chunked.chunks == 3
    patients = frames["patients"]
    registered = patients[patients["registered_to"].isna()].groupby("practice_code").size()
    fp = build_footprint("west-yorkshire", load_rates(), PATIENTS)
    wanted = pd.Series(fp.list_size, index=fp.practice_codes)
    assert registered.reindex(wanted.index, fill_value=0).tolist() == wanted.tolist()
    assert json.loads(chunked.manifest.read_text())["registered_at_reference_date"] == PATIENTS


def test_ids_are_unique_and_run_on_across_chunks(frames: dict[str, pd.DataFrame]) -> None:
    patients = frames["patients"]
    assert patients["patient_id"].tolist() == list(range(1, len(patients) + 1))
    assert patients["nhs_number"].is_unique
    encounters = frames["encounters"]
    assert encounters["encounter_id"].tolist() == list(range(1, len(encounters) + 1))


def test_every_row_belongs_to_a_patient_and_files_stay_in_patient_order(
    frames: dict[str, pd.DataFrame],
) -> None:
    ids = set(frames["patients"]["patient_id"])
    last = max(ids)
    for name in RECORDS:
        owner = frames[name]["patient_id"]
        assert set(owner) <= ids, name
        assert owner.is_monotonic_increasing, name
        assert owner.max() > last - 4_000, name  # the last chunk has rows too


def test_each_chunk_covers_the_whole_footprint(frames: dict[str, pd.DataFrame]) -> None:
    code = frames["patients"]["practice_code"]
    starts = [0, *(code.index[code < code.shift()])]  # each chunk runs through the practices
    assert len(starts) == 3
    ends = [*starts[1:], len(code)]
    for a, b in zip(starts, ends, strict=True):
        assert code.iloc[a:b].nunique() == code.nunique()


def test_chunks_draw_from_streams_of_their_own() -> None:
    shared = plan(
        patients=3_000,
        seed=SEED,
        footprint="west-yorkshire",
        reference_date=TODAY,
        parameters_dir=None,
        scenario="improvement",
    )
    sizes = shared.footprint.list_size
    first = run_stages(shared, sizes, chunk=0)
    second = run_stages(shared, sizes, chunk=1)  # the same lists, so only the streams differ
    # Sorted, so that only the people drawn count, not the order they were shuffled into.
    assert not np.array_equal(np.sort(first.population.birth), np.sort(second.population.birth))


def test_the_same_arguments_give_the_same_bytes(chunked: SynthResult, tmp_path: Path) -> None:
    again = generate(
        tmp_path, patients=PATIENTS, seed=SEED, density="realistic", chunk_patients=CHUNK
    )
    assert again.digests == chunked.digests


def test_a_chunked_run_loads_cleanly_and_run_af_agrees_with_one_chunk(tmp_path: Path) -> None:
    summaries = {}
    for label, chunk in (("one", 100_000), ("three", 20_000)):
        made = generate(
            tmp_path / label, patients=60_000, seed=SEED, density="programme", chunk_patients=chunk
        )
        db = tmp_path / f"{label}.duckdb"
        assert load(made.out_dir, db, today=TODAY).rejected == 0
        summaries[label] = run_programme(
            db, tmp_path / f"{label}-af", RunOptions(reference_date=TODAY)
        ).summary
    one, three = summaries["one"], summaries["three"]
    assert three["list_size"] == pytest.approx(one["list_size"], rel=0.02)  # less opt-outs
    prevalence = {k: s["recorded"] / s["list_size"] for k, s in summaries.items()}
    assert prevalence["three"] == pytest.approx(prevalence["one"], rel=0.15)  # ~4 s.e.
    assert three["detection_rate"] == pytest.approx(one["detection_rate"], abs=0.06)
    assert three["treatment_rate"] == pytest.approx(one["treatment_rate"], abs=0.06)
