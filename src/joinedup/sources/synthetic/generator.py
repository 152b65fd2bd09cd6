"""`generate`: fill a footprint with synthetic patients and write the contract tables.

Why one entry point: the CLI, the demo, the tests and the benchmark all call it, so a run is
fully described by its arguments. The seed, options, parameter versions and file digests go into
`manifest.json`, and the same arguments give byte-identical Parquet files. Each stage draws
from its own random stream (seed + stage name), so changing one stage does not reshuffle the
others. Large runs are generated in chunks (chunks.py); a run within one chunk is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from joinedup import __version__
from joinedup.domain.contract import PATIENTS
from joinedup.domain.nhs_number import SYNTHETIC_START, next_body
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.background import BackgroundRates
from joinedup.sources.synthetic.chunks import (
    CHUNK_PATIENTS,
    PracticeDraws,
    split_list_sizes,
    stream_name,
)
from joinedup.sources.synthetic.codes import CodeBook
from joinedup.sources.synthetic.conditions import Conditions, generate_conditions
from joinedup.sources.synthetic.defaults import (
    DEFAULT_DENSITY,
    DEFAULT_REFERENCE_DATE,
    DEFAULT_SEED,
    DENSITIES,
)
from joinedup.sources.synthetic.encounters import Encounters, generate_encounters
from joinedup.sources.synthetic.footprint import DEFAULT_FOOTPRINT, Footprint, build_footprint
from joinedup.sources.synthetic.medications import generate_medications
from joinedup.sources.synthetic.observations import generate_observations
from joinedup.sources.synthetic.population import Population, generate_population
from joinedup.sources.synthetic.rates import Rates, load_rates
from joinedup.sources.synthetic.record_files import RecordFiles
from joinedup.sources.synthetic.records import Context, stage_rng
from joinedup.sources.synthetic.scenario import DEFAULT_SCENARIO, Change, load_scenario
from joinedup.sources.synthetic.writer import (
    TableFile,
    organisations_table,
    patients_table,
    write_table,
)

MANIFEST = "manifest.json"
TABLE_ORDER = ("organisations", "patients", "clinical_events", "medications", "encounters")

Progress = Callable[[str], None]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Synthesis:
    """Everything a run generated, in memory: the truths the files do not show, for tests."""

    context: Context
    conditions: Conditions
    encounters: Encounters

    @property
    def footprint(self) -> Footprint:
        return self.context.footprint

    @property
    def population(self) -> Population:
        return self.context.population


@dataclass(frozen=True)
class Plan:
    """What every chunk of a run shares: the parameters, the footprint and the scenario."""

    rates: Rates
    footprint: Footprint
    reference: int
    seed: int
    change: Change
    practice_draws: PracticeDraws


def plan(
    *,
    patients: int | None,
    seed: int,
    footprint: str,
    reference_date: date,
    parameters_dir: Path | str | None,
    scenario: str,
) -> Plan:
    """Read the parameters, build the footprint and draw the scenario's practices, once a run."""
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, got {seed}")
    if patients is not None and patients < 1:
        raise ValueError(f"patients must be at least 1, got {patients}")
    rates = load_rates(parameters_dir)
    story = load_scenario(rates, scenario)
    fp = build_footprint(footprint, rates, patients)
    reference = dates.to_days(reference_date)
    change = Change.build(
        stage_rng(seed, "scenario"),
        story,
        len(fp.practice_codes),
        reference,
        rates.scalar("history_years"),
    )
    return Plan(rates, fp, reference, seed, change, PracticeDraws())


def run_stages(
    shared: Plan,
    list_size: IntArray,
    *,
    chunk: int = 0,
    first_body: int = SYNTHETIC_START,
    progress: Progress | None = None,
) -> Synthesis:
    """Every generating stage for the footprint at `list_size` (one chunk, or the whole run)."""
    report = progress or (lambda _stage: None)
    fp = replace(shared.footprint, list_size=list_size)
    report("patients")
    population = generate_population(
        fp,
        shared.rates,
        stage_rng(shared.seed, stream_name("population", chunk)),
        shared.reference,
        practice_draws=shared.practice_draws,
        first_body=first_body,
    )
    codes = CodeBook(shared.rates.scalar("code_rank_skew"))
    ctx = Context(
        fp,
        shared.rates,
        population,
        codes,
        shared.reference,
        shared.seed,
        shared.change,
        chunk,
        shared.practice_draws,
    )

    report("diagnoses")
    conditions = generate_conditions(ctx)
    report("observations")
    generate_observations(ctx, conditions)
    report("medications")
    generate_medications(ctx, conditions)
    report("encounters")
    encounters = generate_encounters(ctx, conditions)
    return Synthesis(ctx, conditions, encounters)


