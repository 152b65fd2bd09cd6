"""`load` fed hundreds of mutated contract files: counts that add up, or one clean refusal.

Issue 9, item 11. A small valid extract is loaded once; then, case by case, one of its files is
replaced by a mutation of itself (``fuzz_support``; CSV mostly, Parquet in some cases) and
loaded over the previous store. Each case must end in a report whose counts add up when
counted again from the database, the rejects CSV and the file itself, or in a one-line
``UserError`` that left the previous store and rejects CSV byte for byte as they were and no
temporary file behind. Every case is seeded by its number: ``CASES`` and ``SEED`` reproduce it.
"""

from __future__ import annotations

import csv
import io
import os
import random
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fuzz_support import (
    MUTATIONS,
    Tally,
    csv_records,
    csv_rejects,
    digest,
    mutate,
    refused,
    rejects_in,
    rows_in_table,
    same_store,
)

from joinedup.domain.contract import TABLES
from joinedup.store import LoadReport, load

SEED = "load-2026-12"
CASES = int(os.environ.get("FUZZ_CASES", 360))
TODAY = date(2025, 1, 1)
NHS = ("9000000009", "9000000017", "9000000025", "9000000033", "9000000041", "9000000068",
       "9000000076", "9000000084", "9000000092", "9000000106")
BASE: dict[str, str] = {
    "organisations": (
        "org_code,name,org_type,parent_code,valid_from,valid_to\n"
        "ICS1,The ICS,ics,,,\nPL1,A place,place,ICS1,,\nPCN1,A PCN,pcn,PL1,,\n"
        "P1,Practice one,practice,PCN1,2020-04-01,\nP2,Practice two,practice,PCN1,,\n"
        "T1,A trust,trust,ICS1,,\n"
    ),
    "patients": (
        "patient_id,nhs_number,birth_date,sex,ethnicity,lsoa_code,imd_decile,practice_code,"
        "registered_from,registered_to,date_of_death,opted_out\n"
        + "".join(f"{i},{NHS[i - 1]},19{40 + i}-0{1 + i % 9}-1{i % 10},{'FM'[i % 2]},White,"
                  f"E0100000{i % 10},{1 + i % 10},P{1 + i % 2},2000-01-01,,,{i % 3 == 0}\n"
                  for i in range(1, 11))
    ),
    "clinical_events": (
        "patient_id,date,snomed_code,numeric_value\n"
        + "".join(f"{1 + i % 10},2020-0{1 + i % 9}-01,{49436004 + i},{'' if i % 2 else 142.5}\n"
                  for i in range(12))
    ),
    "medications": (
        "patient_id,date,dmd_code\n"
        + "".join(f"{1 + i % 10},2021-0{1 + i % 9}-15,1353291100000110{i % 10}\n"
                  for i in range(10))
    ),
    "encounters": (
        "encounter_id,patient_id,org_code,kind,start,end,snomed_code\n"
        + "".join(f"{i},{1 + i % 10},T1,admission,2020-01-0{1 + i % 8} 10:00:00,"
                  f"2020-01-0{2 + i % 8}T12:30:00,\n" for i in range(1, 9))
    ),
    "waiting_list": (
        "referral_id,patient_id,trust_code,specialty,procedure_code,priority,clock_start,"
        "expected_minutes,status\n"
        + "".join(f"{i},{i},T1,T&O,W401,P{1 + i % 4},2024-06-0{i},90,waiting\n"
                  for i in range(1, 9))
    ),
}
WEIGHTS = {"organisations": 3, "patients": 4, "clinical_events": 3, "medications": 2,
           "encounters": 2, "waiting_list": 2}


