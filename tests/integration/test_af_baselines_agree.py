"""The benchmark's two baselines give exactly the engine's AF practice counts.

Why: `benchmarks/bench_run_af.py` compares `run af` with a hand-written SQL query and a pandas
implementation; the comparison is only honest if all three compute the same thing. Checked two
ways: on a hand-built population whose counts are worked out below from docs/programmes.md
(every boundary: window edges, same-day resolved code, birthdays, the registration and death
dates, opt-outs; and the QOF rules: eligibility by the latest recorded score, to_assess, AF007
before April 2023 and AF008 after, the care-adjustment windows), and on a small synthetic ICS
at two reference dates, practice by practice.
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from joinedup.domain.codelists import CodeSystem, load_codelist
from joinedup.engines.duckdb import connect
from joinedup.engines.patient_level import practice_counts
from joinedup.engines.tables import create_contract_tables
from joinedup.programmes import PACKAGE_DIR, load_parameters, load_programme, resolve_codelists
from joinedup.sources.synthetic import generate
from joinedup.store import load

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from baselines.af_inputs import PracticeRow, differences, from_engine
from baselines.af_pandas import practice_counts_pandas, read_tables
from baselines.af_sql import practice_counts_sql

AF = load_programme("af")
REF = date(2025, 3, 31)


def engine_counts(db: Path, ref: date) -> dict[str, PracticeRow]:
    con = connect(db, read_only=True)
    try:
        return from_engine(
            practice_counts(con, AF, ref, load_parameters(AF), codelists=resolve_codelists(AF))
        )
    finally:
        con.disconnect()


def baseline_counts(db: Path, ref: date) -> dict[str, dict[str, PracticeRow]]:
    return {
        "sql": practice_counts_sql(str(db), ref),
        "pandas": practice_counts_pandas(read_tables(str(db)), ref),
    }


# --- a hand-built population ---------------------------------------------------------------


def code(name: str, system: CodeSystem = CodeSystem.SNOMED_CT) -> str:
    """The first code of a packaged codelist (the baselines read the packaged lists)."""
    return load_codelist(name, system).ordered[0]


def person(pid: int, born: str, sex: str = "M", practice: str = "P1", **dates: Any) -> dict:
    return {
        "patient_id": pid,
        "nhs_number": f"999{pid:07d}",
        "birth_date": date.fromisoformat(born),
        "sex": sex,
        "ethnicity": "White",
        "lsoa_code": None,
        "imd_decile": 5,
        "practice_code": practice,
        "registered_from": date.fromisoformat(dates.get("registered_from", "2000-01-01")),
        "registered_to": date.fromisoformat(dates["registered_to"])
        if "registered_to" in dates
        else None,
        "date_of_death": date.fromisoformat(dates["died"]) if "died" in dates else None,
        "opted_out": bool(dates.get("opted_out", False)),
    }


def coded(pid: int, day: str, name: str) -> dict:
    return {
        "patient_id": pid,
        "date": date.fromisoformat(day),
        "snomed_code": code(name),
        "numeric_value": None,
    }


def scored(pid: int, day: str, value: float | None) -> dict:
    """A recorded CHA2DS2-VASc score (the observation's numeric_value)."""
    return {**coded(pid, day, "cha2ds2vasc_score"), "numeric_value": value}


def issued(pid: int, day: str, name: str) -> dict:
    return {
        "patient_id": pid,
        "date": date.fromisoformat(day),
        "dmd_code": code(name, CodeSystem.DMD),
    }


ORGANISATIONS = [
    {"org_code": "ICS1", "name": "ICS", "org_type": "ics"},
    {"org_code": "PCN1", "name": "PCN", "org_type": "pcn", "parent_code": "ICS1"},
    {"org_code": "P1", "name": "One", "org_type": "practice", "parent_code": "PCN1"},
    {"org_code": "P2", "name": "Two", "org_type": "practice", "parent_code": "PCN1"},
    {
        "org_code": "P3",
        "name": "Three (no patients)",
        "org_type": "practice",
        "parent_code": "PCN1",
    },
    {
        "org_code": "P4",
        "name": "Four (closed)",
        "org_type": "practice",
        "parent_code": "PCN1",
        "valid_to": date(2024, 12, 31),
    },
    {"org_code": "P5", "name": "Five (QOF rules)", "org_type": "practice", "parent_code": "PCN1"},
]

# At REF (31 March 2025, QOF 2024-25: AF008). Score = the CHA2DS2-VASc computed from the record;
# "elig" = on the register with the latest recorded score >= 2. Every P1 patient called elig has
# their computed score recorded in 2020 (EVENTS), so P1 tests the register, score, window and
# population boundaries as before the QOF rules; P5 (patients 17-24) tests the QOF rules.
PATIENTS = [
    person(1, "1960-03-31"),  # 65 today (A 1) + H 1 = 2: elig; DOAC on 1 Oct 2024: treated
    person(2, "1960-04-01"),  # 64 (A 0) + H + D = 2: elig; DOAC on 30 Sep 2024 is outside
    person(3, "1950-01-01", "F"),  # 75 (A2) + F = 3; resolved same day: stays on; declined
    person(4, "1950-06-01"),  # AF then resolved a day later: off the register
    person(5, "1950-06-01"),  # resolved then AF again: on; 74 (A 1) = 1: not elig
    person(6, "1980-01-01", "F"),  # F + S2 = 3: elig; contraindicated long ago: exception
    person(7, "1980-01-01"),  # C + V = 2: elig; declined exactly 12 months ago: not exception
    person(8, "1940-01-01"),  # AF only after REF: not on the register
    person(9, "1940-01-01", died="2025-03-31"),  # died on REF: not counted
    person(10, "1940-01-01", registered_to="2025-03-31"),  # last day: counted; VKA on REF
    person(11, "1940-01-01", opted_out=True),  # opted out: not counted anywhere
    person(12, "1940-01-01", registered_from="2025-04-01"),  # registers after REF
    person(13, "1940-01-01", "F"),  # A2 + F = 3: treated, so contraindication is no exception
    person(14, "1990-01-01"),  # nothing coded
    person(15, "1940-01-01"),  # A2 = 2: elig; DOAC and hypertension after REF ignored
    person(16, "1960-03-31", practice="P2"),  # 65, nothing coded
    # P5: men born 1 January 1940, on the AF register since 2015, computed score 2 (A2) at REF
    # (aged 85) and at REF_AF007 (83). Recorded scores, anticoagulants and PCAs vary:
    person(17, "1940-01-01", practice="P5"),  # recorded 2; VKA, no DOAC-unsuitable code
    person(18, "1940-01-01", practice="P5"),  # recorded 2; VKA with antiphospholipid syndrome
    person(19, "1940-01-01", practice="P5"),  # recorded 3, then 3 and 1 on one day: latest is 1
    person(20, "1940-01-01", practice="P5"),  # no recorded score (one without a value): assess
    person(21, "1940-01-01", practice="P5"),  # recorded 1 in 2016, 2 in 2024; DOAC in 2025
    person(22, "1940-01-01", practice="P5"),  # recorded 2; anticoagulation not indicated 2023
    person(23, "1940-01-01", practice="P5"),  # recorded 2; warfarin declined, no DOAC-unsuitable
    person(24, "1940-01-01", practice="P5"),  # recorded 2; VKA contraindicated + DOAC unsuitable
]
EVENTS = [
    coded(1, "2020-01-01", "af"),
    coded(1, "2019-01-01", "hypertension"),
    coded(2, "2020-01-01", "af"),
    coded(2, "2019-01-01", "hypertension"),
    coded(2, "2019-01-01", "diabetes"),
    coded(3, "2019-05-05", "af"),
    coded(3, "2019-05-05", "af_resolved"),
    coded(3, "2024-04-01", "anticoag_declined"),
    coded(4, "2018-01-01", "af"),
    coded(4, "2018-01-02", "af_resolved"),
    coded(5, "2017-01-01", "af"),
    coded(5, "2018-01-02", "af_resolved"),
    coded(5, "2019-01-01", "af"),
    coded(6, "2022-01-01", "af"),
    coded(6, "2021-01-01", "stroke_tia_te"),
    coded(6, "2010-01-01", "anticoag_contraindicated"),
    coded(7, "2022-01-01", "af"),
    coded(7, "2022-01-01", "heart_failure"),
    coded(7, "2022-01-01", "vascular_disease"),
    coded(7, "2024-03-31", "anticoag_declined"),
    coded(8, "2025-04-01", "af"),
    *(coded(pid, "2015-01-01", "af") for pid in (9, 10, 11, 12, 13, 15)),
    coded(13, "2015-01-01", "anticoag_contraindicated"),
    coded(15, "2025-04-02", "hypertension"),
    # P1's eligible patients have their computed score recorded (QOF AF008's denominator).
    *(scored(pid, "2020-01-01", 2) for pid in (1, 2, 7, 10, 15)),
    *(scored(pid, "2020-01-01", 3) for pid in (3, 6, 13)),
    coded(10, "2015-01-01", "doac_unsuitable"),  # so AF008 counts 10's VKA on REF
    # P5
    *(coded(pid, "2015-01-01", "af") for pid in range(17, 25)),
    *(scored(pid, "2016-01-01", 2) for pid in (17, 18, 22, 23, 24)),
    coded(18, "2016-01-01", "doac_unsuitable"),
    scored(19, "2016-01-01", 3),
    scored(19, "2020-01-01", 3),
    scored(19, "2020-01-01", 1),
    scored(20, "2016-01-01", None),
    scored(21, "2016-01-01", 1),
    scored(21, "2024-01-01", 2),
    coded(22, "2023-01-01", "anticoag_not_indicated"),
    coded(23, "2025-01-01", "vka_declined"),
    coded(24, "2010-01-01", "vka_contraindicated"),
    coded(24, "2010-01-01", "doac_unsuitable"),
]
MEDICATIONS = [
    issued(1, "2024-10-01", "doac"),
    issued(2, "2024-09-30", "doac"),
    issued(10, "2025-03-31", "vka"),
    issued(13, "2025-01-01", "doac"),
    issued(15, "2025-04-01", "doac"),
    *(issued(pid, day, "vka") for pid in (17, 18) for day in ("2023-03-01", "2025-03-01")),
    issued(19, "2025-03-01", "doac"),
    issued(21, "2025-02-01", "doac"),
]


def prevalence(sex: str, age: int) -> float:
    """The packaged AF prevalence for one sex and age, read straight from its CSV."""
    path = PACKAGE_DIR / "af" / "parameters" / "af_prevalence.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            top = int(row["age_to"]) if row["age_to"] else 999
            if row["sex"] == sex and int(row["age_from"]) <= age <= top:
                return float(row["prevalence"])
    raise AssertionError(f"no band for {sex} {age}")


P1_AGES = [
    ("M", 65),
    ("M", 64),
    ("F", 75),
    ("M", 74),
    ("M", 74),
    ("F", 45),
    ("M", 45),
    ("M", 85),
    ("M", 85),
    ("F", 85),
    ("M", 35),
    ("M", 85),
]
HAND = {
    "P1": PracticeRow(
        list_size=12,
        expected=round(sum(prevalence(s, a) for s, a in P1_AGES), 6),
        recorded=9,  # 1, 2, 3, 5, 6, 7, 10, 13, 15
        eligible=8,  # 1, 2, 3, 6, 7, 10, 13, 15
        treated=3,  # 1, 10, 13
        exceptions=2,  # 3 (declined within 12 months), 6 (contraindicated)
        to_assess=0,  # 5 has no recorded score but scores 1
        risk_counts={2: (5, 2), 3: (3, 1)},  # score 2: 1 2 7 10 15; score 3: 3 6 13
    ),
    "P2": PracticeRow(
        list_size=1,
        expected=prevalence("M", 65),
        recorded=0,
        eligible=0,
        treated=0,
        exceptions=0,
        to_assess=0,
        risk_counts={},
    ),
    "P3": PracticeRow(
        list_size=0, expected=0.0, recorded=0, eligible=0, treated=0, exceptions=0, to_assess=0,
        risk_counts={},
    ),
    "P5": PracticeRow(
        list_size=8,
        expected=round(8 * prevalence("M", 85), 6),
        recorded=8,  # 17-24
        eligible=6,  # 17 18 21 22 23 24 (19's latest recorded is 1; 20 has none)
        treated=2,  # 18 (VKA, DOAC unsuitable), 21 (DOAC); not 17 (VKA alone, AF008)
        exceptions=1,  # 24; not 22 (not indicated 27 months ago), not 23 (warfarin-only code)
        to_assess=1,  # 20
        risk_counts={2: (6, 2)},
    ),
}

# The same P5 at 31 March 2023, the last day of QOF 2022-23 (AF007: any anticoagulant).
REF_AF007 = date(2023, 3, 31)
HAND_AF007 = {
    "P5": PracticeRow(
        list_size=8,
        expected=round(8 * prevalence("M", 83), 6),
        recorded=8,
        eligible=5,  # 17 18 22 23 24 (21's latest recorded is still 1; 19's 1; 20 none)
        treated=2,  # 17 and 18 (VKA issued 1 March 2023): AF007 counts a VKA alone
        exceptions=2,  # 22 (not indicated 3 months ago), 24; 23 declines only in 2025
        to_assess=1,  # 20
        risk_counts={2: (5, 2)},
    ),
}


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hand") / "store.duckdb"
    con = connect(db)
    create_contract_tables(
        con,
        {
            "organisations": ORGANISATIONS,
            "patients": PATIENTS,
            "clinical_events": EVENTS,
            "medications": MEDICATIONS,
        },
    )
    con.disconnect()
    return db


def test_the_engine_gives_the_hand_worked_counts(hand_store: Path) -> None:
    assert differences(HAND, engine_counts(hand_store, REF)) == []


@pytest.mark.parametrize("baseline", ["sql", "pandas"])
def test_each_baseline_gives_the_hand_worked_counts(hand_store: Path, baseline: str) -> None:
    assert differences(HAND, baseline_counts(hand_store, REF)[baseline]) == []


def test_all_three_follow_af007_before_april_2023(hand_store: Path) -> None:
    def p5(counts: dict[str, PracticeRow]) -> dict[str, PracticeRow]:
        return {code: row for code, row in counts.items() if code == "P5"}

    assert differences(HAND_AF007, p5(engine_counts(hand_store, REF_AF007))) == []
    for name, counts in baseline_counts(hand_store, REF_AF007).items():
        assert differences(HAND_AF007, p5(counts)) == [], name


def test_a_wrong_count_is_reported() -> None:
    wrong = dict(HAND)
    wrong["P1"] = PracticeRow(**{**HAND["P1"], "treated": 4, "risk_counts": {2: (5, 3)}})
    wrong["P2"] = PracticeRow(**{**HAND["P2"], "expected": HAND["P2"]["expected"] + 1e-6})
    del wrong["P3"]
    assert differences(HAND, wrong) == [
        "P3: missing",
        "P1: treated 4 != 3",
        "P1: risk_counts {2: (5, 3)} != {2: (5, 2), 3: (3, 1)}",
        f"P2: expected {wrong['P2']['expected']!r} != {HAND['P2']['expected']!r}",
    ]


# --- a small synthetic ICS -----------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    generate(root / "source", patients=25_000, seed=11, density="programme")
    load(root / "source", root / "store.duckdb", today=date(2026, 3, 31))
    return root / "store.duckdb"


# The generator's extract date, and a date with records after it whose 6-month window starts on
# a clamped leap day (31 August 2024 - 6 months = 29 February 2024).
@pytest.mark.slow
@pytest.mark.parametrize("ref", [date(2026, 3, 31), date(2024, 8, 31)])
def test_both_baselines_match_the_engine_practice_by_practice(
    synthetic_store: Path, ref: date
) -> None:
    engine = engine_counts(synthetic_store, ref)
    assert len(engine) > 100
    assert sum(r["eligible"] for r in engine.values()) > 100  # the rules have work to do
    for name, counts in baseline_counts(synthetic_store, ref).items():
        assert differences(engine, counts) == [], name
