"""Expected prevalent patients per practice from the finest age structure a store holds.

Why: the expected-prevalence model is an age x sex table (the programme's ``af_prevalence``);
published aggregates rarely give age x sex. This module turns whatever there is into expected
patients, finest first, and says which it used:

1. ``age_sex_5y`` — 5-year bands by sex (NHS Digital "patients registered at a GP practice"):
   each band's count times the band's mean prevalence (ages spread evenly within a band).
2. ``qof_age_bases`` — the QOF age bases of a list-size file (TOTAL, 16+, 17+, 18+, 30–74,
   50+, 0–64, 65+), or
3. ``qof_list_types`` — the age bases the prevalence file itself holds (TOTAL, 16OV, 17OV,
   18OV, 30_74, 50OV as the groups' list types): spread over single years of age by raking
   (iterative proportional fitting) England's age shape until every base adds up; sex is split
   by England's female share at each age.
4. ``list_size_only`` — the whole list with England's age and sex shape.

The structure gives shares; the QOF list size gives the size. Where a list-size file and the
QOF list differ (different extract dates), the shares are applied to the QOF list, so expected
is always "this practice's list with this practice's age mix". England's shape: ONS Census 2021
five-year age shares, and a female share by age calibrated to GP-list anchors
(``data/england_age_sex.csv``; docs/aggregates.md).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from joinedup.domain.programme import PrevalenceBand
from joinedup.sources.qof.lists import AgeSexCount, age_base_interval

DATA_DIR = Path(__file__).resolve().parent / "data"
ENGLAND_SHAPE = DATA_DIR / "england_age_sex.csv"

OPEN_AGE = 90
"""Single years 0..89 and one open bucket for 90 and over (England's shape stops at 90+)."""
BUCKETS = OPEN_AGE + 1
MAX_AGE = 120

STRUCTURES: dict[str, str] = {
    "age_sex_5y": "5-year age bands by sex (patients registered at a GP practice)",
    "qof_age_bases": "QOF age bases (e.g. 0-64, 65+, 16+, 18+, 30-74, 50+) spread over single "
    "years with England's age/sex shape",
    "qof_list_types": "the QOF prevalence file's list types (16+, 17+, 18+, 30-74, 50+) spread "
    "over single years with England's age/sex shape",
    "list_size_only": "practice list size only, with England's age/sex shape",
}
"""Each structure's key and how the outputs describe it, finest first."""

_TOLERANCE = 1e-5  # patients: raking stops when every base is met to this
_GIVE_UP = 0.5  # patients: a base still missed by this much after all rounds cannot be met
_MAX_ROUNDS = 1000


@dataclass(frozen=True)
class EnglandShape:
    """England's population by single year (0..89, 90+) as shares, and the female share."""

    age_share: np.ndarray  # (BUCKETS,), sums to 1
    female_share: np.ndarray  # (BUCKETS,)
    source: str


def england_shape(path: Path = ENGLAND_SHAPE) -> EnglandShape:
    """Read the 5-year shape table and spread each band evenly over its single years."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    age = np.zeros(BUCKETS)
    female = np.zeros(BUCKETS)
    for row in rows:
        low = int(row["age_from"])
        high = OPEN_AGE if row["age_to"] == "" else int(row["age_to"])
        if low > OPEN_AGE or high > OPEN_AGE or high < low:
            raise ValueError(f"{path}: band {low}-{row['age_to']} does not fit 0..89, 90+")
        width = high - low + 1
        age[low:high + 1] = float(row["share"]) / width
        female[low:high + 1] = float(row["female_share"])
    if np.any(age <= 0):
        raise ValueError(f"{path}: bands must cover every age from 0 to 90+ with shares > 0")
    return EnglandShape(age / age.sum(), female, rows[0]["source"])


@dataclass(frozen=True)
class PrevalenceByAge:
    """The programme's expected prevalence at each single year of age, per sex."""

    male: np.ndarray  # (MAX_AGE + 1,)
    female: np.ndarray

    @classmethod
    def from_bands(cls, bands: Iterable[PrevalenceBand]) -> PrevalenceByAge:
        by_sex = {"M": np.full(MAX_AGE + 1, np.nan), "F": np.full(MAX_AGE + 1, np.nan)}
        for band in bands:
            high = MAX_AGE if band.age_to is None else min(band.age_to, MAX_AGE)
            by_sex[band.sex][band.age_from:high + 1] = band.prevalence
        for sex, values in by_sex.items():
            if np.isnan(values).any():
                raise ValueError(f"the prevalence table leaves ages of sex {sex} uncovered")
        return cls(by_sex["M"], by_sex["F"])

    def band_mean(self, sex: str, low: int, high: int | None) -> float:
        """Mean prevalence over ages low..high (an open band: the prevalence at ``low``)."""
        values = self.male if sex == "M" else self.female
        low = min(low, MAX_AGE)
        if high is None:
            return float(values[low])
        return float(values[low:min(high, MAX_AGE) + 1].mean())

    def per_bucket(self, shape: EnglandShape) -> np.ndarray:
        """Prevalence per single-year bucket for both sexes mixed by England's female share."""
        male, female = self.male[:BUCKETS], self.female[:BUCKETS]
        return shape.female_share * female + (1 - shape.female_share) * male


def expected_from_age_sex(
    counts: Sequence[AgeSexCount], list_size: int, prevalence: PrevalenceByAge
) -> float | None:
    """Expected patients from 5-year bands by sex, scaled to the QOF list size.

    None when the rows give no usable split (no male/female band rows, no patients, or bands
    that overlap within a sex, which would count people twice).
    """
    bands = [c for c in counts if c.sex in ("M", "F") and c.age_from is not None]
    total = sum(c.patients for c in bands)
    if not bands or total <= 0:
        return None
    for sex in ("M", "F"):
        mine = sorted((c for c in bands if c.sex == sex), key=lambda c: c.age_from or 0)
        for before, after in pairwise(mine):
            if before.age_to is None or (after.age_from or 0) <= before.age_to:
                return None
    expected = sum(
        c.patients * prevalence.band_mean(c.sex, c.age_from or 0, c.age_to) for c in bands
    )
    return expected * list_size / total


def bucket_mask(low: int, high: int | None) -> np.ndarray:
    """Which single-year buckets an age range covers (the 90+ bucket counts as age 90)."""
    mask = np.zeros(BUCKETS, dtype=bool)
    top = OPEN_AGE if high is None else min(high, OPEN_AGE)
    mask[min(low, OPEN_AGE):top + 1] = True
    return mask


def rake_age_bases(
    bases: Sequence[Mapping[str, float]], shape: EnglandShape
) -> tuple[np.ndarray, np.ndarray]:
    """Patients per single year for each practice, meeting its age bases; and which converged.

    ``bases`` holds, per practice, base code -> patients and must include TOTAL. Raking
    alternately scales the ages inside and outside each base to the base's count, starting
    from England's shape, so the answer keeps England's shape within every range the bases
    leave open. (Raking never changes proportions inside a run of ages that no base splits, so
    it works on those runs — a handful per practice — and spreads them over single years at
    the end.) Raking stops for a practice once every base is met to 1e-5 of a patient.
    Practices whose bases cannot all be met (contradictory counts) do not converge; the second
    array is False for them and their rows are England's shape scaled to TOTAL.
    """
    codes = sorted({c for b in bases for c in b if c != "TOTAL" and age_base_interval(c)})
    total = np.array([b["TOTAL"] for b in bases], dtype=float)
    targets = np.array([[b.get(c, np.nan) for c in codes] for b in bases], dtype=float)
    targets = targets.reshape(len(bases), len(codes))
    known = ~np.isnan(targets)
    bucket_masks = [bucket_mask(*(age_base_interval(c) or (0, None))) for c in codes]
    # Runs of ages that no base splits ("atoms"), and which atoms each base covers.
    signature = np.array([[m[a] for m in bucket_masks] for a in range(BUCKETS)]).reshape(
        BUCKETS, len(codes))
    atom_of = np.zeros(BUCKETS, dtype=int)
    for a in range(1, BUCKETS):
        same = np.array_equal(signature[a], signature[a - 1])
        atom_of[a] = atom_of[a - 1] + (0 if same else 1)
    atoms = int(atom_of[-1]) + 1
    weight = np.bincount(atom_of, weights=shape.age_share, minlength=atoms)
    masks = [np.array([m[atom_of == i].any() for i in range(atoms)]) for m in bucket_masks]
    start = total[:, None] * weight[None, :]
    people = start.copy()
    _rake(people, total, targets, known, masks)
    misses = _misses(people, targets, known, masks, total)
    converged = misses < _GIVE_UP
    people[~converged] = start[~converged]
    # Spread each atom over its single years in England's proportions.
    within = shape.age_share / weight[atom_of]
    return people[:, atom_of] * within[None, :], converged


def rakeable(bases: Mapping[str, float]) -> bool:
    """Whether a practice's age bases say more than its total (so raking has something to fit)."""
    return bases.get("TOTAL", 0) > 0 and len(bases) > 1


def shape_fingerprint(path: Path = ENGLAND_SHAPE) -> str:
    """Which England shape a raked structure was fitted to (a changed shape file refits)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def rake_once(
    practices: Sequence[tuple[str, Mapping[str, float]]],
) -> list[tuple[str, bool, list[float]]]:
    """Each practice's own age bases raked to single years, for the store to keep.

    Why at import: the raking depends on the store's age bases and England's shape only, not on
    the programme or its parameters, and it ran 200-300 rounds for most practices (about 1.8 s
    of every all-England run). `joinedup import qof` does it once and the store keeps, per
    practice, whether it converged and its patients by single year (0..89, 90+).
    """
    chosen = [(code, bases) for code, bases in practices if rakeable(bases)]
    if not chosen:
        return []
    people, converged = rake_age_bases([bases for _code, bases in chosen], england_shape())
    return [(code, bool(converged[i]), [float(x) for x in people[i]])
            for i, (code, _bases) in enumerate(chosen)]


def _rake(
    people: np.ndarray, total: np.ndarray, targets: np.ndarray, known: np.ndarray,
    masks: Sequence[np.ndarray],
) -> None:
    """Rake `people` (practices x atoms) in place, each practice until it meets its bases.

    The practices still raking are kept in compact arrays, and each base's wanted counts
    inside and outside it are worked out once, so a round costs a few array operations
    whatever the number of practices (a handful that never converge run all _MAX_ROUNDS).
    """
    active = np.flatnonzero(known.any(axis=1))
    want_in = np.clip(targets, 0, None)
    want_out = np.clip(total[:, None] - targets, 0, None)
    block, rows = people[active], active
    t, k_known, tot = targets[active], known[active], total[active]
    w_in, w_out = want_in[active], want_out[active]
    for _ in range(_MAX_ROUNDS):
        if rows.size == 0:
            break
        for k, mask in enumerate(masks):
            have = k_known[:, k]
            if not have.any():
                continue
            inside = block[:, mask].sum(axis=1)
            outside = block[:, ~mask].sum(axis=1)
            # A base the practice lacks, or an empty side, leaves that side as it is (x 1).
            r_in = np.divide(w_in[:, k], inside, out=np.ones_like(inside),
                             where=have & (inside > 0))
            r_out = np.divide(w_out[:, k], outside, out=np.ones_like(outside),
                              where=have & (outside > 0))
            block *= np.where(mask, r_in[:, None], r_out[:, None])
        going = _misses(block, t, k_known, masks, tot) >= _TOLERANCE
        if not going.all():
            people[rows[~going]] = block[~going]
            block, rows, t, k_known, tot = (
                block[going], rows[going], t[going], k_known[going], tot[going])
            w_in, w_out = w_in[going], w_out[going]
    people[rows] = block


def _misses(
    people: np.ndarray, targets: np.ndarray, known: np.ndarray, masks: Sequence[np.ndarray],
    total: np.ndarray,
) -> np.ndarray:
    worst = np.abs(people.sum(axis=1) - total)
    for k, mask in enumerate(masks):
        miss = np.abs(people[:, mask].sum(axis=1) - targets[:, k])
        worst = np.maximum(worst, np.where(known[:, k], miss, 0.0))
    return worst


def expected_from_single_years(
    people: np.ndarray, shape: EnglandShape, prevalence: PrevalenceByAge
) -> np.ndarray:
    """Expected patients per practice from patients per single year (sex by England's share)."""
    return people @ prevalence.per_bucket(shape)
