"""Expected patients from each age structure, checked against small cases worked by hand."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from joinedup.domain.programme import PrevalenceBand, prevalence_bands
from joinedup.programmes import load_parameters, load_programme
from joinedup.sources.qof.age_structure import (
    BUCKETS,
    ENGLAND_SHAPE,
    EnglandShape,
    PrevalenceByAge,
    england_shape,
    expected_from_age_sex,
    expected_from_single_years,
    rake_age_bases,
)
from joinedup.sources.qof.lists import AgeSexCount

FLAT = EnglandShape(np.full(BUCKETS, 1 / BUCKETS), np.full(BUCKETS, 0.5), "flat, for tests")


def bands(*spans: tuple[int, int | None, float]) -> PrevalenceByAge:
    return PrevalenceByAge.from_bands(
        PrevalenceBand(sex, low, high, p) for sex in ("M", "F") for low, high, p in spans
    )


def af_rates() -> PrevalenceByAge:
    programme = load_programme("af")
    table = load_parameters(programme, None)[programme.expected_prevalence]
    return PrevalenceByAge.from_bands(prevalence_bands(table))


def test_two_bases_split_the_list_and_each_part_gets_its_own_rate() -> None:
    # 60 patients under 65 at 1%, 40 aged 65+ at 10%: 0.6 + 4.0 expected.
    rates = bands((0, 64, 0.01), (65, None, 0.10))
    people, converged = rake_age_bases([{"TOTAL": 100, "65OV": 40}], FLAT)
    assert converged.tolist() == [True]
    assert people[0, :65].sum() == pytest.approx(60)
    assert expected_from_single_years(people, FLAT, rates)[0] == pytest.approx(4.6)


def test_nested_bases_are_all_met() -> None:
    # 0-17: 20 at 0%; 18-64: 60 at 1%; 65+: 20 at 10% -> 0.6 + 2.0.
    rates = bands((0, 17, 0.0), (18, 64, 0.01), (65, None, 0.10))
    people, _ = rake_age_bases([{"TOTAL": 100, "18OV": 80, "65OV": 20}], FLAT)
    assert expected_from_single_years(people, FLAT, rates)[0] == pytest.approx(2.6)


def test_raking_keeps_the_shape_inside_ranges_no_base_splits() -> None:
    # 91 single-year buckets, 26 of them aged 65+: a flat shape with 65 + 26 people stays flat.
    people, _ = rake_age_bases([{"TOTAL": 91, "65OV": 26}], FLAT)
    assert np.allclose(people[0], 1.0)


def test_practices_are_raked_independently() -> None:
    rates = bands((0, 64, 0.0), (65, None, 1.0))
    people, _ = rake_age_bases([{"TOTAL": 100, "65OV": 10}, {"TOTAL": 50},
                                {"TOTAL": 10, "65OV": 10}], FLAT)
    expected = expected_from_single_years(people, FLAT, rates)
    assert expected == pytest.approx([10.0, 50 * 26 / 91, 10.0])


def test_contradictory_bases_fall_back_to_the_shape() -> None:
    people, converged = rake_age_bases([{"TOTAL": 100, "65OV": 120}], FLAT)
    assert converged.tolist() == [False]
    assert np.allclose(people[0], 100 / BUCKETS)


def test_five_year_bands_by_sex_use_each_band_and_sex_rate() -> None:
    # AF table: men 70-74 11.5%, women 80-84 15%: 100 x 0.115 + 50 x 0.15 = 19 for 150
    # patients; the QOF list is 300, so the same mix gives 38.
    counts = [AgeSexCount("P1", "M", 70, 74, 100), AgeSexCount("P1", "F", 80, 84, 50),
              AgeSexCount("P1", "ALL", None, None, 150)]
    assert expected_from_age_sex(counts, 150, af_rates()) == pytest.approx(19.0)
    assert expected_from_age_sex(counts, 300, af_rates()) == pytest.approx(38.0)


def test_bands_spread_evenly_over_ages_when_the_table_is_finer() -> None:
    rates = bands((0, 71, 0.0), (72, None, 0.5))  # ages 72-74 of a 70-74 band: 3/5 at 50%
    counts = [AgeSexCount("P1", "M", 70, 74, 100)]
    assert expected_from_age_sex(counts, 100, rates) == pytest.approx(30.0)


@pytest.mark.parametrize(
    "counts",
    [
        [AgeSexCount("P1", "M", 0, 9, 10), AgeSexCount("P1", "M", 5, 9, 5)],  # overlap
        [AgeSexCount("P1", "ALL", 0, 4, 10)],  # no split by sex
        [AgeSexCount("P1", "M", 0, 4, 0)],  # nobody
    ],
)
def test_unusable_band_rows_give_no_answer(counts: list[AgeSexCount]) -> None:
    assert expected_from_age_sex(counts, 100, af_rates()) is None


def test_englands_shape_meets_its_sourced_anchors() -> None:
    # Female share of GP lists 50.02% and women 1.33 years older on average (NHS Digital
    # practice demographics, ~2020), from the Census 2021 age shares.
    with ENGLAND_SHAPE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    share = np.array([float(r["share"]) for r in rows])
    share /= share.sum()
    female = np.array([float(r["female_share"]) for r in rows])
    mid = np.array([int(r["age_from"]) + 2.5 for r in rows[:-1]] + [93.0])
    women = (share * female).sum()
    gap = (share * female * mid).sum() / women - (share * (1 - female) * mid).sum() / (1 - women)
    assert women == pytest.approx(0.5002, abs=0.001)
    assert gap == pytest.approx(1.33, abs=0.05)
    shape = england_shape()
    assert shape.age_share.sum() == pytest.approx(1.0)
    assert (shape.age_share > 0).all()


def test_englands_shape_gives_the_af_tables_national_prevalence() -> None:
    # PHE 2015 2.4% to RCGP RSC 2.73% (docs/parameters/af_prevalence.md): the calibrated table
    # on England's shape must land in that range.
    shape = england_shape()
    people = 1000 * shape.age_share[None, :]
    prevalence = expected_from_single_years(people, shape, af_rates())[0] / 1000
    assert 0.024 <= prevalence <= 0.0273
