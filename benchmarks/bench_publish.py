"""How long `joinedup run af --publish` takes beside the same run without it.

Why: publication checks every suppressed cell of a run's files against everything published
(linear algebra, `domain/recoverability.py`), which grows with the number of practices and of
small counts. A small synthetic population over the full footprint is the hard case (nearly every
count is small), so that is what this builds; `--store` times an existing store instead (e.g. the
all-England QOF store from `bench_england.py` or `joinedup import qof`). Each run is a fresh
process, as a user runs it; wall and CPU seconds of the child are reported.

    .venv/bin/python benchmarks/bench_publish.py [--patients 5000] [--store FILE] [--record]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import machine, record

JOINEDUP = Path(sys.executable).with_name("joinedup")
AMBITION = ["--ambition-detect", "0.85", "--ambition-treat", "0.9"]


def joinedup(*args: str) -> dict[str, float]:
    """Run one joinedup command; its wall and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(JOINEDUP), *args], capture_output=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--store", type=Path, help="time this store instead of a synthetic one")
    parser.add_argument("--record", action="store_true", help="write results/publish_*.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = args.store
        if store is None:
            joinedup("synth", "--out", str(work / "data"), "--patients", str(args.patients))
            store = work / "ics.duckdb"
            joinedup("load", str(work / "data"), "--db", str(store))
        label = store.name if args.store else f"synthetic {args.patients:,} patients"
        exact = joinedup("run", "af", "--db", str(store), "--out", str(work / "exact"), *AMBITION)
        published = joinedup("run", "af", "--db", str(store), "--out", str(work / "published"),
                             *AMBITION, "--publish")
    print(f"{label}: run af {exact['wall_s']} s wall ({exact['cpu_s']} s CPU); "
          f"with --publish {published['wall_s']} s wall ({published['cpu_s']} s CPU)")
    if args.record:
        name = "publish_" + (store.stem if args.store else str(args.patients))
        path = record(name, {"store": label, "run_af": exact, "run_af_publish": published,
                             "machine_detail": machine()})
        print(f"recorded {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
