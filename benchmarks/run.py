"""Run every benchmark at full ICS size and record the results (`make bench`).

Each benchmark script can also be run alone with its own --patients; see its docstring.
Results go to benchmarks/results/*.json (machine and date included); summarise them in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FULL = "2600000"
BENCHMARKS = ("bench_synth.py", "bench_load.py", "bench_run_af.py")


def main() -> int:
    for script in BENCHMARKS:
        print(f"== {script}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / script), "--patients", FULL, "--record"])
        if code != 0:
            return code
    print("== bench_waitlist.py", flush=True)  # sizes of its own: 10,000 and 100,000 patients
    return subprocess.call([sys.executable, str(HERE / "bench_waitlist.py"), "--record"])


if __name__ == "__main__":
    raise SystemExit(main())
