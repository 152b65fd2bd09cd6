"""The population stage on a small footprint: age tilts, status, registration and areas."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from joinedup.domain.nhs_number import valid_mask
from joinedup.sources.synthetic.dates import to_days, whole_years
from joinedup.sources.synthetic.footprint import build_footprint
from joinedup.sources.synthetic.population import (
    CURRENT,
    DIED,
    LEFT,
    band_shares,
    generate_population,
    practice_age_weights,
)
from joinedup.sources.synthetic.rates import load_rates

RATES = load_rates()
REFERENCE = to_days(date(2026, 3, 31))
FOOTPRINT = build_footprint("west-yorkshire", RATES, 30_000)
POP = generate_population(FOOTPRINT, RATES, np.random.default_rng(7), REFERENCE)


def test_practice_age_weights_hit_each_target_and_keep_the_census_shape() -> None:
    targets = np.array([0.05, 0.18, 0.30])
    sizes = np.array([1000, 1000, 1000])
    weights = practice_age_weights(RATES, targets, sizes, rounds=8)
    np.testing.assert_allclose(weights[:, 13:].sum(axis=1), targets, atol=1e-3)
    # Within the under-65s the footprint keeps the Census shape.
    footprint = weights.mean(axis=0)
    base = band_shares(RATES)
    np.testing.assert_allclose(
        footprint[:13] / footprint[:13].sum(), base[:13] / base[:13].sum(), atol=2e-3
    )


def test_current_list_is_exactly_the_requested_size_per_practice() -> None:
    current = POP.status == CURRENT
    counts = np.bincount(POP.practice[current], minlength=len(FOOTPRINT.practice_codes))
    assert (counts == FOOTPRINT.list_size).all()
    assert (POP.status == LEFT).sum() > 0 and (POP.status == DIED).sum() > 0


def test_dates_and_ages_are_consistent() -> None:
    assert (POP.birth <= POP.registered_from).all()
    assert (POP.registered_from <= POP.end).all()
    assert (POP.end <= REFERENCE).all()
    assert (POP.end[POP.status == CURRENT] == REFERENCE).all()
    assert (whole_years(POP.birth, POP.end) == POP.age).all()
    # Deaths are of older people, on average.
    assert POP.age[POP.status == DIED].mean() > POP.age[POP.status == CURRENT].mean() + 25


def test_areas_come_from_each_practices_place() -> None:
    codes = POP.lsoa_codes[POP.lsoa]
    assert all(c.startswith("E01") for c in codes[:1000])
    assert set(POP.imd_decile) <= set(range(1, 11))
    # Harrogate's real LSOAs are far less deprived than Bradford's.
    keys = [p.key for p in FOOTPRINT.places]
    place = FOOTPRINT.practice_place[POP.practice]
    harrogate = POP.imd_decile[place == keys.index("HAR")].mean()
    bradford = POP.imd_decile[place == keys.index("BDC")].mean()
    assert harrogate > bradford + 2.5


def test_nhs_numbers_are_valid_unique_and_synthetic() -> None:
    assert valid_mask(POP.nhs_number).all()
    assert len(set(POP.nhs_number.tolist())) == len(POP)
    assert all(n.startswith("9") for n in POP.nhs_number[:1000])


def test_opt_out_is_about_five_percent() -> None:
    assert POP.opted_out.mean() == pytest.approx(0.052, abs=0.01)
