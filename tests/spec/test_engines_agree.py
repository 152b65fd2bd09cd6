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
past = st.one_of(st.sampled_from(EDGES), st.dates(date(2010, 1, 1), REF))
recent = st.one_of(st.sampled_from(EDGES), st.dates(REF - timedelta(days=400), REF))
births = st.one_of(
    st.sampled_from([date(1950, 3, 31), date(1950, 4, 1), date(1960, 3, 31), date(1948, 2, 29),
                     date(2007, 3, 31)]),
    st.dates(date(1915, 1, 1), date(2024, 12, 31)),
)
SNOMED = [name for name, code in CODE.items() if code.startswith("100")]
DMD = [name for name, code in CODE.items() if code.startswith("900")]
VALUES = {
    "cha2ds2vasc_score": st.sampled_from([0, 1, 2, 3, 5]),
    "systolic_bp": st.sampled_from([120, 139, 140, 141, 150, 151, 170]),
    "diastolic_bp": st.sampled_from([80, 89, 90, 91, 100]),
}
"""Readings get values in their own range, on the rules' thresholds; other codes carry none."""
STORIES = {
    # Each patient follows one story, so most populations have patients in every count: the
    # codes it must have, then those it may have. Then a few codes of any kind on any day.
    "af": (["af", "cha2ds2vasc_score", "doac"], ["vka", "doac_unsuitable", "af_resolved"]),
    "af declined": (["af", "cha2ds2vasc_score", "anticoag_declined"],
                    ["doac", "anticoag_contraindicated"]),
    "hypertension": (["hypertension", "systolic_bp", "diastolic_bp"],
                     ["antihypertensive", "hypertension_resolved", "systolic_bp"]),
}
WHEN = {"af": past, "hypertension": past, "hypertension_resolved": past, "af_resolved": past,
        "doac_unsuitable": past, "cha2ds2vasc_score": past}
"""Diagnoses any time before; readings, issues and declines mostly in the rules' windows."""


def one_in_four(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> Any:
    """A value for one patient in four (an end of registration, a death), else None."""
    return draw(values) if draw(st.sampled_from([False, False, False, True])) else None


def _coded(draw: st.DrawFn, pid: int, name: str, when: date) -> tuple[str, dict[str, Any]]:
    if name in DMD:
        return "medications", {"patient_id": pid, "date": when, "dmd_code": CODE[name]}
    value = draw(VALUES[name]) if name in VALUES else None
    return "events", {"patient_id": pid, "date": when, "snomed_code": CODE[name],
                      "numeric_value": None if value is None else float(value)}


@st.composite
def populations(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {"patients": [], "events": [], "medications": []}
    for pid in range(1, draw(st.integers(4, 12)) + 1):
        row = patient(
            pid,
            sex=draw(st.sampled_from(["F", "M"])),
            practice=draw(st.sampled_from(["P1", "P2", "P3"])),
            opted_out=draw(st.sampled_from([False, False, False, True])),
            imd=draw(st.one_of(st.none(), st.integers(1, 10))),
        )
        row["birth_date"] = draw(births)
        row["registered_from"] = draw(st.sampled_from([date(2000, 1, 1), None])) or draw(days)
        row["registered_to"] = one_in_four(draw, days)
        row["date_of_death"] = one_in_four(draw, days)
        tables["patients"].append(row)
        must, may = list(STORIES.values())[pid % len(STORIES)]  # every story in every population
        coded = [(name, WHEN.get(name, recent)) for name in must]
        coded += [(name, WHEN.get(name, recent)) for name in may if draw(st.booleans())]
        coded += draw(st.lists(st.tuples(st.sampled_from(SNOMED + DMD), st.just(days)),
                               max_size=3))
        for name, dates in coded:
            table, value = _coded(draw, pid, name, draw(dates))
            tables[table].append(value)
    return tables


EXAMPLES = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""Few examples (the same ones every run: tests/conftest.py's profile), as each costs seconds
of Spark planning."""


@EXAMPLES
@given(population=populations())
def test_duckdb_and_spark_give_the_same_practice_rows(
    spark_session: Any, population: dict[str, list[dict[str, Any]]]
) -> None:
    duckdb = Spec(DuckDBEngine(), **population)
    spark = Spec(SparkEngine(spark_session), **population)
    assert spark.counts() == duckdb.counts()
    duckdb.programme = spark.programme = HYPERTENSION
    assert spark.counts() == duckdb.counts()


def test_the_generated_populations_reach_every_count() -> None:
    """The examples above put patients in every count on DuckDB (so the engines are compared
    on more than zeros): on the registers, eligible, treated and excepted."""
    totals: dict[str, list[int]] = {"af": [0, 0, 0, 0], "hypertension": [0, 0, 0, 0]}

    @EXAMPLES
    @given(population=populations())
    def add_up(population: dict[str, list[dict[str, Any]]]) -> None:
        spec = Spec(DuckDBEngine(), **population)
        for programme in (spec.programme, HYPERTENSION):
            spec.programme = programme
            for row in spec.counts().values():
                for i, count in enumerate((row.recorded, row.eligible, row.treated,
                                           row.exceptions or 0)):
                    totals[programme.name][i] += count

    add_up()
    assert all(count > 0 for count in totals["af"]), totals
    assert all(count > 0 for count in totals["hypertension"][:3]), totals
