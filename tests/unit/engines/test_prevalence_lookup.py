"""Each patient's modelled prevalence (engines.measures.prevalence), checked age by age against
the rule it implements: the first band holding the age and sex, else 0.0."""

from __future__ import annotations

import ibis

from joinedup.domain.programme import PrevalenceBand
from joinedup.engines.duckdb import connect
from joinedup.engines.measures import prevalence

BANDS = (
    PrevalenceBand("M", 0, 4, 0.0),
    PrevalenceBand("M", 5, 64, 0.01),
    PrevalenceBand("M", 65, None, 0.2),
    PrevalenceBand("F", 0, 39, 0.001),
    PrevalenceBand("F", 40, 79, 0.05),
    PrevalenceBand("F", 80, None, 0.25),
)


def by_rule(sex: str | None, age: int | None) -> float:
    for band in BANDS:
        if (age is not None and sex == band.sex and band.age_from <= age
                and (band.age_to is None or age <= band.age_to)):
            return band.prevalence
    return 0.0


def test_every_age_and_sex_gets_the_first_band_that_holds_it() -> None:
    people = [(sex, age) for sex in ("F", "M", "X", None) for age in (None, -3, -1, *range(131))]
    table = ibis.memtable({"sex": [s for s, _ in people], "age": [a for _, a in people]},
                          schema={"sex": "string", "age": "int64"})
    con = connect()
    got = con.ibis.to_pyarrow(table.mutate(p=prevalence(table, BANDS)))
    con.disconnect()
    for sex, age, value in zip(got["sex"].to_pylist(), got["age"].to_pylist(),
                               got["p"].to_pylist(), strict=True):
        assert value == by_rule(sex, age), (sex, age)
