"""Time of `joinedup waitlist allocate`'s allocation step for 10,000 and 100,000 waiting patients.

The issue asks for the allocation time at these two sizes. Each (size, method) runs alone in a
fresh interpreter (harness.py): the synthetic three-trust list is scaled to the size with its
theatre sessions (four weeks of the trusts' own and the shared weekend lists, scaled alike), and
only ``allocate`` is timed; building the list and the problem are reported apart. Run from the
repository root:

    .venv/bin/python benchmarks/bench_waitlist.py --record
    .venv/bin/python benchmarks/bench_waitlist.py --sizes 10000 --methods greedy

`--record` writes results/waitlist_allocate.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import measure, record

SIZES = (10_000, 100_000)
METHODS = ("greedy", "optimiser")
WEEKS = 4


def run_allocate(patients: int, method: str, seed: int, time_limit: float) -> dict[str, Any]:
    """The measured step (called in the child interpreter)."""
    from datetime import date

    import numpy as np

    from joinedup.waitlist.allocation import allocate, priority_order_breaches, summary
    from joinedup.waitlist.parameters import load_parameters, priorities
    from joinedup.waitlist.problem import build_problem
    from joinedup.waitlist.scenario import (
        next_monday,
        own_sessions,
        scenario_from,
        shared_sessions,
    )
    from joinedup.waitlist.synthetic import initial_list, mixes, weibull_mean_weeks

    parameters = load_parameters()
    scenario = scenario_from(parameters)
    monday = next_monday(date(2025, 3, 31))
    natural = sum(
        scenario.demand[(t.code, s)] * weibull_mean_weeks(mixes(parameters)[s], t.wait_scale)
        for t in scenario.trusts
        for s in ("ENT", "Oral Surgery")
    )
    scale = patients / natural
    start = time.perf_counter()
    listed = initial_list(parameters, scenario, np.random.default_rng(seed), monday, scale)
    copies = max(1, round(scale))
    sessions = []
    for copy in range(copies):
        batch = own_sessions(scenario, monday, WEEKS) + shared_sessions(scenario, monday, WEEKS)
        sessions += [
            type(s)(f"{s.session_id}-t{copy}", s.site, s.host_trust, s.day, s.minutes, s.rule)
            for s in batch
        ]
    problem = build_problem(listed, sessions, priorities(parameters))
    built = time.perf_counter() - start
    start = time.perf_counter()
    plan = allocate(problem, method, time_limit)
    seconds = time.perf_counter() - start
    figures = summary(plan)
    return {
        "allocate_seconds": seconds,
        "build_seconds": built,
        "waiting": problem.size,
        "sessions": len(problem.sessions),
        "booked": figures["patients_booked"],
        "tiers": figures["tiers"],
        "weighted_wait_left": figures["weighted_wait_left"],
        "greedy_weighted_wait_left": figures["greedy_weighted_wait_left"],
        "priority_order_breaches": priority_order_breaches(problem, plan.assigned),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--record", action="store_true",
                        help="write results/waitlist_allocate.json")
    args = parser.parse_args(argv)

    runs = []
    for patients in args.sizes:
        for method in args.methods:
            result = measure("bench_waitlist", "run_allocate", patients=patients, method=method,
                             seed=args.seed, time_limit=args.time_limit)
            runs.append({"patients": patients, "method": method, **result})
            tiers = ", ".join(f"{t['priority']} {t['status']}" for t in result["tiers"])
            print(f"allocate {result['waiting']:>7,} waiting, {result['sessions']:>5,} sessions,"
                  f" {method:<9}: {result['allocate_seconds']:7.2f} s (build "
                  f"{result['build_seconds']:.2f} s), booked {result['booked']:,}, peak "
                  f"{result['peak_rss_mib']:.0f} MiB, breaches "
                  f"{result['priority_order_breaches']}" + (f" [{tiers}]" if tiers else ""))
    if args.record:
        path = record("waitlist_allocate", {"seed": args.seed, "time_limit": args.time_limit,
                                            "weeks": WEEKS, "runs": runs})
        print(f"recorded {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
