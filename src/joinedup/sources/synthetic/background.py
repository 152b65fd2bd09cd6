"""The background of a real GP extract: consultations, their codes and prescription items.

Why: the programme stages write only the codes the programmes read (about 1.4 coded events a
patient), far thinner than a real record, so neither the engines' speed nor their memory could
be judged on real volumes. With ``--density realistic`` (the default) every patient also gets,
over the last ``background_years`` of their time at the practice:

- GP and nurse consultations at Hobbs et al.'s rates by age band and sex
  (``consultation_rates.csv``), each a ``gp_consultation`` encounter at the practice lasting
  ``consultation_minutes``, recording 1 + Poisson(``background_extra_codes_mean``) SNOMED CT codes;
- prescription items at the published items per head by age band and sex
  (``prescribing_rates.csv``), each a medications row.

Codes come from ``background_codes.csv``, none of them in any programme codelist (a test holds
that), so no programme count can move. The draws come from their own random streams, one per
fixed-size block of patients (seed + "background" + block start), so the programme rows are the
same with and without background, and the output does not depend on how much memory there is.
A code repeated on one day for one patient is kept once (the loader rejects exact repeats).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.domain.parameters import ParameterError
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.population import Population
from joinedup.sources.synthetic.rates import MAX_AGE, Rates
from joinedup.sources.synthetic.sampling import expand, uniform_days

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

BLOCK = 65_536
"""Patients per block: each block has its own random stream and is written as one piece."""
SECOND = 1_000_000  # microseconds; consultations last whole seconds, as records hold them
MINUTE = 60 * SECOND
DAY = 24 * 60 * MINUTE
SYSTEMS = ("snomed", "dmd")


@dataclass(frozen=True)
class Codes:
    """The background codes of one coding system and their draw probabilities."""

    codes: list[str]
    probs: FloatArray

    def draw(self, rng: np.random.Generator, n: int) -> IntArray:
        """Indices into `codes`."""
        return rng.choice(len(self.codes), size=n, p=self.probs).astype(np.int64)


@dataclass(frozen=True)
class BackgroundRates:
    """The cited rates the background draws from, shaped [sex, single year of age]."""

    consultations: FloatArray
    items: FloatArray
    window_days: int
    extra_codes_mean: float
    consultation_us: int
    snomed: Codes
    dmd: Codes

    @classmethod
    def from_rates(cls, rates: Rates) -> BackgroundRates:
        table = rates.table("background_codes")
        by_system: dict[str, tuple[list[str], list[float]]] = {s: ([], []) for s in SYSTEMS}
        for i, row in enumerate(table.rows):
            if row["system"] not in by_system:
                raise ParameterError(
                    f"{table.path}: row {i + 1}: system {row['system']!r} is not one of "
                    f"{', '.join(SYSTEMS)}"
                )
            weight = table.float_at(i, "weight")
            if not weight > 0:
                raise ParameterError(f"{table.path}: row {i + 1}: weight must be above 0")
            by_system[row["system"]][0].append(row["code"])
            by_system[row["system"]][1].append(weight)
        codes = {}
        for system, (names, weights) in by_system.items():
            if not names:
                raise ParameterError(f"{table.path}: no {system} codes")
            w = np.array(weights)
            codes[system] = Codes(names, w / w.sum())
        return cls(
            consultations=rates.by_age("consultation_rates", "rate_per_year"),
            items=rates.by_age("prescribing_rates", "items_per_year"),
            window_days=dates.years(rates.scalar("background_years")),
            extra_codes_mean=rates.scalar("background_extra_codes_mean"),
            consultation_us=round(rates.scalar("consultation_minutes") * 60) * SECOND,
            snomed=codes["snomed"],
            dmd=codes["dmd"],
        )


@dataclass(frozen=True)
class Block:
    """One block's background rows, each part sorted by patient then time.

    Patients are 0-based indices into the population; codes index `BackgroundRates.snomed.codes`
    or `.dmd.codes`; consultation starts are microseconds since 1970.
    """

    event_patient: IntArray
    event_day: IntArray
    event_code: IntArray
    item_patient: IntArray
    item_day: IntArray
    item_code: IntArray
    visit_patient: IntArray
    visit_start: IntArray


def window(pop: Population, days: int, lo: int, hi: int) -> tuple[IntArray, IntArray]:
    """First and last day of each patient's background window (first > last: none)."""
    end = pop.end[lo:hi]
    first = np.maximum.reduce([end - days + 1, pop.registered_from[lo:hi], pop.birth[lo:hi]])
    return first, end


def block_rng(seed: int, lo: int, chunk: int = 0) -> np.random.Generator:
    """The stream of the block starting at `lo` in chunk `chunk` (0-based; chunks.py).

    The first chunk's streams are those of an unchunked run; later chunks add their number
    (never 0, which SeedSequence would treat as absent).
    """
    key = [seed, zlib.crc32(b"background"), lo]
    return np.random.default_rng(key if chunk == 0 else [*key, chunk])


def generate_block(
    bg: BackgroundRates, pop: Population, seed: int, lo: int, hi: int, chunk: int = 0
) -> Block:
    """The background of patients ``lo .. hi - 1``, from that block's own random stream."""
    rng = block_rng(seed, lo, chunk)
    first, last = window(pop, bg.window_days, lo, hi)
    years = np.maximum(last - first + 1, 0) / dates.DAYS_PER_YEAR
    sex, age = pop.sex[lo:hi], np.minimum(pop.age[lo:hi], MAX_AGE)

    visits, _ = expand(rng.poisson(bg.consultations[sex, age] * years))
    visit_day = uniform_days(rng, first[visits], last[visits])
    minute = rng.integers(8 * 60, 18 * 60 + 30, visits.shape[0])
    visit_start = visit_day * DAY + minute * MINUTE

    extra = rng.poisson(bg.extra_codes_mean, visits.shape[0])
    per_visit: IntArray = np.asarray(extra, dtype=np.int64) + 1
    which, _ = expand(per_visit)
    event_patient, event_day, event_code = _distinct(
        visits[which], visit_day[which], bg.snomed.draw(rng, which.shape[0])
    )

    items, _ = expand(rng.poisson(bg.items[sex, age] * years))
    item_day = uniform_days(rng, first[items], last[items])
    item_patient, item_day, item_code = _distinct(items, item_day, bg.dmd.draw(rng, items.shape[0]))

    order = np.lexsort((visit_start, visits))
    return Block(
        event_patient + lo,
        event_day,
        event_code,
        item_patient + lo,
        item_day,
        item_code,
        visits[order] + lo,
        visit_start[order],
    )


def _distinct(patient: IntArray, day: IntArray, code: IntArray) -> tuple[IntArray, ...]:
    """Rows with one (patient, day, code) each, sorted by patient, day then code."""
    if patient.shape[0] == 0:
        return patient, day, code
    code_bits = max(int(code.max()).bit_length(), 1)
    day_off = day - day.min()
    day_bits = max(int(day_off.max()).bit_length(), 1)
    key = np.sort((patient << (day_bits + code_bits)) | (day_off << code_bits) | code)
    key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    return (
        key >> (day_bits + code_bits),
        ((key >> code_bits) & ((1 << day_bits) - 1)) + day.min(),
        key & ((1 << code_bits) - 1),
    )


def blocks(n: int) -> list[tuple[int, int]]:
    """The (lo, hi) patient ranges of a population of `n`, BLOCK at a time."""
    return [(lo, min(lo + BLOCK, n)) for lo in range(0, n, BLOCK)]
