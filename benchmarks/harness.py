"""Measure a step's wall time and peak memory in a fresh process, and record results.

Why a fresh process: peak resident memory (ru_maxrss) is per process and never goes down, so each
step runs alone in its own interpreter; DuckDB's memory is in-process and therefore counted.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"

_CHILD = """
import importlib, json, resource, sys, time
module, function, kwargs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
fn = getattr(importlib.import_module(module), function)
start = time.perf_counter()
extra = fn(**kwargs) or {}
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("\\n@@RESULT@@" + json.dumps({"seconds": seconds, "peak_rss_mib": peak_kib / 1024, **extra}))
"""


def measure(module: str, function: str, **kwargs: Any) -> dict[str, Any]:
    """Run module.function(**kwargs) in a child interpreter; return seconds, peak RSS and extras."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent)}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, module, function, json.dumps(kwargs, default=str)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module}.{function} failed:\n{proc.stderr[-4000:]}")
    # The result is on a line of its own: DuckDB's progress bar may have left the line before
    # unfinished (it redraws with carriage returns).
    line = [x for x in proc.stdout.splitlines() if x.startswith("@@RESULT@@")][-1]
    return dict(json.loads(line[len("@@RESULT@@") :]))


def user_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with `extra`, as a user's shell has it: without
    PYTHONDONTWRITEBYTECODE, which some sandboxes set and which would make every timed run
    compile joinedup's edited sources again (Python keeps compiled modules on a user's machine)."""
    merged = os.environ | (extra or {})
    return {k: v for k, v in merged.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed_command(args: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command as a user would (a fresh process, start-up and imports counted): its wall
    seconds, CPU seconds (user + system, less sensitive to what else the machine is doing) and
    peak RSS in MiB, of that process alone (os.wait4: RUSAGE_CHILDREN would report the largest
    child so far, such as a store built earlier in the same benchmark). `env` adds to this
    process's environment (`user_environment`)."""
    import tempfile
    import time

    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err,
                                env=user_environment(env))
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-4000:]
            raise RuntimeError(f"{' '.join(args)} failed:\n{tail}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mib": usage.ru_maxrss / 1024}


def first_and_repeat(
    args: list[str], runs: int, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """A command's first run on an empty query cache (it compiles its queries) and the median of
    `runs` repeats (they run the kept SQL: engines/queries.py), each a fresh process with `env`
    added to the environment."""
    import statistics
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        env = {**(env or {}), "JOINEDUP_CACHE_DIR": cache}
        first = timed_command(args, env)
        repeats = [timed_command(args, env) for _ in range(runs)]
    median = {key: statistics.median(r[key] for r in repeats) for key in repeats[0]}
    return {"first": first, "runs": repeats, "median": median}


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def record(name: str, payload: dict[str, Any]) -> Path:
    """Write results/<name>.json with the machine and the date."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **payload,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
