"""Page response times of the dashboard: the footprint overview and a practice's worklist.

Issue 10 asks for the response times of the footprint overview and a worklist at 2.6 M patients.
Run from the repository root:

    .venv/bin/python benchmarks/bench_dashboard.py --patients 2600000 --record
    .venv/bin/python benchmarks/bench_dashboard.py --patients 300000

The store is bench_run_af's (benchmarks/work/run_af-<patients>-seed<seed>/, generated and loaded
if missing, reused otherwise). One child interpreter (harness.py) builds the web app over it with
a fresh operational store and one user per role it needs, and asks for each page through
Starlette's in-process test client: the whole app (middleware, authentication by API token,
the use cases, templates) without a network or a browser, so the times are the server's. For
each page it records the first request after start-up (cold: the run, exact or published, or the
practice's patient flags, is computed) and the median and maximum of `--repeat` later requests
(warm: from the dashboard's cache; a worklist still writes its audit row on every view). Pages:

- the AF footprint overview (`/find-and-treat/af`) as an ICS analyst (exact figures) and as a
  board viewer (published: `domain.publication.publish_run`, suppression and rounding);
- the AF "to treat" worklist of the practice ranked first (the longest list) as its practice user.

`--record` writes results/dashboard_<patients>.json and this benchmark's section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_run_af import RESULTS_MD, warm_file_cache, work_folder
from harness import machine, measure, record

PAGES: tuple[tuple[str, str, str], ...] = (
    # (key, label, user)
    ("overview_exact", "footprint overview, ICS analyst (exact)", "analyst"),
    ("overview_published", "footprint overview, board viewer (published)", "board"),
    ("worklist", "worklist to treat, first-ranked practice, its practice user", "practice"),
)


def serve_pages(db_path: str, repeat: int) -> dict[str, Any]:
    """In a child interpreter: the app over the store, each page timed cold and warm."""
    from fastapi.testclient import TestClient

    from joinedup.app.serve import ServeSettings, open_services
    from joinedup.domain.roles import Role
    from joinedup.web.app import create_app

    timings: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as ops_dir:
        settings = ServeSettings(db=Path(db_path), ops_url=f"sqlite:///{ops_dir}/ops.sqlite")
        services = open_services(settings)
        start = time.perf_counter()
        app = create_app(settings, services)
        timings["start_up_s"] = time.perf_counter() - start
        client = TestClient(app, base_url="https://testserver", follow_redirects=False)
        accounts = services.store.accounts

        def as_user(name: str, role: Role, org: str | None = None) -> dict[str, str]:
            accounts.add(name, role, org, None)
            return {"Authorization": f"Bearer {accounts.issue_token(name)}"}

        headers = {"analyst": as_user("analyst", Role.ICS_ANALYST),
                   "board": as_user("board", Role.BOARD_VIEWER)}
        paths = {"overview_exact": "/find-and-treat/af", "overview_published": "/find-and-treat/af"}
        for key, _label, user in PAGES:
            if key == "worklist":  # the first-ranked practice, from the (now cached) exact run
                table = client.get("/api/programmes/af/tables/practices",
                                   headers=headers["analyst"]).json()
                code = next(r["practice_code"] for r in table["rows"] if r["rank"] == 1)
                headers["practice"] = as_user("practice", Role.PRACTICE_USER, code)
                paths["worklist"] = f"/practices/{code}/worklists/af/to-treat"
                timings["worklist_practice"] = code
            times = []
            for _ in range(repeat + 1):
                start = time.perf_counter()
                response = client.get(paths[key], headers=headers[user])
                times.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"{paths[key]}: HTTP {response.status_code}")
            timings[key] = {"cold_s": times[0], "warm_median_s": statistics.median(times[1:]),
                            "warm_max_s": max(times[1:]), "bytes": len(response.content)}
            if key == "worklist":
                timings[key]["patients_listed"] = max(0,  # less the header row
                    response.text.count('<tr class="nhsuk-table__row') - 1)
        services.close()
    return timings


def section(patients: int, seed: int, result: dict[str, Any], repeat: int) -> str:
    m = result["machine"]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"<!-- dashboard_{patients} -->",
        f"## Dashboard page response times, {patients:,} patients (issue 10)",
        "",
        f"Measured {when} on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python "
        f"{m['python']}; load average {result['load_average']:.1f} when it started (the machine "
        "is shared; a load above 2 on 2 cores makes these upper bounds). Seed "
        f"{seed}. Command: `.venv/bin/python benchmarks/bench_dashboard.py --patients {patients} "
        f"--record` (raw numbers: `results/dashboard_{patients}.json`). The app runs in one "
        "process and each page is asked for through the in-process test client (no network, no "
        "browser): cold is the first request after start-up, which computes the run or the "
        f"practice's patient flags; warm is the median (and maximum) of the next {repeat}.",
        "",
        "| page | cold (s) | warm median (s) | warm max (s) | page size (KiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label, _user in PAGES:
        t = result["pages"][key]
        lines.append(f"| {label} | {t['cold_s']:.2f} | {t['warm_median_s']:.3f} | "
                     f"{t['warm_max_s']:.3f} | {t['bytes'] / 1024:.0f} |")
    w = result["pages"]["worklist"]
    lines += [
        "",
        f"Peak RSS of the server process {result['peak_rss_mib']:,.0f} MiB. The worklist is "
        f"practice {result['pages']['worklist_practice']}'s ({w.get('patients_listed', 0):,} "
        "rows on the page).",
        f"<!-- /dashboard_{patients} -->",
    ]
    return "\n".join(lines)


def write_section(patients: int, text: str) -> None:
    body = RESULTS_MD.read_text(encoding="utf-8")
    begin, end = f"<!-- dashboard_{patients} -->", f"<!-- /dashboard_{patients} -->"
    if begin in body and end in body:
        head, rest = body.split(begin, 1)
        body = head + text + rest.split(end, 1)[1]
    else:
        body = body.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS_MD.write_text(body, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=2_600_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="rebuild the store")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    folder = work_folder(args.patients, args.seed, args.fresh)
    store = folder / "store.duckdb"
    warm_file_cache(store)
    load = float(Path("/proc/loadavg").read_text().split()[0])
    pages = measure("bench_dashboard", "serve_pages", db_path=str(store), repeat=args.repeat)
    result = {"patients": args.patients, "seed": args.seed, "repeat": args.repeat,
              "load_average": load, "machine": machine(),
              "peak_rss_mib": pages.pop("peak_rss_mib"), "total_s": pages.pop("seconds"),
              "pages": pages}
    text = section(args.patients, args.seed, result, args.repeat)
    print(text)
    if args.record:
        record(f"dashboard_{args.patients}", {k: v for k, v in result.items() if k != "machine"})
        write_section(args.patients, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
