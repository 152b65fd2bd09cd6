"""Row buffers for the generated tables, and the context every record stage shares.

Why: each stage (conditions, observations, medications, encounters) appends whole numpy arrays,
never single rows; the writer concatenates them once at the end.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from joinedup.sources.synthetic.chunks import PracticeDraws, stream_name
from joinedup.sources.synthetic.codes import CodeBook
from joinedup.sources.synthetic.footprint import Footprint
from joinedup.sources.synthetic.population import Population
from joinedup.sources.synthetic.rates import Rates
from joinedup.sources.synthetic.scenario import Change

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass
class Rows:
    """Chunks of (patient index, day, code index, value) for clinical events or medications."""

    patient: list[IntArray] = field(default_factory=list)
    day: list[IntArray] = field(default_factory=list)
    code: list[IntArray] = field(default_factory=list)
    value: list[FloatArray] = field(default_factory=list)

    def add(
        self,
        patient: IntArray,
        day: IntArray,
        code: IntArray | int,
        value: FloatArray | None = None,
    ) -> None:
        n = patient.shape[0]
        if n == 0:
            return
        if day.shape[0] != n:
            raise ValueError("patient and day arrays differ in length")
        codes = np.full(n, code, dtype=np.int64) if isinstance(code, int) else code
        self.patient.append(patient.astype(np.int64, copy=False))
        self.day.append(day.astype(np.int64, copy=False))
        self.code.append(codes.astype(np.int64, copy=False))
        self.value.append(np.full(n, np.nan) if value is None else value.astype(np.float64))

    def __len__(self) -> int:
        return sum(p.shape[0] for p in self.patient)

    def arrays(self) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
        if not self.patient:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(0)
        return (
            np.concatenate(self.patient),
            np.concatenate(self.day),
            np.concatenate(self.code),
            np.concatenate(self.value),
        )


@dataclass
class Context:
    """What the record stages share: population, rates, codes, the scenario and output buffers.

    `chunk` (0-based) names this chunk's random streams; `practice_draws` holds the
    practice-level draws every chunk of a run shares (chunks.py).
    """

    footprint: Footprint
    rates: Rates
    population: Population
    codes: CodeBook
    reference: int  # day number of the reference date
    seed: int
    change: Change
    chunk: int = 0
    practice_draws: PracticeDraws = field(default_factory=PracticeDraws)
    events: Rows = field(default_factory=Rows)
    medications: Rows = field(default_factory=Rows)

    def rng(self, stage: str) -> np.random.Generator:
        return stage_rng(self.seed, stream_name(stage, self.chunk))


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """An independent, reproducible stream per stage, so stages do not shift each other."""
    return np.random.default_rng([seed, zlib.crc32(stage.encode())])
