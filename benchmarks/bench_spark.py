"""Time and peak memory of `joinedup run af` on Apache Spark (local mode) against DuckDB.

Issue 13, item 7's Spark line: `run af` at 2.6 M synthetic patients on Spark in local mode on
this machine, beside the same run on the embedded DuckDB default. Run from the repository root:

    .venv/bin/python benchmarks/bench_spark.py --patients 2600000 [--density realistic] --record
    .venv/bin/python benchmarks/bench_spark.py --patients 300000

It reuses bench_run_af.py's loaded store for the same size and seed (building it if missing)
and exports it once to a folder of contract Parquet tables beside it. Then each step runs alone
in a fresh interpreter (harness.py): (i) `run af` on DuckDB, (ii) `run af --engine spark` from
the DuckDB store (the engine copies it to Parquet first), (iii) `run af --engine spark` from the
Parquet folder. Every step is the whole use case the CLI calls, so Spark's times include
starting its JVM and session. Times exclude interpreter start-up and imports; peak memory is the
Python process's peak RSS plus, for Spark, the Spark JVM's (its own process), read from
/proc/<pid>/status (VmHWM) at the end of the step. The three must write identical practice
counts, or the run fails. `--record` writes results/spark_run_af_<patients>.json and updates
this benchmark's section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines.af_inputs import differences, from_engine, normalise
from bench_run_af import update_results_md, warm_file_cache, work_folder
from harness import machine, measure, record

from joinedup.app.run import RunOptions, run_programme
from joinedup.app.store import EngineChoice
from joinedup.sources.synthetic.defaults import DEFAULT_REFERENCE_DATE, DENSITIES

STEPS: tuple[tuple[str, str, str, str], ...] = (
    # (key, label, engine, input)
    ("duckdb", "(i)   run af on DuckDB", "duckdb", "store"),
    ("spark_store", "(ii)  run af on Spark, from the DuckDB store", "spark", "store"),
    ("spark_parquet", "(iii) run af on Spark, from the Parquet folder", "spark", "parquet"),
)


def _jvm_peak_mib() -> float:
    """The Spark JVM's peak resident memory, if this process started one."""
    try:
        from pyspark import SparkContext
    except ImportError:
        return 0.0
    gateway = SparkContext._gateway
    if gateway is None:
        return 0.0
    for line in Path(f"/proc/{gateway.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_run(
    db_path: str, out_dir: str, reference_date: str, engine: str
) -> dict[str, Any]:
    """`run af` end to end on `engine`, with the time until the counting starts (set-up)."""
    start = time.perf_counter()
    marks: dict[str, float] = {}

    def progress(message: str) -> None:
        if message.startswith("computing"):
            marks.setdefault("setup_seconds", time.perf_counter() - start)

    options = RunOptions(
        programme="af",
        reference_date=date.fromisoformat(reference_date),
        engine=EngineChoice(engine),
    )
    result = run_programme(Path(db_path), Path(out_dir), options, progress=progress)
    return {
        "practices": from_engine(p.counts for p in result.plan.practices),
        "jvm_peak_rss_mib": _jvm_peak_mib(),
        **marks,
    }