def synthesise(
    *,
    patients: int | None = None,
    seed: int = DEFAULT_SEED,
    footprint: str = DEFAULT_FOOTPRINT,
    reference_date: date = DEFAULT_REFERENCE_DATE,
    parameters_dir: Path | str | None = None,
    scenario: str = DEFAULT_SCENARIO,
    progress: Progress | None = None,
) -> Synthesis:
    """Run every generating stage, as one chunk, without writing anything (for tests' truths).

    The same stages as `generate`, which writes the result; at or below the chunk size its
    population is exactly the one `generate` writes.
    """
    report = progress or (lambda _stage: None)
    report("footprint")
    shared = plan(
        patients=patients,
        seed=seed,
        footprint=footprint,
        reference_date=reference_date,
        parameters_dir=parameters_dir,
        scenario=scenario,
    )
    return run_stages(shared, shared.footprint.list_size, progress=report)


@dataclass(frozen=True)
class SynthResult:
    """What a run wrote and how to reproduce it."""

    out_dir: Path
    seed: int
    footprint: str
    reference_date: date
    patients_requested: int | None
    counts: dict[str, int]  # rows per table
    paths: dict[str, Path]
    organisations: dict[str, int]  # organisations per org type
    parameter_versions: dict[str, str]
    manifest: Path
    digests: dict[str, str] = field(default_factory=dict)
    scenario: dict[str, object] = field(default_factory=dict)
    """The scenario of change over time (name and figures), as manifest.json records it."""
    density: str = DEFAULT_DENSITY
    chunks: int = 1
    """How many chunks the patients were generated in (chunks.py)."""


