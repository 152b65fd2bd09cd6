"""Time and peak memory of `joinedup run af`, side by side with a SQL and a pandas baseline.

Issue 3's speed target, on 2.6 M synthetic patients: `run af` end to end within 1.5x of a single
hand-written DuckDB SQL query computing the same practice counts (the practical floor), and at
least 10x faster than a straightforward pandas implementation. Run from the repository root:

    .venv/bin/python benchmarks/bench_run_af.py --patients 2600000 --record
    .venv/bin/python benchmarks/bench_run_af.py --patients 300000

The synthetic ICS is generated and loaded once into benchmarks/work/ (git-ignored) and reused by
later runs with the same size and seed (`--fresh` rebuilds it). Then each step runs alone in a
fresh interpreter (harness.py): (i) `run af` end to end (measures, targeting, impact and every
output file), (ii) `practice_counts` alone, (iii) the SQL baseline, (iv) the pandas baseline
(reading the tables into pandas counts). Times exclude interpreter start-up and imports (each
step's libraries are imported before its clock starts); peak RSS includes them. The four must
give identical counts for every practice, or the run fails. `--record` writes
results/run_af_<patients>.json and updates this benchmark's section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines.af_inputs import PracticeRow, differences, from_engine, normalise
from harness import machine, measure, record

from joinedup.app.run import RunOptions, run_programme
from joinedup.domain.contract import TABLES
from joinedup.engines.duckdb import connect
from joinedup.engines.patient_level import practice_counts
from joinedup.programmes import load_parameters, load_programme, resolve_codelists
from joinedup.sources.synthetic.defaults import (
    DEFAULT_DENSITY,
    DEFAULT_REFERENCE_DATE,
    DENSITIES,
)

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
RESULTS_MD = HERE / "RESULTS.md"
FULL_SIZE = 2_600_000
TARGET_VS_SQL = 1.5  # run af may take at most this many times the SQL baseline
TARGET_VS_PANDAS = 10.0  # the pandas baseline must take at least this many times run af
RESULTS_HEADER = """# Benchmark results

Written by the scripts in this folder with `--record`; the raw numbers, with the machine and the
date, are in `results/`. Each section belongs to one benchmark and size and is replaced when that
benchmark is recorded again.
"""

STEPS: tuple[tuple[str, str, str], ...] = (
    # (key, label, module.function run in the child interpreter)
    ("run_af", "(i)   run af, end to end", "bench_run_af.measure_run_af"),
    ("practice_counts", "(ii)  practice_counts alone", "bench_run_af.measure_practice_counts"),
    ("sql", "(iii) SQL baseline, one query", "baselines.af_sql.measure"),
    ("pandas", "(iv)  pandas baseline", "baselines.af_pandas.measure"),
)


# --- the steps run in child interpreters ---------------------------------------------------


def prepare_store(patients: int, seed: int, folder: str, density: str) -> dict[str, Any]:
    """Generate the synthetic ICS and load it into folder/store.duckdb (not a measured step)."""
    from joinedup.sources.synthetic import generate
    from joinedup.store import load

    out = Path(folder)
    source = out / "source"
    result = generate(source, patients=patients, seed=seed, reference_date=DEFAULT_REFERENCE_DATE,
                      density=density)
    load(source, out / "store.duckdb", today=DEFAULT_REFERENCE_DATE)
    shutil.rmtree(source)  # the store is all the steps read; the Parquet would only take space
    return {"rows": result.counts}


def measure_run_af(db_path: str, out_dir: str, reference_date: str) -> dict[str, Any]:
    """(i) `joinedup run af` end to end, through the same Python API the CLI calls."""
    options = RunOptions(programme="af", reference_date=date.fromisoformat(reference_date))
    result = run_programme(Path(db_path), Path(out_dir), options)
    return {"practices": from_engine(p.counts for p in result.plan.practices)}


def measure_practice_counts(db_path: str, reference_date: str) -> dict[str, Any]:
    """(ii) The measures engine's practice counts alone (open the store, compute, close)."""
    programme = load_programme("af")
    con = connect(db_path, read_only=True)
    try:
        rows = practice_counts(
            con, programme, date.fromisoformat(reference_date), load_parameters(programme),
            codelists=resolve_codelists(programme),
        )
    finally:
        con.disconnect()
    return {"practices": from_engine(rows)}


# --- the benchmark -------------------------------------------------------------------------