def parquet_mutation(rng: random.Random, text: str) -> tuple[bytes, str]:
    """A Parquet file of the table gone wrong: cut short, noisy bytes, or the wrong types."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    columns = {h: [r[i] if i < len(r) else None for r in body] for i, h in enumerate(header)}
    kind = rng.choice(("text", "retyped", "truncated", "noise"))
    if kind == "retyped":  # one column as numbers, a list or a timestamp, not what it should be
        victim = rng.choice(header)
        columns[victim] = rng.choice((
            [rng.randint(-5, 10**12) for _ in body], [[1, 2] for _ in body],
            [float("nan") for _ in body], [None for _ in body],
        ))
    table = pa.table({h: pa.array(v) for h, v in columns.items()})
    out = io.BytesIO()
    pq.write_table(table, out)
    data = out.getvalue()
    if kind == "truncated":
        data = data[: rng.randrange(len(data))]
    if kind == "noise":
        data = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data)
    return data, f"parquet_{kind}"


def check_report(report: LoadReport, db: Path, rejects: Path, expected_rows: dict[str, int | None],
                 where: str) -> None:
    """Counts again, from the database, the rejects CSV and the files, and they must agree."""
    listed = rejects_in(db)
    for t in report.tables:
        assert t.rows_in == t.loaded + t.rejected, where
        assert rows_in_table(db, t.table) == t.loaded, (where, t.table)
        assert listed[t.table] == t.rejected, (where, t.table)
        wanted = expected_rows.get(t.table)
        if wanted is not None:
            assert t.rows_in == wanted, (where, t.table, t.rows_in, wanted)
    assert csv_rejects(rejects) == report.rejected, where


def folder_for(src: Path, name: str) -> list[str]:
    """The files a case loads: the two required tables, the mutated one, and one that refers
    to a mutated required table (so rejections cascade). Fewer files, faster cases."""
    tables = ["organisations", "patients"]
    tables.append("clinical_events" if name in tables else name)
    for table in BASE:
        (src / f"{table}.csv").unlink(missing_ok=True)
        (src / f"{table}.parquet").unlink(missing_ok=True)
    for table in tables:
        (src / f"{table}.csv").write_text(BASE[table], encoding="utf-8")
    return tables


def run_cases(tmp_path: Path, first: int, last: int) -> Tally:
    """Cases ``first`` to ``last - 1``, each over the store the previous case left."""
    src = tmp_path / "extract"
    src.mkdir()
    out = tmp_path / "store"
    out.mkdir()
    db, rejects = out / "ics.duckdb", out / "ics.rejects.csv"
    folder_for(src, "organisations")
    assert load(src, db, today=TODAY).rejected == 0  # the base extract is clean
    tally = Tally()
    names = [t.name for t in TABLES]
    for case in range(first, last):
        rng = random.Random(f"{SEED}-{case}")
        name = rng.choices(names, weights=[WEIGHTS[n] for n in names])[0]
        tables = folder_for(src, name)
        if rng.random() < 0.1:
            data, how = parquet_mutation(rng, BASE[name])
            mutations: tuple[str, ...] = (how,)
            (src / f"{name}.csv").unlink()
            target = src / f"{name}.parquet"
        else:
            data, mutations = mutate(rng, BASE[name])
            target = src / f"{name}.csv"
        target.write_bytes(data)
        where = f"case {case} ({SEED}): {name} {'+'.join(mutations)}"
        before, rejects_before = digest(db), digest(rejects)
        try:
            report = load(src, db, today=TODAY)
        except Exception as exc:  # the kind of exception is what is being checked
            tally.outcomes[refused(exc, where)] += 1
            same_store(db, before, rejects, rejects_before, where)
        else:
            tally.outcomes["loaded"] += 1
            expected = {t: BASE_ROWS[t] if t in tables else 0 for t in BASE}
            expected[name] = csv_records(data) if target.suffix == ".csv" else None
            check_report(report, db, rejects, expected, where)
        tally.mutations.update(mutations)
        tally.files[name] += 1
    return tally


BASE_ROWS = {name: len(text.splitlines()) - 1 for name, text in BASE.items()}
HALF = CASES // 2


@pytest.mark.parametrize(("first", "last"), [(0, HALF), (HALF, CASES)], ids=["a", "b"])
def test_mutated_files_load_with_counts_that_add_up_or_are_refused_cleanly(
    tmp_path: Path, first: int, last: int
) -> None:
    tally = run_cases(tmp_path, first, last)
    assert tally.cases == last - first
    # The cases reach every outcome, mutation and file (the seed fixes the counts).
    assert len(tally.outcomes) == 3 and min(tally.outcomes.values()) >= 10, tally.outcomes
    csv_kinds = {m: n for m, n in tally.mutations.items() if not m.startswith("parquet")}
    assert len(csv_kinds) == len(MUTATIONS) and min(csv_kinds.values()) >= 3, tally.mutations
    assert sum(tally.mutations.values()) - sum(csv_kinds.values()) >= 10, tally.mutations
    assert set(tally.files) == {t.name for t in TABLES}, tally.files
    print(f"load fuzz {first}-{last}: {tally.cases} mutated files; {dict(tally.outcomes)}; "
          f"{dict(tally.mutations)}")
