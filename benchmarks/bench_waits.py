"""What a user waits for at the command line: `joinedup run af` from a tiny store to a large one,
and `joinedup progress af` over 12 monthly periods.

Why: issue 13 sets targets for whole commands as people run them, start-up and imports included
(a tiny store under 1 s, 1 M patients under 2 s and 400 MiB, 12 monthly periods at 100,000
patients under 1 s), which the step timings of bench_run_af.py (imports excluded) do not show.
Each command runs as a fresh `joinedup` process (harness.timed_command); wall time depends on
what else the machine is doing, so CPU time is reported beside it, with the load average. The
first run of each case starts from an empty query cache and compiles its queries; the median is
over the repeats, which run the kept SQL (engines/queries.py), as a user's second run does.
Stores are generated and loaded once into benchmarks/work/ (as bench_run_af.py does) and reused.

    .venv/bin/python benchmarks/bench_waits.py [--sizes 307,100000,1000000] [--runs 3]
        [--density realistic|programme] [--record]

307 patients is the smallest synthetic ICS (one patient per practice of the footprint).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_run_af import work_folder
from harness import first_and_repeat, record

from joinedup.sources.synthetic.defaults import DEFAULT_DENSITY, DENSITIES

JOINEDUP = Path(sys.executable).with_name("joinedup")
PROGRESS_SIZE = 100_000
SMALL_MEMORY = "256MB"
"""The DuckDB memory limit of the extra 1 M case: most of a run's peak is DuckDB keeping the
store's blocks cached, which a limit trades for re-reading them."""
TARGETS = {  # issue 13's "done when", seconds end to end
    "run af, 307 patients": 1.0,
    "run af, 1,000,000 patients": 2.0,
    f"run af, 1,000,000 patients, JOINEDUP_MEMORY_LIMIT={SMALL_MEMORY}": 2.0,
    "progress af, 12 months, 100,000 patients": 1.0,
}


def cases(sizes: list[int]) -> list[tuple[str, int, list[str], dict[str, str]]]:
    """(label, patients, joinedup arguments after the store and output options, environment)."""
    out = [(f"run af, {n:,} patients", n, ["run", "af"], {}) for n in sizes]
    if 1_000_000 in sizes:
        out.append((f"run af, 1,000,000 patients, JOINEDUP_MEMORY_LIMIT={SMALL_MEMORY}",
                    1_000_000, ["run", "af"], {"JOINEDUP_MEMORY_LIMIT": SMALL_MEMORY}))
    out.append((f"progress af, 12 months, {PROGRESS_SIZE:,} patients", PROGRESS_SIZE,
                ["progress", "af", "--every", "month", "--periods", "12"], {}))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="307,100000",
                        help="comma-separated store sizes for run af (default 307,100000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--density", choices=DENSITIES, default=DEFAULT_DENSITY,
                        help="synthetic record density of the stores (default: realistic)")
    parser.add_argument("--record", action="store_true",
                        help="write results/waits_<density>.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, patients, command, env in cases(sizes):
            store = work_folder(patients, args.seed, False, args.density) / "store.duckdb"
            timed = first_and_repeat([str(JOINEDUP), *command, "--db", str(store),
                                      "--out", str(Path(tmp) / "out")], args.runs, env)
            median, first = timed["median"], timed["first"]
            target = TARGETS.get(label)
            results.append({"case": label, "patients": patients, **timed,
                            "target_seconds": target})
            print(f"{label}: first run {first['wall_s']:.2f} s (CPU {first['cpu_s']:.2f} s); "
                  f"repeat median wall {median['wall_s']:.2f} s, CPU {median['cpu_s']:.2f} s, "
                  f"peak {median['peak_rss_mib']:.0f} MiB"
                  + (f" (target {target} s)" if target else ""), flush=True)
    load = os.getloadavg()[0]
    print(f"load average (1 min) at the end: {load:.1f}")
    if args.record:
        payload = {"density": args.density, "cases": results, "load_average_1m": load}
        print(f"recorded {record(f'waits_{args.density}', payload)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
