"""Calibrating the synthetic wait distribution to NHS England's referral-to-treatment bands.

Why: synthetic lists are only useful if their waits look like real lists. NHS England publishes
incomplete RTT pathways by commissioner and treatment function in weekly bands (>0-1 … >51-52,
52 plus). This module reads that CSV, sums the bands over commissioners for one treatment
function, fits a Weibull distribution of waits in weeks by a grid search that minimises the
largest gap between the cumulative shares at the 52 band edges, and measures how close any set of
waits comes to the bands. The fitted figures live in ``parameters/wait_distribution.csv``; the
tests refit them from the shared RTT file and measure the synthetic lists against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from joinedup.domain.waitlist.waits import nearest_rank_index

EDGES = np.arange(1, 53)  # band edges in weeks: >0-1 ends at 1, ... >51-52 ends at 52
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Bands:
    """Counts in the 52 weekly bands and the 52-plus band for one treatment function."""

    treatment_function: str
    counts: FloatArray  # 53 values

    @property
    def total(self) -> float:
        return float(self.counts.sum())

    def cumulative(self) -> FloatArray:
        """Share waiting up to each band edge (1..52 weeks)."""
        return np.cumsum(self.counts)[:-1] / self.total


def read_bands(path: Path, treatment_function: str) -> Bands:
    """Sum one treatment function's weekly bands over every commissioner in an RTT CSV."""
    frame = pd.read_csv(path)
    columns = [c for c in frame.columns if str(c).startswith(">")] + ["52 plus"]
    rows = frame[frame["Treatment Function"] == treatment_function]
    if rows.empty or len(columns) != 53:
        raise ValueError(f"{path}: no weekly bands for treatment function {treatment_function!r}")
    counts = rows[columns].apply(pd.to_numeric, errors="coerce").fillna(0).sum()
    return Bands(treatment_function, counts.to_numpy(dtype=np.float64))


def weibull_cdf(weeks: FloatArray, shape: float, scale: float) -> FloatArray:
    return 1 - np.exp(-((weeks / scale) ** shape))


def fit_weibull(bands: Bands) -> tuple[float, float, float]:
    """(shape, scale in weeks, largest cumulative gap) by a coarse then a fine grid."""
    target = bands.cumulative()
    best = (np.inf, 1.0, 1.0)
    shapes, scales = np.arange(0.5, 3.0, 0.05), np.arange(1.0, 60.0, 0.25)
    for _ in range(2):
        grid_k, grid_l = np.meshgrid(shapes, scales, indexing="ij")
        model = 1 - np.exp(-((EDGES[None, None, :] / grid_l[..., None]) ** grid_k[..., None]))
        gaps = np.abs(model - target).max(axis=2)
        i, j = np.unravel_index(int(gaps.argmin()), gaps.shape)
        best = (float(gaps[i, j]), float(grid_k[i, j]), float(grid_l[i, j]))
        shapes = np.arange(best[1] - 0.05, best[1] + 0.05, 0.001)
        scales = np.arange(best[2] - 0.25, best[2] + 0.25, 0.005)
    return best[1], best[2], best[0]


@dataclass(frozen=True)
class Closeness:
    """How close waits (in days) come to the published bands."""

    largest_gap: float  # largest gap in cumulative share at the 52 band edges
    within_18_weeks: tuple[float, float]  # (published, waits)
    over_52_weeks: tuple[float, float]
    median_band: tuple[int, int]  # the band (1..53) holding the median
    p92_band: tuple[int, int]


def _band_of(share: float, cumulative: FloatArray) -> int:
    return int(np.searchsorted(cumulative, share) + 1)


def closeness(waits_days: npt.ArrayLike, bands: Bands) -> Closeness:
    days = np.sort(np.asarray(waits_days, dtype=np.int64))
    # A wait of d days lies in band ceil(d / 7), the RTT ">k-1 to k weeks" band.
    weeks_band = np.maximum(1, np.ceil(days / 7)).astype(np.int64)
    ours = np.array([(weeks_band <= e).mean() for e in EDGES])
    published = bands.cumulative()
    median = int(weeks_band[nearest_rank_index(len(days), 0.5)])
    p92 = int(weeks_band[nearest_rank_index(len(days), 0.92)])
    return Closeness(
        largest_gap=float(np.abs(ours - published).max()),
        within_18_weeks=(float(published[17]), float(ours[17])),
        over_52_weeks=(float(1 - published[51]), float(1 - ours[51])),
        median_band=(_band_of(0.5, published), median),
        p92_band=(_band_of(0.92, published), p92),
    )