def work_folder(
    patients: int, seed: int, fresh: bool, density: str = DEFAULT_DENSITY
) -> Path:
    """The folder holding the loaded store for this size, seed and record density (realistic by
    default: what a real GP extract holds), built if missing."""
    folder = WORK / f"run_af-{patients}-seed{seed}-{density}"
    meta_path = folder / "meta.json"
    wanted = {
        "patients": patients,
        "seed": seed,
        "reference_date": DEFAULT_REFERENCE_DATE.isoformat(),
        "density": density,
        # A store loaded with another row order is rebuilt (contract.Table.stored_order).
        "stored_order": {t.name: list(t.stored_order) for t in TABLES if t.stored_order},
    }
    if not fresh and meta_path.is_file() and (folder / "store.duckdb").is_file():
        meta = json.loads(meta_path.read_text())
        if {k: meta.get(k) for k in wanted} == wanted:
            print(f"reusing the store in {folder}")
            return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"generating and loading {patients:,} patients (seed {seed}, {density} density) "
          f"into {folder} ...")
    built = measure(
        "bench_run_af", "prepare_store", patients=patients, seed=seed, folder=str(folder),
        density=density,
    )
    print(f"  done in {built['seconds']:.1f} s, peak {built['peak_rss_mib']:.0f} MiB")
    meta_path.write_text(json.dumps({**wanted, "rows": built["rows"]}, indent=2) + "\n")
    return folder


def warm_file_cache(path: Path) -> None:
    """Read the store once so that no step pays for a cold disk and the first is not penalised."""
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def run_steps(folder: Path, repeat: int) -> dict[str, list[dict[str, Any]]]:
    db = str(folder / "store.duckdb")
    ref = DEFAULT_REFERENCE_DATE.isoformat()
    arguments: dict[str, dict[str, str]] = {
        "run_af": {"db_path": db, "out_dir": str(folder / "out"), "reference_date": ref},
        "practice_counts": {"db_path": db, "reference_date": ref},
        "sql": {"db_path": db, "reference_date": ref},
        "pandas": {"db_path": db, "reference_date": ref},
    }
    runs: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in STEPS}
    # The DuckDB steps take turns, repeat by repeat, so that each repeat's run af and SQL
    # floor share the machine's state; the pandas step's repeats come last, so that no other
    # step follows its 14 GB (the machine is slower for a while after freeing it).
    order = [(attempt, step) for attempt in range(repeat) for step in STEPS
             if step[0] != "pandas"]
    order += [(attempt, step) for attempt in range(repeat) for step in STEPS
              if step[0] == "pandas"]
    for attempt, (key, label, target) in order:
        module, function = target.rsplit(".", 1)
        # Every step starts with the store in the OS file cache, as the first does: the
        # pandas step's 14 GB can push it out, and the next step would time the disk.
        warm_file_cache(Path(db))
        result = measure(module, function, **arguments[key])
        runs[key].append(result)
        suffix = f" (run {attempt + 1} of {repeat})" if repeat > 1 else ""
        print(
            f"  {label.strip():<32}{result['seconds']:8.2f} s"
            f"{result['peak_rss_mib']:8.0f} MiB{suffix}"
        )
    return runs


def agreement(runs: dict[str, list[dict[str, Any]]]) -> tuple[int, list[str]]:
    """Compare every step's practice counts with practice_counts'; (practices, differences)."""
    reference: dict[str, PracticeRow] = normalise(runs["practice_counts"][0]["practices"])
    problems: list[str] = []
    for key, label, _ in STEPS:
        for result in runs[key]:
            found = differences(reference, normalise(result["practices"]))
            problems += [f"{label.split(')')[0]}) {line}" for line in found[:10]]
    return len(reference), problems


def summarise(runs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Median time and largest peak memory of each step over its repeats; for run af, also the
    median of each repeat's own ratio to the SQL floor (the two ran one after the other)."""
    steps = {
        key: {
            "seconds": statistics.median(r["seconds"] for r in results),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in results),
            "runs": len(results),
        }
        for key, results in runs.items()
    }
    if len(runs["run_af"]) > 1:
        steps["run_af"]["paired_over_sql"] = statistics.median(
            a["seconds"] / b["seconds"] for a, b in zip(runs["run_af"], runs["sql"], strict=True))
    return steps


def verdict(ok: bool, patients: int) -> str:
    if patients < FULL_SIZE:
        return "meets (at this size)" if ok else "misses (at this size)"
    return "meets" if ok else "MISSES"


def table_lines(steps: dict[str, dict[str, float]], patients: int) -> tuple[list[str], dict]:
    """The step table and the ratio table as Markdown, and the ratios."""
    vs_sql = steps["run_af"]["seconds"] / steps["sql"]["seconds"]
    paired = steps["run_af"].get("paired_over_sql")
    vs_pandas = steps["pandas"]["seconds"] / steps["run_af"]["seconds"]
    counts_vs_sql = steps["practice_counts"]["seconds"] / steps["sql"]["seconds"]
    lines = ["| step | time (s) | peak RSS (MiB) |", "|---|---:|---:|"]
    for key, label, _ in STEPS:
        s, name = steps[key], " ".join(label.split())
        lines.append(f"| {name} | {s['seconds']:.2f} | {s['peak_rss_mib']:.0f} |")
    lines += [
        "",
        "| ratio | measured | target | verdict |",
        "|---|---:|---:|---|",
        f"| run af ÷ SQL | {vs_sql:.2f}× | ≤ {TARGET_VS_SQL:g}× | "
        f"{verdict(vs_sql <= TARGET_VS_SQL, patients)} |",
        f"| pandas ÷ run af | {vs_pandas:.1f}× | ≥ {TARGET_VS_PANDAS:g}× | "
        f"{verdict(vs_pandas >= TARGET_VS_PANDAS, patients)} |",
        f"| practice_counts ÷ SQL (for information) | {counts_vs_sql:.2f}× | | |",
    ]
    if paired is not None:
        lines.append(f"| run af ÷ SQL within each repeat, median (for information) | "
                     f"{paired:.2f}× | | |")
    ratios = {
        "run_af_over_sql": vs_sql,
        "pandas_over_run_af": vs_pandas,
        "practice_counts_over_sql": counts_vs_sql,
    }
    return lines, ratios


