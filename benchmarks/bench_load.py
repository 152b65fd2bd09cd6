"""Time and peak memory of `joinedup load` for a synthetic ICS of a given size.

Target (issue 2): loading one ICS of 2.6 M registered patients in at most 60 s on 2 cores.
Run from the repository root:

    .venv/bin/python benchmarks/bench_load.py --patients 2600000 --record

The synthetic data is generated once into benchmarks/work/ (git-ignored) and reused; each load
runs alone in a fresh interpreter (harness.py) into a new database file.
`--record` writes results/load_<patients>.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import measure, record

TARGET_SECONDS = 60.0
FULL_SIZE = 2_600_000
WORK = Path(__file__).resolve().parent / "work"


def synthetic_data(patients: int, seed: int, density: str = "realistic") -> Path:
    """The generated contract files for this size, seed and density, made once and reused."""
    folder = WORK / f"synth-{patients}-{seed}-{density}"
    if not (folder / "manifest.json").is_file():
        from joinedup.sources.synthetic import generate

        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, patients=patients, seed=seed, density=density)
    return folder


def run_load(source: str, db: str) -> dict[str, Any]:
    """The measured step: one full load (called in the child interpreter)."""
    from joinedup.store import load

    report = load(Path(source), Path(db))
    return {"rows_in": report.rows_in, "loaded": report.loaded, "rejected": report.rejected}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--density", choices=("realistic", "programme"), default="realistic")
    parser.add_argument("--record", action="store_true", help="write results/load_<n>.json")
    args = parser.parse_args(argv)

    source = synthetic_data(args.patients, args.seed, args.density)
    db = WORK / f"load-{args.patients}-{args.seed}.duckdb"
    for stale in (db, db.with_suffix(".rejects.csv")):
        stale.unlink(missing_ok=True)
    result = measure("bench_load", "run_load", source=str(source), db=str(db))
    seconds, peak = float(result["seconds"]), float(result["peak_rss_mib"])
    print(f"load {args.patients:,} patients (seed {args.seed}, {args.density} density)")
    print(
        f"  rows in {result['rows_in']:,}  loaded {result['loaded']:,}  "
        f"rejected {result['rejected']:,}"
    )
    print(f"  time      {seconds:8.1f} s")
    print(f"  peak RSS  {peak:8.0f} MiB")
    if args.patients >= FULL_SIZE:
        verdict = "meets" if seconds <= TARGET_SECONDS else "MISSES"
        print(f"  {verdict} the target of {TARGET_SECONDS:.0f} s")
    if args.record:
        path = record(
            f"load_{args.patients}",
            {
                "patients": args.patients,
                "seed": args.seed,
                "density": args.density,
                "target_seconds": TARGET_SECONDS,
                **result,
            },
        )
        print(f"  recorded in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
