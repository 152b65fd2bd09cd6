"""`generate`: fill a footprint with synthetic patients and write the contract tables.

Why one entry point: the CLI, the demo, the tests and the benchmark all call it, so a run is
fully described by its arguments. The seed, options, parameter versions and file digests go into
`manifest.json`, and the same arguments give byte-identical Parquet files. Each stage draws
from its own random stream (seed + stage name), so changing one stage does not reshuffle the
others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from joinedup import __version__
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.background import BackgroundRates
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
from joinedup.sources.synthetic.rates import load_rates
from joinedup.sources.synthetic.record_files import write_records
from joinedup.sources.synthetic.records import Context, stage_rng
from joinedup.sources.synthetic.scenario import DEFAULT_SCENARIO, Change, load_scenario
from joinedup.sources.synthetic.writer import organisations_table, patients_table, write_table

MANIFEST = "manifest.json"
TABLE_ORDER = ("organisations", "patients", "clinical_events", "medications", "encounters")

Progress = Callable[[str], None]


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
    """Run every generating stage without writing anything (`generate` writes the result)."""
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, got {seed}")
    if patients is not None and patients < 1:
        raise ValueError(f"patients must be at least 1, got {patients}")
    report = progress or (lambda _stage: None)
    report("footprint")
    rates = load_rates(parameters_dir)
    story = load_scenario(rates, scenario)
    fp = build_footprint(footprint, rates, patients)
    reference = dates.to_days(reference_date)
    change = Change.build(
        stage_rng(seed, "scenario"), story, len(fp.practice_codes), reference,
        rates.scalar("history_years"),
    )

    report("patients")
    population = generate_population(fp, rates, stage_rng(seed, "population"), reference)
    codes = CodeBook(rates.scalar("code_rank_skew"))
    ctx = Context(fp, rates, population, codes, reference, seed, change)

    report("diagnoses")
    conditions = generate_conditions(ctx)
    report("observations")
    generate_observations(ctx, conditions)
    report("medications")
    generate_medications(ctx, conditions)
    report("encounters")
    encounters = generate_encounters(ctx, conditions)
    return Synthesis(ctx, conditions, encounters)


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
    published rates (background.py); ``programme`` writes only the programmes' records. Raises
    ValueError for a bad option and UnknownFootprintError for an unknown footprint.
    """
    if density not in DENSITIES:
        raise ValueError(f"density must be one of {', '.join(DENSITIES)}, got {density!r}")
    report = progress or (lambda _stage: None)
    out = Path(out_dir)
    run = synthesise(
        patients=patients,
        seed=seed,
        footprint=footprint,
        reference_date=reference_date,
        parameters_dir=parameters_dir,
        scenario=scenario,
        progress=report,
    )
    ctx, fp, population, encounters = run.context, run.footprint, run.population, run.encounters
    rates = ctx.rates

    report("writing")
    out.mkdir(parents=True, exist_ok=True)
    background = BackgroundRates.from_rates(rates) if density == "realistic" else None
    counts: dict[str, int] = {}
    paths: dict[str, Path] = {}
    digests: dict[str, str] = {}
    for name, table in (
        ("organisations", organisations_table(fp.organisations)),
        ("patients", patients_table(population, fp.practice_codes)),
    ):
        counts[name] = table.num_rows
        paths[name] = out / f"{name}.parquet"
        digests[name] = write_table(table, paths[name])
    for name, written in write_records(ctx, encounters, out, background).items():
        counts[name], paths[name], digests[name] = written.rows, written.path, written.sha256

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
        scenario=ctx.change.scenario.as_dict(),
        density=density,
    )
    _write_manifest(result, parameters_dir, registered=int(fp.list_size.sum()))
    return result


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