def export_parquet(store: str, folder: str) -> dict[str, Any]:
    """Write the store's tables as a Parquet folder (not a measured step)."""
    from joinedup.engines.spark import export_store

    Path(folder).mkdir(parents=True, exist_ok=True)
    return {"tables": export_store(Path(store), Path(folder))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--density", choices=DENSITIES, default="programme",
                        help="synthetic record density of the store (default: programme; Spark "
                             "local mode on two cores takes minutes a million rows)")
    parser.add_argument("--record", action="store_true", help="write results and RESULTS.md")
    args = parser.parse_args(argv)

    folder = work_folder(args.patients, args.seed, fresh=False, density=args.density)
    store = folder / "store.duckdb"
    parquet = folder / "parquet"
    if not (parquet / "patients.parquet").is_file():
        print(f"exporting the store to {parquet} ...")
        measure("bench_spark", "export_parquet", store=str(store), folder=str(parquet))
    warm_file_cache(store)
    for part in parquet.iterdir():
        warm_file_cache(part)
    ref = DEFAULT_REFERENCE_DATE.isoformat()
    inputs = {"store": str(store), "parquet": str(parquet)}
    master = os.environ.get("JOINEDUP_SPARK_MASTER", "local[*]")
    print(f"run af: {args.patients:,} patients (seed {args.seed}, {args.density} density), "
          f"Spark master {master}")

    results: dict[str, dict[str, Any]] = {}
    for key, label, engine, source in STEPS:
        results[key] = measure(
            "bench_spark", "measure_run", db_path=inputs[source],
            out_dir=str(folder / f"out-{key}"), reference_date=ref, engine=engine,
        )
        r = results[key]
        print(f"  {label:<48}{r['seconds']:8.2f} s  set-up {r.get('setup_seconds', 0):6.2f} s"
              f"  peak {r['peak_rss_mib'] + r['jvm_peak_rss_mib']:7.0f} MiB")

    reference = normalise(results["duckdb"]["practices"])
    problems = [f"{key}: {line}" for key, *_ in STEPS
                for line in differences(reference, normalise(results[key]["practices"]))[:10]]
    lines = table_lines(results)
    print("\n" + "\n".join(lines))
    print("\n" + ("all three give identical counts" if not problems else
                  "DISAGREE:\n" + "\n".join(problems)))
    if args.record:
        # Results at programme density (the records before realistic density) keep their names.
        suffix = "" if args.density == "programme" else f"_{args.density}"
        name = f"spark_run_af_{args.patients}{suffix}"
        steps = {k: {key: v for key, v in r.items() if key != "practices"}
                 for k, r in results.items()}
        path = record(name, {"patients": args.patients, "seed": args.seed,
                             "density": args.density,
                             "reference_date": ref, "master": master,
                             "practices": len(reference), "agree": not problems,
                             "differences": problems, "steps": steps})
        body = section(args, master, lines, len(reference), problems, path.name)
        print(f"recorded {path} and {update_results_md(name, body)}")
    return 1 if problems else 0


def table_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    base = results["duckdb"]["seconds"]
    lines = [
        "| step | time (s) | of which set-up (s) | ÷ DuckDB | peak RSS, Python + JVM (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label, _engine, _source in STEPS:
        r = results[key]
        jvm = r["jvm_peak_rss_mib"]
        memory = f"{r['peak_rss_mib']:.0f}" + (f" + {jvm:.0f}" if jvm else "")
        lines.append(
            f"| {' '.join(label.split())} | {r['seconds']:.2f} | {r.get('setup_seconds', 0):.2f} "
            f"| {r['seconds'] / base:.1f}× | {memory} |"
        )
    return lines


def section(
    args: argparse.Namespace, master: str, lines: list[str], practices: int, problems: list[str],
    raw_name: str,
) -> str:
    spec = machine()
    load = os.getloadavg()[0]
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    agreed = (f"All three gave identical counts for all {practices} practices." if not problems
              else f"**The steps disagreed** ({len(problems)} differences).")
    intro = (
        f"Measured {today} on {spec['cpu'] or 'an unnamed CPU'}, {spec['cores']} cores, "
        f"{spec['memory_gib']} GiB, Python {spec['python']}, Spark master `{master}` with "
        f"joinedup's settings (engines/spark.py; Spark's own defaults otherwise, so a 1 GiB "
        f"driver heap); load average {load:.1f} at the end. Command: `.venv/bin/python "
        f"benchmarks/bench_spark.py --patients {args.patients} --seed {args.seed} "
        f"--density {args.density} --record` "
        f"(raw numbers: `results/{raw_name}`). Each step runs alone in a fresh interpreter; "
        "set-up is the time until counting starts (Spark: JVM and session start, and for (ii) "
        "the Parquet copy of the store)."
    )
    return "\n".join([f"## `run af` on Spark, {args.patients:,} patients", "", intro, "",
                      *lines, "", agreed])


if __name__ == "__main__":
    raise SystemExit(main())
