"""Inequality breakdowns from patient-level data, on a tiny population with answers by hand.

Reference date 2025-03-31; expected prevalence from a hand-made table (0-64: M 0.01, F 0.02;
65+: M 0.1, F 0.2). The AF programme: on the register with an `af` code; eligible with
CHA2DS2-VASc >= 2; treated with a DOAC in 6 months; exception if declined in 12 months.

| id | sex | age | decile | ethnicity | practice | AF                 | prevalence |
|----|-----|-----|--------|-----------|----------|--------------------|------------|
| 1  | F   | 85  | 1      | White     | P1       | eligible, treated  | 0.2        |
| 2  | F   | 85  | 2      | Black     | P1       | eligible, declined | 0.2        |
| 3  | M   | 79  | 3      | Asian     | P2       | eligible (age 75+) | 0.1        |
| 4  | M   | 80  | none   | Unknown   | P2       | none               | 0.1        |
| 5  | F   | 17  | 10     | Mixed     | P3       | none               | 0.02       |
| 6  | M   | 18  | 9      | Other     | P3       | none               | 0.01       |
| 10 | M   | 54  | 5      | White     | P1       | recorded, score 0  | 0.01       |
| 7  | opted out; 8 died before the date; 9 left before the date: never counted          |
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from spec_support import REF, Spec, event, med, patient, scored

from joinedup.domain.parameters import ParameterSet
from joinedup.engines.breakdowns import breakdown_counts

SOURCE = "hand-made for this spec"
OLD = "1940-01-01"


def tiny_parameters(tmp_path: Path) -> ParameterSet:
    (tmp_path / "manifest.toml").write_text('name = "af"\nversion = "test"\n')
    (tmp_path / "af_prevalence.csv").write_text(
        "age_from,age_to,sex,prevalence,source\n"
        f"0,64,M,0.01,{SOURCE}\n65,,M,0.1,{SOURCE}\n"
        f"0,64,F,0.02,{SOURCE}\n65,,F,0.2,{SOURCE}\n"
    )
    return ParameterSet.from_dir(tmp_path)


def person(pid: int, ethnicity: str = "White", **kwargs: Any) -> dict[str, Any]:
    return {**patient(pid, **kwargs), "ethnicity": ethnicity}


def population(*, seven_opted_out: bool = True) -> dict[str, Any]:
    return {
        "patients": [
            person(1, born=OLD, sex="F", imd=1),
            person(2, "Black", born=OLD, sex="F", imd=2),
            person(3, "Asian", born="1945-04-01", sex="M", imd=3, practice="P2"),
            person(4, "Unknown", born="1945-03-31", sex="M", imd=None, practice="P2"),
            person(5, "Mixed", born="2007-04-01", sex="F", imd=10, practice="P3"),
            person(6, "Other", born="2007-03-31", sex="M", imd=9, practice="P3"),
            person(7, born=OLD, sex="F", imd=1, opted_out=seven_opted_out),
            person(8, born=OLD, sex="F", imd=1, died="2025-01-01"),
            person(9, born=OLD, sex="F", imd=1, registered_to="2025-01-01"),
            person(10, imd=5),
        ],
        "events": [
            *(event(p, "2020-01-01", "af") for p in (1, 2, 3, 7, 8, 9, 10)),
            *(scored(p, 3) for p in (1, 2, 7, 8, 9)),
            scored(3, 2),
            scored(10, 0),
            event(2, "2024-06-01", "anticoag_declined"),
        ],
        "medications": [med(p, "2025-01-01", "doac") for p in (1, 7, 8, 9)],
    }


def counts(engine: Any, tmp_path: Path, level: str = "footprint", **options: Any) -> dict:
    spec = Spec(engine, **population(**options))
    rows = breakdown_counts(
        spec.con, spec.programme, REF, tiny_parameters(tmp_path), level=level,
        codelists=spec.codelists,
    )
    return {
        (r["org_code"], r["dimension"], r["group"]): (
            r["list_size"],
            pytest.approx(r["expected"], abs=1e-9),
            r["recorded"],
            r["eligible"],
            r["treated"],
            r["exceptions"],
        )
        for r in rows
    }


ZERO = (0, 0.0, 0, 0, 0, 0)

# (list_size, expected, recorded, eligible, treated, exceptions) by hand, from the table above.
FOOTPRINT = {
    "imd_quintile": {
        1: (2, 0.4, 2, 2, 1, 1),
        2: (1, 0.1, 1, 1, 0, 0),
        3: (1, 0.01, 1, 0, 0, 0),  # decile 5
        4: ZERO,
        5: (2, 0.03, 0, 0, 0, 0),  # deciles 9 and 10
        "Unknown": (1, 0.1, 0, 0, 0, 0),
    },
    "ethnicity": {
        "White": (2, 0.21, 2, 1, 1, 0),
        "Asian": (1, 0.1, 1, 1, 0, 0),
        "Black": (1, 0.2, 1, 1, 0, 1),
        "Mixed": (1, 0.02, 0, 0, 0, 0),
        "Other": (1, 0.01, 0, 0, 0, 0),
        "Unknown": (1, 0.1, 0, 0, 0, 0),
    },
    "age_band": {
        "0–17": (1, 0.02, 0, 0, 0, 0),  # 17: the day before the 18th birthday
        "18–39": (1, 0.01, 0, 0, 0, 0),  # 18 on the date
        "40–59": (1, 0.01, 1, 0, 0, 0),
        "60–79": (1, 0.1, 1, 1, 0, 0),  # 79: the day before the 80th birthday
        "80 and over": (3, 0.5, 2, 2, 1, 1),  # includes 80 on the date
        # no Unknown row: nobody is in it
    },
    "sex": {
        "F": (3, 0.42, 2, 2, 1, 1),
        "M": (4, 0.22, 2, 1, 0, 0),
    },
}


def test_every_group_of_every_dimension_by_hand(engine, tmp_path):
    got = counts(engine, tmp_path)
    want = {
        (None, dimension, group): value
        for dimension, groups in FOOTPRINT.items()
        for group, value in groups.items()
    }
    assert list(got) == list(want)  # every group, in display order
    assert got == want


def test_each_dimension_adds_up_to_the_practice_table(engine, tmp_path):
    spec = Spec(engine, **population())
    parameters = tiny_parameters(tmp_path)
    practices = spec.counts(parameters=parameters).values()
    rows = breakdown_counts(spec.con, spec.programme, REF, parameters, codelists=spec.codelists)
    for column in ("list_size", "expected", "recorded", "eligible", "treated", "exceptions"):
        total = sum(getattr(p, column) for p in practices)
        for dimension in FOOTPRINT:
            got = sum(r[column] for r in rows if r["dimension"] == dimension)
            assert got == pytest.approx(total), (dimension, column)


def test_an_opted_out_patient_is_never_counted(engine, tmp_path):
    # Patient 7 (F, 85, decile 1, White, P1, AF, treated) opted out; the hand totals leave them
    # out. Counted only if they had not opted out, in every dimension's group.
    excluded = counts(engine, tmp_path)
    included = counts(engine, tmp_path, seven_opted_out=False)
    seven = {
        (None, "imd_quintile", 1),
        (None, "ethnicity", "White"),
        (None, "age_band", "80 and over"),
        (None, "sex", "F"),
    }
    for key, value in excluded.items():
        if key in seven:
            assert included[key][0] == value[0] + 1
            assert included[key][4] == value[4] + 1  # treated
        else:
            assert included[key] == value


def test_levels_split_the_groups_by_organisation(engine, tmp_path):
    practice = counts(engine, tmp_path, level="practice")
    assert practice[("P1", "imd_quintile", 1)] == (2, 0.4, 2, 2, 1, 1)
    assert practice[("P1", "imd_quintile", 3)] == (1, 0.01, 1, 0, 0, 0)
    assert practice[("P2", "sex", "M")] == (2, 0.2, 1, 1, 0, 0)
    assert practice[("P3", "age_band", "0–17")] == (1, 0.02, 0, 0, 0, 0)
    assert {code for code, _, _ in practice} == {"P1", "P2", "P3"}

    pcn = counts(engine, tmp_path, level="pcn")
    assert {code for code, _, _ in pcn} == {"PCN1", "PCN2"}
    assert pcn[("PCN1", "sex", "M")] == (3, 0.21, 2, 1, 0, 0)  # 3, 4 and 10
    assert pcn[("PCN2", "sex", "M")] == (1, 0.01, 0, 0, 0, 0)  # 6

    place = counts(engine, tmp_path, level="place")
    footprint = counts(engine, tmp_path)
    assert {code for code, _, _ in place} == {"PLACE1"}
    assert {(d, g): v for (_, d, g), v in place.items()} == {
        (d, g): v for (_, d, g), v in footprint.items()
    }


def test_an_unknown_level_is_refused(engine, tmp_path):
    spec = Spec(engine, **population())
    with pytest.raises(ValueError, match="unknown breakdown level 'region'"):
        breakdown_counts(
            spec.con,
            spec.programme,
            REF,
            tiny_parameters(tmp_path),
            level="region",  # type: ignore[arg-type]
            codelists=spec.codelists,
        )
