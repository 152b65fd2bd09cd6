"""All England out of core on one machine: `synth`, `load` and `run af` at tens of millions.

Why: issue 13 (item 6) asks that an England-sized population (57 M registered patients) be
generated, loaded and run on one 24 GiB machine, spilling to disk as needed. The generator works
in chunks of at most `CHUNK_PATIENTS` registered patients (sources/synthetic/chunks.py) and the
load and the measures run set-wise in DuckDB, which spills to a folder beside the store. This
runs the three commands a user would, each as a fresh `joinedup` process
(harness.timed_command: wall, CPU and that process's own peak RSS), into
benchmarks/work/national-<patients>-<density>/ (git-ignored), and reports each step's time and
peak memory and the size on disk of the files and the store.

The density defaults to ``programme`` (only the programmes' records, about ten rows a patient):
``realistic`` adds a GP extract's background of about forty rows a patient, which at 57 M is
2.3 billion rows and hours of generating and loading on 2 cores, so it is the exception here.

    .venv/bin/python benchmarks/bench_national.py --patients 10000000 --record
    .venv/bin/python benchmarks/bench_national.py --patients 57000000 [--density realistic]

It is not in run.py's default list: 10 M takes about 6 minutes (synth 2.3 min, load 3.2, run af
0.5; peaks 4.2, 13.0 and 4.4 GiB), and 57 M about 35–40 minutes (synth 16–18, load 13–17, run
af 0.6; peaks 4.8, 20.0 and 6.5 GiB) and about 60 GB of free disk (files, store, the load's
spill).
Run one heavy benchmark at a time. `--record` writes results/national_<patients>_<density>.json;
`--keep` leaves the work folder for inspection (it is removed otherwise, as it holds gigabytes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import record, timed_command

from joinedup.sources.synthetic.chunks import CHUNK_PATIENTS
from joinedup.sources.synthetic.defaults import DEFAULT_REFERENCE_DATE, DENSITIES

JOINEDUP = Path(sys.executable).with_name("joinedup")
WORK = Path(__file__).resolve().parent / "work"
MEMORY_GIB = 24  # the machine every developer and CI has
SUMMARY_KEYS = (
    "practices",
    "list_size",
    "expected",
    "recorded",
    "eligible",
    "treated",
    "detection_rate",
    "treatment_rate",
)


def size_mib(path: Path) -> float:
    """Bytes under `path` (a file or a folder), in MiB."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20


def rejected_rows(store: Path) -> int:
    """Rows the load rejected (the store's rejects table)."""
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM rejects").fetchone()
    return int(row[0]) if row else 0


def steps(folder: Path, patients: int, seed: int, density: str) -> list[tuple[str, list[str]]]:
    """(step, command) for synth, load and run af into `folder`."""
    day = DEFAULT_REFERENCE_DATE.isoformat()
    data, store, out = folder / "data", folder / "store.duckdb", folder / "af"
    return [
        (
            "synth",
            [
                str(JOINEDUP),
                "synth",
                "--out",
                str(data),
                "--patients",
                str(patients),
                "--seed",
                str(seed),
                "--density",
                density,
                "--reference-date",
                day,
            ],
        ),
        ("load", [str(JOINEDUP), "load", str(data), "--db", str(store), "--today", day]),
        (
            "run_af",
            [str(JOINEDUP), "run", "af", "--db", str(store), "--out", str(out), "--date", day],
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--density", choices=DENSITIES, default="programme")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument(
        "--record", action="store_true", help="write results/national_<patients>_<density>.json"
    )
    args = parser.parse_args(argv)

    folder = WORK / f"national-{args.patients}-{args.density}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    chunks = -(-args.patients // CHUNK_PATIENTS)
    print(
        f"{args.patients:,} patients, {args.density} density, {chunks} chunk(s) of at most "
        f"{CHUNK_PATIENTS:,}",
        flush=True,
    )
    results: dict[str, Any] = {}
    try:
        for step, command in steps(folder, args.patients, args.seed, args.density):
            results[step] = timed_command(command)
            r = results[step]
            print(
                f"  {step:<7} wall {r['wall_s']:8.1f} s  CPU {r['cpu_s']:8.1f} s  "
                f"peak RSS {r['peak_rss_mib']:8.0f} MiB",
                flush=True,
            )
        manifest = json.loads((folder / "data" / "manifest.json").read_text())
        summary = json.loads((folder / "af" / "summary.json").read_text())
        rejected = rejected_rows(folder / "store.duckdb")
        disk = {
            "data_mib": size_mib(folder / "data"),
            "store_mib": size_mib(folder / "store.duckdb"),
        }
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    rows = {name: table["rows"] for name, table in manifest["tables"].items()}
    peak = max(r["peak_rss_mib"] for r in results.values())
    print(
        f"  rows {sum(rows.values()):,} in {manifest.get('chunks', 1)} chunk(s), "
        f"{rejected:,} rejected; files {disk['data_mib']:,.0f} MiB, "
        f"store {disk['store_mib']:,.0f} MiB"
    )
    print(
        f"  AF: {summary['recorded']:,} recorded of {summary['list_size']:,} "
        f"({summary['recorded'] / summary['list_size']:.2%}), detection "
        f"{summary['detection_rate']:.1%}, treatment {summary['treatment_rate']:.1%}"
    )
    print(
        f"  largest peak {peak / 1024:.1f} GiB of the machine's {MEMORY_GIB} GiB; "
        f"load average (1 min) at the end {os.getloadavg()[0]:.1f}"
    )
    if args.record:
        path = record(
            f"national_{args.patients}_{args.density}",
            {
                "patients": args.patients,
                "seed": args.seed,
                "density": args.density,
                "chunk_patients": CHUNK_PATIENTS,
                "chunks": manifest.get("chunks", 1),
                "rows": rows,
                "steps": results,
                "disk_mib": disk,
                "rejected": rejected,
                "af": {key: summary[key] for key in SUMMARY_KEYS},
                "load_average_1m": os.getloadavg()[0],
            },
        )
        print(f"  recorded in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
