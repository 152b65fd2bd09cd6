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
BENCHMARKS: tuple[tuple[str, ...], ...] = (
    ("bench_startup.py",),
    ("bench_synth.py", "--patients", FULL),
    ("bench_load.py", "--patients", FULL),
    ("bench_run_af.py", "--patients", FULL),
    ("bench_waits.py",),  # whole commands as a user waits for them: tiny and 100k stores
    ("bench_england.py",),  # run af on the all-England QOF store (the shared open data)
    ("bench_dashboard.py", "--patients", FULL),
    ("bench_publish.py",),  # the hard case for publication: 5,000 patients, all counts small
    ("bench_waitlist.py",),  # sizes of its own: 10,000 and 100,000 waiting patients
)


def main() -> int:
    for script, *options in BENCHMARKS:
        print(f"== {script}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / script), *options, "--record"])
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
