"""How long `joinedup run af` takes on the all-England QOF store, end to end, as a user waits.

Why: an analyst with only published data runs the whole country (6,720 practices, 42 ICSs);
issue 13 asks for ≤ 2 s end to end. The store is built once from the shared open data
(`joinedup import qof` of the 2019-20 prevalence, geography, QOF age bases and practice and PCN
IMD files, as docs/aggregates.md shows); each run is a fresh `joinedup run af` process, so
start-up and imports are counted; the first run compiles its queries, the repeats (the median)
run the kept SQL (engines/queries.py). Wall time depends on what else the machine is doing, so the
child's CPU time (user + system) is reported beside it, with the load average.

    .venv/bin/python benchmarks/bench_england.py [--data ../shared/data] [--runs 3] [--record]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import first_and_repeat, record

JOINEDUP = Path(sys.executable).with_name("joinedup")
TARGET_SECONDS = 2.0


def build_store(data: Path, db: Path) -> None:
    subprocess.run(
        [str(JOINEDUP), "import", "qof",
         "--prevalence", str(data / "qof" / "PREVALENCE_1920.csv"),
         "--geography", str(data / "geography" / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv"),
         "--ages", str(data / "lists" / "gp-by-age.csv"),
         "--imd", str(data / "deprivation" / "practice_imd.csv"),
         "--pcn-imd", str(data / "deprivation" / "pcn_imd.csv"),
         "--db", str(db)],
        capture_output=True, check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="write results/england_run_af.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "england.duckdb"
        build_store(args.data, db)
        timed = first_and_repeat([str(JOINEDUP), "run", "af", "--db", str(db),
                                  "--out", str(Path(tmp) / "out")], args.runs)
    load = os.getloadavg()
    first, result = timed["first"], timed["median"]
    print(f"run af, all England: first run {first['wall_s']:.2f} s (CPU {first['cpu_s']:.2f} s); "
          f"repeat median wall {result['wall_s']:.2f} s, CPU {result['cpu_s']:.2f} s,"
          f" peak RSS {result['peak_rss_mib']:.0f} MiB over {args.runs} runs; "
          f"target ≤ {TARGET_SECONDS} s; load average {load[0]:.1f}")
    if args.record:
        path = record("england_run_af", {**timed, "target_seconds": TARGET_SECONDS,
                                         "load_average_1m": load[0]})
        print(f"recorded {path}")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
