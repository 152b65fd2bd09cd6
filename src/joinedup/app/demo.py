"""The demos: the main job end to end on the embedded default, with nothing to set up.

Why here: `joinedup demo` (and `make demo`) is the first thing a new user runs. The synthetic
demo generates a West Yorkshire-shaped ICS, loads it and runs AF with an eight-quarter trend;
the real demo imports West Yorkshire's published 2019-20 QOF files and runs AF on them. Each step
is the same use case the separate commands call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joinedup.app.imports import import_qof
from joinedup.app.run import RunOptions, RunResult, run_programme
from joinedup.sources.qof.demo_data import AGES, CITATION, GEOGRAPHY, IMD, PREVALENCE
from joinedup.sources.synthetic import SynthResult, generate
from joinedup.store import LoadReport, ProgressEvent, load
from joinedup.store.aggregates import ImportReport

Say = Callable[[str], None]
TREND_QUARTERS = 8
DEMO_DENSITY = "programme"
"""The demo's records: the programmes' own (the AF results are identical at either density;
realistic background takes the 2.6 M demo from about 2.5 to 6.5 minutes and 4 to 10 GiB)."""


@dataclass(frozen=True)
class SyntheticDemoResult:
    """What the synthetic demo generated, loaded and found."""

    synthetic: SynthResult
    loaded: LoadReport
    run: RunResult
    seed: int


def run_synthetic_demo(
    out_dir: Path | str, *, patients: int | None = None, seed: int = 42,
    density: str = DEMO_DENSITY, say: Say | None = None,
) -> SyntheticDemoResult:
    """Generate a synthetic ICS into ``out_dir/synthetic``, load it into ``out_dir/ics.duckdb``
    and run AF with an eight-quarter trend into ``out_dir/af``."""
    tell = say or (lambda _message: None)
    out = Path(out_dir)
    synth_dir, db = out / "synthetic", out / "ics.duckdb"
    made = generate(synth_dir, patients=patients, seed=seed, density=density,
                    progress=lambda stage: tell(f"generating: {stage}"))

    def on_load(event: ProgressEvent) -> None:
        tell(f"loading {event.table}: {event.step}")

    loaded = load(synth_dir, db, progress=on_load)
    result = run_programme(db, out / "af", RunOptions(programme="af", trend_periods=TREND_QUARTERS),
                           progress=tell)
    return SyntheticDemoResult(made, loaded, result, seed)


@dataclass(frozen=True)
class RealDemoResult:
    """The import, the run and the notes on where each figure came from."""

    imported: ImportReport
    run: RunResult
    notes: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> list[str]:
        """Plain lines for a terminal: totals, the age structure used, what is missing."""
        s = self.run.summary
        lines = [
            f"AF find and treat · {s['footprint']} · QOF {self.notes['qof_year']} "
            f"(period ending {s['period_end']})",
            f"  {s['practices']:,} practices, {s['list_size']:,} registered patients",
            f"  expected AF {s['expected']:,.0f}; on the register {s['recorded']:,} "
            f"({(s['detection_rate'] or 0):.1%} detected)",
            f"  to reach the ambition: find {s['to_find']:,}",
            f"  expected model's age structure: {self.notes['age_structure']}",
        ]
        for item in self.notes["missing_measures"]:
            lines.append(f"  missing: {item['measure']} for {item['practices']} practices — "
                         f"{item['reason']}")
        if self.notes.get("practices_without_imd"):
            lines.append(f"  no IMD for {self.notes['practices_without_imd']} practices "
                         "(closed or merged before the 2023 IMD file)")
        lines += [f"report: {self.run.report_path}", CITATION]
        return lines


def run_real_demo(out_dir: Path | str) -> RealDemoResult:
    """Import the packaged West Yorkshire 2019-20 files into ``out_dir`` and run AF on them.

    Writes ``out_dir/qof-2019-20.duckdb`` (and its rejects CSV) and the usual outputs in
    ``out_dir/af`` (practices.csv, summary.json, report.html, ...), at the QOF year's end.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "qof-2019-20.duckdb"
    imported = import_qof(db, prevalence=PREVALENCE, geography=GEOGRAPHY, ages=AGES, imd=IMD)
    result = run_programme(db, out / "af", RunOptions(programme="af"))
    return RealDemoResult(imported, result, dict(result.summary["inputs"]))