def update_results_md(section: str, body: str) -> Path:
    """Put `body` in RESULTS.md between this section's markers, replacing any earlier one."""
    begin, end = f"<!-- {section} -->", f"<!-- /{section} -->"
    text = RESULTS_MD.read_text() if RESULTS_MD.is_file() else RESULTS_HEADER
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS_MD.write_text(text)
    return RESULTS_MD


def results_section(
    args: argparse.Namespace,
    store_mib: float,
    lines: list[str],
    practices: int,
    problems: list[str],
    raw_name: str,
) -> str:
    """This run's section of RESULTS.md (Markdown)."""
    spec = machine()
    today = datetime.now(UTC).date().isoformat()
    how = f"median of {args.repeat} runs; " if args.repeat > 1 else ""
    repeat = f" --repeat {args.repeat}" if args.repeat > 1 else ""
    agreed = (
        f"All four steps gave identical counts for all {practices} practices."
        if not problems
        else f"**The steps disagreed** ({len(problems)} differences)."
    )
    if args.patients < FULL_SIZE:
        agreed += f" The issue's targets are set at {FULL_SIZE:,} patients."
    intro = (
        f"Measured {today} on {spec['cpu'] or 'an unnamed CPU'}, {spec['cores']} cores, "
        f"{spec['memory_gib']} GiB, Python {spec['python']}; seed {args.seed}, {args.density} "
        f"record density, reference date {DEFAULT_REFERENCE_DATE}, store {store_mib:.0f} MiB. "
        f"Command: `.venv/bin/python benchmarks/bench_run_af.py --patients {args.patients} "
        f"--seed {args.seed} --density {args.density}{repeat} "
        f"--record` (raw numbers: "
        f"`results/{raw_name}`). Each step runs alone in a fresh interpreter; {how}times "
        "exclude start-up and imports, peak RSS includes them."
    )
    return "\n".join(
        [f"## `run af`, {args.patients:,} patients, {args.density} record density", "", intro,
         "", *lines, "", agreed]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each step (median taken)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the store")
    parser.add_argument("--density", choices=DENSITIES, default=DEFAULT_DENSITY,
                        help="synthetic record density (default: realistic, a GP extract's)")
    parser.add_argument("--record", action="store_true", help="write results and RESULTS.md")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    folder = work_folder(args.patients, args.seed, args.fresh, args.density)
    store = folder / "store.duckdb"
    store_mib = store.stat().st_size / 2**20
    warm_file_cache(store)
    ref = DEFAULT_REFERENCE_DATE
    print(
        f"run af: {args.patients:,} patients (seed {args.seed}, {args.density} density), "
        f"reference date {ref}, "
        f"store {store_mib:.0f} MiB"
    )
    runs = run_steps(folder, args.repeat)
    practices, problems = agreement(runs)
    steps = summarise(runs)
    lines, ratios = table_lines(steps, args.patients)

    print()
    print("\n".join(lines))
    if problems:
        print(f"\nDISAGREE: the steps' counts differ ({len(problems)} shown):")
        print("\n".join(f"  {p}" for p in problems))
    else:
        print(f"\nall four give identical counts for all {practices} practices")
    if args.patients < FULL_SIZE:
        print(
            f"(at {args.patients / FULL_SIZE:.0%} of full size: the issue's targets are set "
            f"at {FULL_SIZE:,} patients)"
        )

    if args.record:
        # Results before realistic density (programme records only) keep their names.
        suffix = "" if args.density == "programme" else f"_{args.density}"
        name = f"run_af_{args.patients}{suffix}"
        payload = {
            "patients": args.patients,
            "density": args.density,
            "seed": args.seed,
            "reference_date": ref.isoformat(),
            "store_mib": round(store_mib, 1),
            "practices": practices,
            "agree": not problems,
            "differences": problems,
            "target": {
                "run_af_over_sql_at_most": TARGET_VS_SQL,
                "pandas_over_run_af_at_least": TARGET_VS_PANDAS,
                "at_patients": FULL_SIZE,
            },
            "steps": steps,
            "ratios": ratios,
        }
        path = record(name, payload)
        body = results_section(args, store_mib, lines, practices, problems, path.name)
        print(f"recorded {path} and {update_results_md(name, body)}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
