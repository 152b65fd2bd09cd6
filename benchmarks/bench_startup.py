"""How long `joinedup --help` and `joinedup --version` take, as a user waits for them.

Why: a command line that takes two seconds to print its help feels broken (issue 8 asked for
≤ 0.3 s). Each run starts a fresh interpreter, exactly as typing the command does; the median of
several runs is reported with the fastest and slowest, and the same for bare `python -c pass`
(the floor no Python program can beat on this machine).

    .venv/bin/python benchmarks/bench_startup.py [--runs 15] [--record]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from harness import machine, record, user_environment

HERE = Path(__file__).resolve().parent
JOINEDUP = Path(sys.executable).with_name("joinedup")
COMMANDS = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "joinedup --version": [str(JOINEDUP), "--version"],
    "joinedup --help": [str(JOINEDUP), "--help"],
    "joinedup run --help": [str(JOINEDUP), "run", "--help"],
}
TARGET_SECONDS = 0.3


def timed(command: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=user_environment())
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--record", action="store_true", help="write results/startup.json")
    args = parser.parse_args()
    timed(COMMANDS["joinedup --help"], 2)  # warm the file cache and bytecode
    results = {}
    for name, command in COMMANDS.items():
        seconds = timed(command, args.runs)
        results[name] = {
            "median_s": statistics.median(seconds),
            "min_s": min(seconds),
            "max_s": max(seconds),
        }
        print(f"{name:<26} median {results[name]['median_s']:.3f} s  "
              f"(min {results[name]['min_s']:.3f}, max {results[name]['max_s']:.3f})")
    if args.record:
        path = record("startup", {"runs": args.runs, "target_seconds": TARGET_SECONDS,
                                  "results": results, "machine_detail": machine()})
        print(f"recorded {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
