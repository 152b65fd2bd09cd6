"""Synthetic patients: who is registered where, their age, sex, ethnicity, area and status.

Why this shape: the programmes' measures depend on age and sex (expected prevalence), on
deprivation (inequalities) and on registration status (who counts at the reference date), so the
population must be realistic in exactly those respects:

* Age and sex follow England's Census 2021 structure; each practice tilts it towards its own
  65+ share (the real West Yorkshire spread, younger where deprived).
* Each practice draws its patients' LSOAs from the real LSOAs of its place, weighted towards its
  own position on the place's deprivation rank, so practices differ in deprivation.
* Ethnicity follows each place's Census 2021 mix, tilted towards more deprived LSOAs.
* Besides the currently registered list, the population holds people who died in the last years
  (registered_to = date_of_death) and people who moved away (registered_to set).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.domain.contract import ETHNICITIES
from joinedup.domain.nhs_number import SYNTHETIC_START, synthetic_numbers
from joinedup.domain.parameters import ParameterError
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.chunks import PracticeDraws
from joinedup.sources.synthetic.footprint import Footprint, read_csv
from joinedup.sources.synthetic.rates import MAX_AGE, Rates
from joinedup.sources.synthetic.sampling import expand, grouped_choice

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

BANDS = 19  # five-year bands 0-4 ... 85-89, 90+
CURRENT, LEFT, DIED = 0, 1, 2
FEMALE, MALE = 0, 1
TILT_GRID = np.linspace(-6.0, 6.0, 2401)


@dataclass
class Population:
    """One row per patient, as parallel arrays (index = patient_id - 1)."""

    practice: IntArray
    sex: IntArray  # 0 = F, 1 = M (contract SEXES order)
    birth: IntArray  # days
    age: IntArray  # whole years at `end`
    status: IntArray  # CURRENT, LEFT or DIED
    end: IntArray  # last day in the record: reference date, registered_to or date of death
    registered_from: IntArray
    ethnicity: IntArray  # index into contract ETHNICITIES
    lsoa: IntArray  # index into `lsoa_codes`
    imd_decile: IntArray
    opted_out: BoolArray
    nhs_number: npt.NDArray[np.str_]
    lsoa_codes: npt.NDArray[np.str_]

    def __len__(self) -> int:
        return int(self.practice.shape[0])

    @property
    def band(self) -> IntArray:
        return np.minimum(self.age // 5, BANDS - 1)

    @property
    def imd_quintile(self) -> IntArray:
        return (self.imd_decile + 1) // 2

    @property
    def patient_id(self) -> IntArray:
        return np.arange(1, len(self) + 1, dtype=np.int64)


def band_shares(rates: Rates) -> FloatArray:
    share = np.array(rates.table("age_structure").floats("share"))
    if share.shape[0] != BANDS:
        raise ParameterError(f"{rates.table('age_structure').path}: expected {BANDS} age bands")
    return share / share.sum()


def practice_age_weights(
    rates: Rates, share_65plus: FloatArray, list_size: IntArray, rounds: int = 6
) -> FloatArray:
    """Per practice, band weights = Census shares tilted exponentially towards young or old.

    The tilt for each practice is the one whose 65+ share equals the practice's target. Tilting
    alone would thin the middle-aged bands of the footprint as a whole, so a common correction per
    band is raked in a few rounds until the footprint's age mix within under-65s and within
    65+ matches the Census shape (the split between the two is the practices' targets).
    """
    base = band_shares(rates)
    mid = np.arange(BANDS) * 5 + 2.5
    g = (mid - 40) / 25
    old_band = np.arange(BANDS) >= 13
    correction = np.ones(BANDS)
    size = list_size.astype(np.float64)
    for _ in range(rounds):
        shape = base * correction
        grid = shape[None, :] * np.exp(TILT_GRID[:, None] * g[None, :])
        grid /= grid.sum(axis=1, keepdims=True)
        old = grid[:, old_band].sum(axis=1)  # increasing in the tilt
        tilt = np.interp(share_65plus, old, TILT_GRID)
        weights = shape[None, :] * np.exp(tilt[:, None] * g[None, :])
        weights /= weights.sum(axis=1, keepdims=True)
        footprint = size @ weights
        correction *= _within_groups(base, old_band) / _within_groups(footprint, old_band)
    return weights


def _within_groups(shares: FloatArray, old_band: BoolArray) -> FloatArray:
    out = shares.astype(np.float64).copy()
    out[old_band] /= out[old_band].sum()
    out[~old_band] /= out[~old_band].sum()
    return out


def band_rate(table: FloatArray) -> FloatArray:
    """An [sex, single year] table reduced to [sex, band] by taking each band's first age."""
    return table[:, np.minimum(np.arange(BANDS) * 5, MAX_AGE)]


def generate_population(
    footprint: Footprint,
    rates: Rates,
    rng: np.random.Generator,
    reference: int,
    *,
    practice_draws: PracticeDraws | None = None,
    first_body: int = SYNTHETIC_START,
) -> Population:
    """Draw every patient (current, moved away, died) for the footprint.

    `practice_draws` shares the practice-level draws with the run's other chunks; NHS numbers
    start at `first_body` (chunks.py), so chunks after the first do not repeat numbers.
    """
    draws = practice_draws or PracticeDraws()
    weights = practice_age_weights(rates, footprint.share_65plus, footprint.list_size)
    female = band_rate(rates.by_age("sex_by_age", "female_share"))[FEMALE]
    qx = band_rate(rates.by_age("mortality", "annual_death_probability"))
    death_years = rates.scalar("death_window_years")
    left_years = rates.scalar("left_window_years")
    died = 1 - (1 - qx) ** death_years  # [sex, band]
    died_persons = female * died[FEMALE] + (1 - female) * died[MALE]
    left_rate = np.full(BANDS, rates.scalar("left_rate_per_year") * left_years)
    young = rates.scalar("left_young_adult_factor")  # ages 18-34 move more
    left_rate[[4, 5, 6]] *= young  # 20-34
    left_rate[3] *= 1 + (young - 1) * 2 / 5  # 18 and 19 of the 15-19 band

    n_current = footprint.list_size
    expect_died = n_current * (weights @ died_persons)
    expect_left = n_current * (weights @ left_rate)
    n_died = rng.poisson(expect_died)
    n_left = rng.poisson(expect_left)

    parts = []
    for group, counts, tilt in (
        (CURRENT, n_current, np.ones(BANDS)),
        (LEFT, n_left, left_rate),
        (DIED, n_died, died_persons),
    ):
        practice, _ = expand(counts)
        probs = weights * tilt[None, :]
        band = grouped_choice(rng, practice, probs)
        p_female: FloatArray = female
        if group == DIED:
            p_female = female * died[FEMALE] / np.maximum(died_persons, 1e-12)
        sex = np.where(rng.random(practice.shape[0]) < p_female[band], FEMALE, MALE)
        parts.append((np.full(practice.shape[0], group, dtype=np.int64), practice, band, sex))
    status = np.concatenate([p[0] for p in parts]).astype(np.int64)
    practice = np.concatenate([p[1] for p in parts])
    band = np.concatenate([p[2] for p in parts])
    sex = np.concatenate([p[3] for p in parts]).astype(np.int64)
    n = practice.shape[0]

    # Age in years within the band; 90+ thins out geometrically.
    years_in = np.where(
        band < BANDS - 1,
        rng.integers(0, 5, n),
        np.minimum(rng.geometric(rates.scalar("age_90plus_geometric_p"), n) - 1, MAX_AGE - 90),
    )
    age_years = band * 5 + years_in
    end = np.full(n, reference, dtype=np.int64)
    window = np.where(status == DIED, death_years, np.where(status == LEFT, left_years, 0.0))
    end -= np.floor(rng.random(n) * window * dates.DAYS_PER_YEAR).astype(np.int64)
    birth = end - np.floor((age_years + rng.random(n)) * dates.DAYS_PER_YEAR).astype(np.int64)
    age = dates.whole_years(birth, end)

    registered_from = _registration(rng, rates, birth, end)
    kernel_sd = rates.scalar("practice_deprivation_kernel_sd")
    lsoa, lsoa_codes, decile = _areas(rng, footprint, practice, kernel_sd)
    ethnicity = _ethnicity(rng, rates, footprint, practice, decile)
    opted_out = _opt_out(rng, rates, practice, sex, age, len(footprint.practice_codes), draws)

    shuffled = rng.permutation(n)
    order = shuffled[np.argsort(practice[shuffled], kind="stable")]
    numbers = synthetic_numbers(n, first_body)[rng.permutation(n)]
    return Population(
        practice=practice[order],
        sex=sex[order],
        birth=birth[order],
        age=age[order],
        status=status[order],
        end=end[order],
        registered_from=registered_from[order],
        ethnicity=ethnicity[order],
        lsoa=lsoa[order],
        imd_decile=decile[order],
        opted_out=opted_out[order],
        nhs_number=numbers,
        lsoa_codes=lsoa_codes,
    )


def _registration(
    rng: np.random.Generator, rates: Rates, birth: IntArray, end: IntArray
) -> IntArray:
    """Registered this long before `end`; babies and lifelong patients register soon after birth."""
    mean_days = rates.scalar("registration_mean_years") * dates.DAYS_PER_YEAR
    since = np.floor(rng.exponential(mean_days, birth.shape[0])).astype(np.int64)
    start = end - since
    at_birth = birth + rng.integers(7, 60, birth.shape[0])
    start = np.where(start <= at_birth, at_birth, start)
    return np.minimum(start, end)


def _areas(
    rng: np.random.Generator, footprint: Footprint, practice: IntArray, kernel_sd: float
) -> tuple[IntArray, npt.NDArray[np.str_], IntArray]:
    """An LSOA of the practice's place, weighted to the practice's deprivation position."""
    rows = read_csv("lsoa_imd_2019.csv")
    lad_place = {lad: i for i, p in enumerate(footprint.places) for lad in p.lads}
    rows = [r for r in rows if r["lad_name"] in lad_place]
    place_of = np.array([lad_place[r["lad_name"]] for r in rows], dtype=np.int64)
    decile_of = np.array([int(r["imd_decile"]) for r in rows], dtype=np.int64)
    order = np.lexsort((np.array([r["lsoa_code"] for r in rows]), decile_of, place_of))
    codes = np.array([rows[i]["lsoa_code"] for i in order])
    place_of, decile_of = place_of[order], decile_of[order]

    n_places = len(footprint.places)
    counts = np.zeros((n_places, 10), dtype=np.int64)
    np.add.at(counts, (place_of, decile_of - 1), 1)
    starts = (np.cumsum(counts.ravel()) - counts.ravel()).reshape(counts.shape)

    # Decile distribution per practice: the place's LSOA mix times a kernel on the rank scale.
    share = counts / counts.sum(axis=1, keepdims=True)
    mid_rank = np.cumsum(share, axis=1) - share / 2  # rank 0 = most deprived LSOAs
    pp = footprint.practice_place
    probs = share[pp] * np.exp(
        -((mid_rank[pp] - footprint.position[:, None]) ** 2) / (2 * kernel_sd**2)
    )
    probs = np.where(probs.sum(axis=1, keepdims=True) > 0, probs, share[pp])
    decile = grouped_choice(rng, practice, probs) + 1
    place = pp[practice]
    k = counts[place, decile - 1]
    lsoa = starts[place, decile - 1] + np.floor(rng.random(practice.shape[0]) * k).astype(np.int64)
    return lsoa, codes, decile


def _ethnicity(
    rng: np.random.Generator,
    rates: Rates,
    footprint: Footprint,
    practice: IntArray,
    decile: IntArray,
) -> IntArray:
    """Census group per patient: the place mix, non-White groups tilted to deprived LSOAs."""
    table = rates.table("ethnicity")
    groups = ETHNICITIES[:5]
    mix = np.zeros((len(footprint.places), len(groups)))
    for i, row in enumerate(table.rows):
        keys = [p.key for p in footprint.places]
        if row["place"] not in keys:
            continue
        if row["ethnicity"] not in groups:
            raise ParameterError(
                f"{table.path}: row {i + 1}: unknown ethnicity {row['ethnicity']!r}"
            )
        mix[keys.index(row["place"]), groups.index(row["ethnicity"])] = table.float_at(i, "share")
    missing = [p.key for p, m in zip(footprint.places, mix, strict=True) if m.sum() == 0]
    if missing:
        raise ParameterError(f"{table.path}: no ethnicity rows for place(s) {missing}")
    mix /= mix.sum(axis=1, keepdims=True)

    tilt = np.array(rates.table("ethnicity_deprivation").floats("relative_non_white"))
    place = footprint.practice_place[practice]
    # Normalise the tilt over each place's own decile mix so the place's shares are kept.
    n_places = len(footprint.places)
    pop = np.zeros((n_places, 10))
    np.add.at(pop, (place, decile - 1), 1.0)
    pop /= np.maximum(pop.sum(axis=1, keepdims=True), 1)
    norm = pop @ tilt
    non_white = 1 - mix[:, 0]
    cell_nw = np.clip(non_white[:, None] * tilt[None, :] / norm[:, None], 0, 0.95)  # [place, dec]
    probs = np.concatenate(
        [
            (1 - cell_nw)[..., None],
            cell_nw[..., None] * (mix[:, None, 1:] / non_white[:, None, None]),
        ],
        axis=2,
    ).reshape(n_places * 10, len(groups))
    group = grouped_choice(rng, place * 10 + decile - 1, probs)
    unknown = rng.random(practice.shape[0]) < rates.scalar("ethnicity_unknown_share")
    return np.where(unknown, ETHNICITIES.index("Unknown"), group).astype(np.int64)


def _opt_out(
    rng: np.random.Generator,
    rates: Rates,
    practice: IntArray,
    sex: IntArray,
    age: IntArray,
    n_practices: int,
    draws: PracticeDraws,
) -> BoolArray:
    """National data opt-out by age and sex, with practices varying around it."""
    rate = rates.by_age("opt_out", "rate")[sex, np.minimum(age, MAX_AGE)]
    sd = rates.scalar("opt_out_practice_sd_log")
    multiplier = draws.once("opt_out", lambda: np.exp(rng.normal(-(sd**2) / 2, sd, n_practices)))
    return rng.random(practice.shape[0]) < np.clip(rate * multiplier[practice], 0, 0.5)
