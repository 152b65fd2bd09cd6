"""DuckDB and Spark agree, patient by patient and practice by practice, on generated populations.

The specs check each rule on populations written by hand; this property test lets Hypothesis
write the populations (seeded, a bounded number of small ones) and checks that the two engines
give the same practice measure rows (with each practice's counts by risk score) for AF and
hypertension, whose rules between them use every kind of criterion. Dates cluster on the
boundaries the rules care about (the reference date, the day either side, birthdays on the
date, a leap day, the edges of the 6- and 12-month windows).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spec_engines import DuckDBEngine, SparkEngine
from spec_support import CODE, REF, Spec, patient

from joinedup.programmes import load_programme

HYPERTENSION = load_programme("hypertension")
EDGES = [
    REF - timedelta(days=1), REF, REF + timedelta(days=1),
    date(2024, 9, 30), date(2024, 10, 1),  # 6 months before REF, and the day after
    date(2024, 3, 31), date(2024, 4, 1),  # 12 months
    date(2024, 2, 29),
]
days = st.one_of(st.sampled_from(EDGES), st.dates(date(2010, 1, 1), date(2025, 6, 30)))
births = st.one_of(
    st.sampled_from([date(1950, 3, 31), date(1950, 4, 1), date(1960, 3, 31), date(1948, 2, 29),
                     date(2007, 3, 31)]),
    st.dates(date(1915, 1, 1), date(2024, 12, 31)),
)
SNOMED = [name for name, code in CODE.items() if code.startswith("100")]
DMD = [name for name, code in CODE.items() if code.startswith("900")]


@st.composite
def populations(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    n = draw(st.integers(1, 12))
    patients = []
    for pid in range(1, n + 1):
        row = patient(
            pid,
            born="2000-01-01",
            sex=draw(st.sampled_from(["F", "M"])),
            practice=draw(st.sampled_from(["P1", "P2", "P3"])),
            opted_out=draw(st.booleans()),
            imd=draw(st.one_of(st.none(), st.integers(1, 10))),
        )
        row["birth_date"] = draw(births)
        row["registered_from"] = draw(days)
        row["registered_to"] = draw(st.one_of(st.none(), days))
        row["date_of_death"] = draw(st.one_of(st.none(), st.none(), days))
        patients.append(row)
    ids = st.integers(1, n)
    events = [
        {"patient_id": draw(ids), "date": draw(days), "snomed_code": CODE[name],
         "numeric_value": draw(st.one_of(st.none(), st.integers(50, 200).map(float)))}
        for name in draw(st.lists(st.sampled_from(SNOMED), max_size=30))
    ]
    medications = [
        {"patient_id": draw(ids), "date": draw(days), "dmd_code": CODE[name]}
        for name in draw(st.lists(st.sampled_from(DMD), max_size=10))
    ]
    return {"patients": patients, "events": events, "medications": medications}


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(population=populations())
def test_duckdb_and_spark_give_the_same_practice_rows(
    spark_session: Any, population: dict[str, list[dict[str, Any]]]
) -> None:
    duckdb = Spec(DuckDBEngine(), **population)
    spark = Spec(SparkEngine(spark_session), **population)
    assert spark.counts() == duckdb.counts()
    duckdb.programme = spark.programme = HYPERTENSION
    assert spark.counts() == duckdb.counts()
