"""How long `joinedup run af` spends writing its files on the all-England QOF store, in-process.

Why: issue 13 asks for `run af` on all England (6,720 practices) in ≤ 2 s end to end, and the
files are a large part of it, the Excel copy of the practice table (~195,000 cells) the largest.
bench_england.py times the whole command; this one computes the run once and then times only the
writing (`write_run`: the practice table as CSV, Parquet and Excel, roll-ups, breakdowns, PCN
need, summary, report and charts) and, apart, the Excel copy (`write_workbook`), so a change to
the outputs is measured without the engine's time and noise around it. CPU time (this process's
user + system) is reported beside wall time, with the load average.

    .venv/bin/python benchmarks/bench_england_outputs.py [--data ../shared/data] [--runs 5]
        [--db an/england.duckdb] [--record]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_england import build_store
from harness import record


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(db: Path, runs: int, out: Path) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of `write_workbook` and of `write_run` over `runs` runs."""
    from joinedup.app.run import compute_run, write_run
    from joinedup.outputs.tables import write_workbook

    computed = compute_run(db)
    rows = computed.tables(None).practices
    columns = list(dict.fromkeys(c for row in rows for c in row))
    write_run(computed, out / "warm-up", None)  # imports (xlsxwriter, the report's) not counted
    times: dict[str, list[tuple[float, float]]] = {"write_workbook": [], "write_run": []}
    for i in range(runs):
        times["write_workbook"].append(_timed(lambda i=i: write_workbook(
            rows, columns, out / f"practices{i}.xlsx", sheet="practices", note="benchmark")))
        times["write_run"].append(_timed(lambda i=i: write_run(computed, out / f"run{i}", None)))
    return {step: {"wall_s": statistics.median(w for w, _ in pairs),
                   "cpu_s": statistics.median(c for _, c in pairs)}
            for step, pairs in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--db", type=Path, help="an England store already built (else built)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", action="store_true",
                        help="write results/england_outputs.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "england.duckdb"
            build_store(args.data, db)
        result = measure(db, args.runs, Path(tmp))
    load = os.getloadavg()
    for step, median in result.items():
        print(f"{step}, all England: median wall {median['wall_s']:.3f} s, "
              f"CPU {median['cpu_s']:.3f} s over {args.runs} runs; load average {load[0]:.1f}")
    if args.record:
        path = record("england_outputs", {"median": result, "runs": args.runs,
                                          "load_average_1m": load[0]})
        print(f"recorded {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
