"""`load` and `import` killed with SIGKILL at seeded random moments: the store survives every time.

Issue 9, item 11. A child process loads (or imports) over a good store and is killed outright,
with no chance to clean up, at a moment drawn from a seeded generator across the whole run.
After every kill the store must open (``joinedup.store.connect``, which also catches a copy cut
short) and hold either the previous data, byte for byte, or the new data complete (when the
kill came after the atomic rename). The temporary files a kill leaves must not get in the way:
the next run sweeps them, and after a final clean run the folder holds only the store and its
rejects CSV. The counts of each outcome are printed (run with ``-s``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from fuzz_support import digest

from joinedup.app.imports import import_qof
from joinedup.domain.nhs_number import is_valid
from joinedup.sources.qof import demo_data as demo
from joinedup.store import connect, load

KILLS = int(os.environ.get("KILLS", 12))
TODAY = "2025-01-01"
CHILD = """
import json, sys
from datetime import date
job = json.loads(sys.argv[1])
if job["kind"] == "load":
    from joinedup.store import load
    print("ready", flush=True)
    load(job["source"], job["db"], today=date.fromisoformat(job["today"]))
else:
    from joinedup.app.imports import import_qof
    print("ready", flush=True)
    import_qof(job["db"], **job["files"])
print("done", flush=True)
"""
def nhs_numbers(count: int) -> list[str]:
    """Valid NHS numbers from the synthetic 9-range, as many as asked."""
    out: list[str] = []
    stem = 900000000
    while len(out) < count:
        out += [n for n in (f"{stem}{d}" for d in range(10)) if is_valid(n)]
        stem += 1
    return out[:count]


def extract(folder: Path, patients: int) -> Path:
    """A valid extract big enough that a load takes a moment: patients and two events each."""
    folder.mkdir()
    (folder / "organisations.csv").write_text(
        "org_code,name,org_type,parent_code,valid_from,valid_to\nICS1,The ICS,ics,,,\n"
        "PL1,A place,place,ICS1,,\nPCN1,A PCN,pcn,PL1,,\nP1,Practice one,practice,PCN1,,\n"
        "P2,Practice two,practice,PCN1,,\n", encoding="utf-8")
    numbers = nhs_numbers(patients)
    with (folder / "patients.csv").open("w", encoding="utf-8") as out:
        out.write("patient_id,nhs_number,birth_date,sex,ethnicity,lsoa_code,imd_decile,"
                  "practice_code,registered_from,registered_to,date_of_death,opted_out\n")
        for i, nhs in enumerate(numbers, 1):
            out.write(f"{i},{nhs},19{30 + i % 70}-0{1 + i % 9}-1{i % 10},{'FM'[i % 2]},White,,"
                      f"{1 + i % 10},P{1 + i % 2},2000-01-01,,,false\n")
    with (folder / "clinical_events.csv").open("w", encoding="utf-8") as out:
        out.write("patient_id,date,snomed_code,numeric_value\n")
        for i in range(1, patients + 1):
            out.write(f"{i},2020-01-01,49436004,\n{i},2021-06-01,271649006,142.5\n")
    return folder


def spawn(job: dict[str, object]) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(job)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def timed_run(job: dict[str, object]) -> float:
    """How long a whole run takes once the child is ready: the window kills are drawn from."""
    child = spawn(job)
    start = time.monotonic()
    assert child.stdout is not None and child.stdout.readline().strip() == "done"
    child.wait()
    return time.monotonic() - start


def kill_at_random(rng: random.Random, job: dict[str, object], window: float) -> float:
    """Kill a fresh run at a seeded moment: anywhere in the run, or (every other time) in its
    last part, where the new database is being written and renamed into place."""
    child = spawn(job)
    moment = window * (rng.uniform(0, 1.05) if rng.random() < 0.5 else rng.uniform(0.6, 1.05))
    time.sleep(moment)
    child.send_signal(signal.SIGKILL)
    child.wait()
    return moment


def patients_in(db: Path) -> int:
    with connect(db) as con:  # raises StoreError if the store does not open or is cut short
        row = con.execute("SELECT count(*) FROM patients").fetchone()
    assert row is not None
    return int(row[0])


def practices_in(db: Path) -> set[str]:
    with connect(db) as con:
        return {r[0] for r in con.execute(
            "SELECT DISTINCT practice_code FROM qof_prevalence").fetchall()}


def strays(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def kill_many(rng: random.Random, job: dict[str, object], window: float, db: Path,
              held: Callable[[Path], object], old: object, new: object) -> Counter[str]:
    """KILLS runs of ``job`` killed at seeded moments; after each, the store must hold the
    previous data byte for byte or the new data complete (``held`` reads what it holds)."""
    outcomes: Counter[str] = Counter()
    expected = old
    for _ in range(KILLS):
        before = digest(db)
        moment = kill_at_random(rng, job, window)
        if digest(db) == before:
            outcomes["previous store byte-identical"] += 1
            assert held(db) == expected, moment
        else:  # killed after the atomic rename: the new store, complete
            outcomes["new store complete"] += 1
            assert held(db) == new, moment
            expected = new
            window = min(window, moment)  # runs are quicker now: aim the next kills inside one
        outcomes["temporary files left by the kill"] += bool(strays(db.parent, {
            db.name, db.with_name(f"{db.stem}.rejects.csv").name}))
    assert outcomes["previous store byte-identical"] >= 1, outcomes
    return outcomes


def test_load_killed_at_random_moments_leaves_a_store_that_opens(tmp_path: Path) -> None:
    old_src, new_src = extract(tmp_path / "old", 6_000), extract(tmp_path / "new", 5_000)
    out = tmp_path / "store"
    out.mkdir()
    db = out / "ics.duckdb"
    job = {"kind": "load", "source": str(new_src), "db": str(db), "today": TODAY}
    load(old_src, db)
    window = timed_run(job)  # a load that finishes: the store now holds the new data
    assert patients_in(db) == 5_000
    load(old_src, db)
    outcomes = kill_many(random.Random("kill-load-2026-12"), job, window, db, patients_in,
                         6_000, 5_000)
    load(new_src, db)  # the next load sweeps what the kills left
    assert strays(out, {"ics.duckdb", "ics.rejects.csv"}) == []
    assert patients_in(db) == 5_000
    print(f"load killed {KILLS} times (window {window:.2f} s): {dict(outcomes)}")


@pytest.fixture
def qof_files(tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The packaged West Yorkshire 2019-20 files, and the same without their last 90 practices."""
    old = {"prevalence": str(demo.PREVALENCE), "geography": str(demo.GEOGRAPHY),
           "ages": str(demo.AGES), "imd": str(demo.IMD)}
    lines = demo.PREVALENCE.read_text(encoding="utf-8").splitlines(keepends=True)
    fewer = tmp_path / "PREVALENCE_1920.csv"
    kept_practices = sorted({line.split(",")[0] for line in lines[1:]})[:200]
    fewer.write_text(lines[0] + "".join(line for line in lines[1:]
                                         if line.split(",")[0] in kept_practices),
                     encoding="utf-8")
    return old, {**old, "prevalence": str(fewer)}


def test_import_killed_at_random_moments_leaves_a_store_that_opens(
    tmp_path: Path, qof_files: tuple[dict[str, str], dict[str, str]]
) -> None:
    old, new = qof_files
    out = tmp_path / "store"
    out.mkdir()
    db = out / "qof.duckdb"
    job = {"kind": "import", "db": str(db), "files": new}
    import_qof(db, **old)
    old_practices = practices_in(db)
    window = timed_run(job)
    new_practices = practices_in(db)
    assert len(new_practices) == 200 < len(old_practices)
    import_qof(db, **old)
    outcomes = kill_many(random.Random("kill-import-2026-12"), job, window, db, practices_in,
                         old_practices, new_practices)
    import_qof(db, **new)  # the next import sweeps what the kills left
    assert strays(out, {"qof.duckdb", "qof.rejects.csv"}) == []
    assert practices_in(db) == new_practices
    print(f"import killed {KILLS} times (window {window:.2f} s): {dict(outcomes)}")