def generate(
    out_dir: Path | str,
    *,
    patients: int | None = None,
    seed: int = DEFAULT_SEED,
    footprint: str = DEFAULT_FOOTPRINT,
    reference_date: date = DEFAULT_REFERENCE_DATE,
    parameters_dir: Path | str | None = None,
    scenario: str = DEFAULT_SCENARIO,
    density: str = DEFAULT_DENSITY,
    chunk_patients: int = CHUNK_PATIENTS,
    progress: Progress | None = None,
) -> SynthResult:
    """Generate a synthetic ICS and write one Parquet file per contract table to `out_dir`.

    `patients` is the number registered at `reference_date` (default: the footprint's real
    size, 2.6 M for ``west-yorkshire``); people who died or moved away in the last years come
    on top. `parameters_dir` holds CSVs overriding synthetic parameter tables by name (and an
    ``af/`` subfolder for the AF programme's). `scenario` says how AF recording and
    anticoagulation moved over the years before the reference date (``improvement``, the
    default, or ``steady``; see scenario.py). `density` ``realistic`` (the default) adds the
    background of a real GP extract, consultations, their codes and prescription items at
    published rates (background.py); ``programme`` writes only the programmes' records.
    Patients are generated in chunks of at most `chunk_patients` registered patients, appended
    to the same files (chunks.py), so memory is bounded by one chunk; progress then names the
    chunk ("chunk 2 of 3: diagnoses"). Raises ValueError for a bad option and
    UnknownFootprintError for an unknown footprint.
    """
    if density not in DENSITIES:
        raise ValueError(f"density must be one of {', '.join(DENSITIES)}, got {density!r}")
    report = progress or (lambda _stage: None)
    out = Path(out_dir)
    report("footprint")
    shared = plan(
        patients=patients,
        seed=seed,
        footprint=footprint,
        reference_date=reference_date,
        parameters_dir=parameters_dir,
        scenario=scenario,
    )
    fp, rates = shared.footprint, shared.rates
    parts = split_list_sizes(fp.list_size, chunk_patients)

    out.mkdir(parents=True, exist_ok=True)
    background = BackgroundRates.from_rates(rates) if density == "realistic" else None
    counts: dict[str, int] = {}
    paths: dict[str, Path] = {}
    digests: dict[str, str] = {}
    patients_file = TableFile(out / "patients.parquet", PATIENTS)
    records = RecordFiles(out, background)
    try:
        first_patient, first_body = 1, SYNTHETIC_START
        for chunk, list_size in enumerate(parts):
            say = _chunk_progress(report, chunk, len(parts))
            run = run_stages(shared, list_size, chunk=chunk, first_body=first_body, progress=say)
            say("writing")
            population = run.population
            patients_file.write(patients_table(population, fp.practice_codes, first_patient))
            records.append(run.context, run.encounters, first_patient)
            first_patient += len(population)
            first_body = next_body(population.nhs_number, first_body)
            del run, population  # let the chunk go before the next is drawn
        table = organisations_table(fp.organisations)
        counts["organisations"] = table.num_rows
        paths["organisations"] = out / "organisations.parquet"
        digests["organisations"] = write_table(table, paths["organisations"])
        counts["patients"], paths["patients"] = patients_file.rows, patients_file.path
        digests["patients"] = patients_file.close()
        for name, written in records.close().items():
            counts[name], paths[name], digests[name] = written.rows, written.path, written.sha256
    except BaseException:
        patients_file.abandon()
        records.abandon()
        raise

    result = SynthResult(
        out_dir=out,
        seed=seed,
        footprint=footprint,
        reference_date=reference_date,
        patients_requested=patients,
        counts=counts,
        paths=paths,
        organisations=fp.counts(),
        parameter_versions=rates.versions,
        manifest=out / MANIFEST,
        digests=digests,
        scenario=shared.change.scenario.as_dict(),
        density=density,
        chunks=len(parts),
    )
    _write_manifest(result, parameters_dir, registered=int(fp.list_size.sum()))
    return result


def _chunk_progress(report: Progress, chunk: int, chunks: int) -> Progress:
    """Stage names as they are for one chunk; "chunk 2 of 3: diagnoses" when there are more."""
    if chunks == 1:
        return report
    return lambda stage: report(f"chunk {chunk + 1} of {chunks}: {stage}")


def reproduce_command(result: SynthResult, parameters_dir: Path | str | None) -> str:
    parts = [
        "joinedup synth",
        f"--out {result.out_dir}",
        f"--seed {result.seed}",
        f"--footprint {result.footprint}",
        f"--reference-date {result.reference_date.isoformat()}",
    ]
    if result.patients_requested is not None:
        parts.append(f"--patients {result.patients_requested}")
    if parameters_dir is not None:
        parts.append(f"--parameters {parameters_dir}")
    name = result.scenario.get("name", DEFAULT_SCENARIO)
    if name != DEFAULT_SCENARIO:
        parts.append(f"--scenario {name}")
    if result.density != DEFAULT_DENSITY:
        parts.append(f"--density {result.density}")
    return " ".join(parts)


def _write_manifest(
    result: SynthResult, parameters_dir: Path | str | None, registered: int
) -> None:
    manifest = {
        "generator": "joinedup synth",
        "joinedup_version": __version__,
        "seed": result.seed,
        "options": {
            "footprint": result.footprint,
            "patients": result.patients_requested,
            "reference_date": result.reference_date.isoformat(),
            "parameters_dir": None if parameters_dir is None else str(parameters_dir),
            "density": result.density,
        },
        "parameters": result.parameter_versions,
        "scenario": result.scenario,
        "registered_at_reference_date": registered,
        "chunks": result.chunks,
        "organisations": result.organisations,
        "tables": {
            name: {
                "file": result.paths[name].name,
                "rows": result.counts[name],
                "sha256": result.digests[name],
            }
            for name in TABLE_ORDER
        },
        "reproduce": reproduce_command(result, parameters_dir),
    }
    partial = result.manifest.with_name(f".{MANIFEST}.partial")
    partial.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    partial.replace(result.manifest)
