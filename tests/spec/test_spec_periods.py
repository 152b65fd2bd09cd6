"""Several period ends in one pass (progress, trends): each period is what a run at its date sees.

Every date-dependent rule changes between these period ends: the QOF rule in force (AF007 to
2022-23, AF008 from 1 April 2023), the treated rule's 6-month window, age on a birthday, the
latest recorded score, registration starting and a death (on the date: not counted). The flags
of the one-pass series must equal the flags worked out at each date alone, and the changes are
checked by hand.
"""

from __future__ import annotations

from datetime import date

import pytest
from spec_support import AF, Spec, event, med, patient, scored

from joinedup.engines import patient_level
from joinedup.engines.measures import patient_flags
from joinedup.engines.patient_level import practice_counts_series
from joinedup.programmes import load_parameters

DAYS = (date(2022, 12, 31), date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30))
OLD = "1940-01-01"


def _population(engine) -> Spec:  # type: ignore[no-untyped-def]
    return Spec(
        engine,
        patients=[
            patient(1, born=OLD, sex="F"),  # a VKA alone: treated under AF007 only
            patient(2, born="1958-05-15"),  # 64 until 15 May 2023, then 65
            patient(3, born=OLD, sex="F", registered_from="2023-04-01"),  # joins in April
            patient(4, born=OLD, sex="F", died="2023-06-30"),  # dies on a period end
            patient(5, born=OLD, sex="F"),  # a DOAC in January 2023: in the window twice
            patient(6, born=OLD, sex="F"),  # recorded score 1, then 3 in May 2023
        ],
        events=[event(p, "2020-01-01", "af") for p in (1, 2, 3, 4, 5, 6)]
        + [scored(p, 3) for p in (1, 2, 3, 4, 5)]
        + [scored(6, 1), scored(6, 3, "2023-05-01")],
        medications=[
            med(1, "2023-03-01", "vka"),
            med(3, "2023-05-01", "doac"),
            med(4, "2023-03-01", "doac"),
            med(5, "2023-01-15", "doac"),
        ],
    )


def test_one_pass_flags_equal_each_date_alone_and_change_as_the_rules_say(engine):
    spec = _population(engine)
    series = patient_flags(spec.con, AF, DAYS, codelists=spec.codelists).to_pyarrow().to_pylist()
    assert len(series) == len(DAYS) * 6
    by_period = {(row.pop("period_end"), row["patient_id"]): row for row in series}
    for day in DAYS:
        alone = spec.flags(day)
        assert {pid: by_period[(day, pid)] for pid in alone} == alone, day

    def column(name: str, pid: int) -> list[object]:
        return [by_period[(day, pid)][name] for day in DAYS]

    # AF007 (any anticoagulant) to 31 March 2023; AF008 (a DOAC, or a VKA where a DOAC is
    # unsuitable) after: the same VKA issue counts at 2023-03-31 and not at 2023-06-30.
    assert column("treated", 1) == [False, True, False, False]
    assert column("age", 2) == [64, 64, 65, 65]
    assert column("registered", 3) == [False, False, True, True]
    assert column("alive", 4) == [True, True, False, False]
    # Issued 2023-01-15: after the first period end; within 6 months of 2023-03-31 and of
    # 2023-06-30 (window after 2022-12-30), not of 2023-09-30 (window after 2023-03-30).
    assert column("treated", 5) == [False, True, True, False]
    assert column("eligible", 6) == [False, False, True, True]


@pytest.mark.parametrize("rows_per_query", [1_000_000, 12, 1])
def test_practice_counts_series_equal_each_date_alone_however_batched(
    engine, rows_per_query, monkeypatch
):
    # 6 patients: all four period ends in one query, two at a time, or one at a time.
    monkeypatch.setattr(patient_level, "SERIES_ROWS_PER_QUERY", rows_per_query)
    spec = _population(engine)
    parameters = load_parameters(AF)
    series = practice_counts_series(spec.con, AF, DAYS, parameters, codelists=spec.codelists)
    assert list(series) == list(DAYS)
    for day in DAYS:
        assert series[day] == list(spec.counts(day).values()), day
    p1 = {day: next(c for c in series[day] if c.practice_code == "P1") for day in DAYS}
    # Registered and alive: all but patient 3 until April, all but patient 4 from June.
    assert [p1[day].list_size for day in DAYS] == [5, 5, 5, 5]
    # Eligible and treated: none by the end of 2022; patients 1 (VKA, AF007), 4 and 5 at
    # 2023-03-31; 3 and 5 at 2023-06-30 (AF008: patient 1's VKA alone no longer counts);
    # 3 alone at 2023-09-30.
    assert [p1[day].treated for day in DAYS] == [0, 3, 2, 1]
