"""Generating a large population in chunks, so memory is bounded by one chunk, not the whole.

Why: every stage holds whole arrays of its patients and their rows, so memory grows with the
population (2.6 M patients at programme density peak at about 2.8 GiB; all England's 57 M would
need about 60 GiB). `generate` therefore fills the footprint in chunks of at most
`CHUNK_PATIENTS` registered patients: each chunk is the whole footprint at a share of every
practice's list, run through the same stages with random streams of its own, and appended to the
same files. A run at or below the chunk size is one chunk, exactly as before.

What must not differ between chunks is drawn once: the practice-level draws (how much each
practice's recording, treatment, opt-out and activity differ from the mean) come from the first
chunk and are reused by the rest (`PracticeDraws`), so a practice is the same practice in every
chunk and the spread between practices does not average away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
T = TypeVar("T")

CHUNK_PATIENTS = 4_000_000
"""Most registered patients generated at once. Above the default footprint (2.6 M), so the
default run and every test store is one chunk and byte-identical to an unchunked run. Memory is
about 1.3 GiB per million registered patients of a chunk (10 M in chunks of 3.3 M peaked at
4.2 GiB, 57 M in chunks of 3.8 M at 4.8 GiB), well within a 24 GiB machine."""


def split_list_sizes(list_size: IntArray, chunk_patients: int) -> list[IntArray]:
    """Each practice's list split across the fewest chunks of at most `chunk_patients`.

    Every practice's parts sum exactly to its list size and differ by at most one; the odd
    patients are dealt round the chunks practice after practice, so chunk totals differ by at
    most one too (and so none exceeds `chunk_patients`).
    """
    if chunk_patients < 1:
        raise ValueError(f"chunk_patients must be at least 1, got {chunk_patients}")
    sizes = np.asarray(list_size, dtype=np.int64)
    count = max(1, -(-int(sizes.sum()) // chunk_patients))
    base, extra = sizes // count, sizes % count
    start = (np.cumsum(extra) - extra) % count  # where each practice's odd patients begin
    return [base + (((k - start) % count) < extra) for k in range(count)]


def stream_name(stage: str, chunk: int) -> str:
    """The random stream of `stage` in chunk `chunk` (0-based): the first keeps the bare name."""
    return stage if chunk == 0 else f"{stage}/chunk-{chunk + 1}"


class PracticeDraws:
    """Practice-level draws made in the first chunk and handed unchanged to every later one.

    The first chunk draws at the same point of its stream as an unchunked run, so a one-chunk
    run is unchanged; later chunks take the stored value and skip the draw.
    """

    def __init__(self) -> None:
        self._drawn: dict[str, object] = {}

    def once(self, key: str, draw: Callable[[], T]) -> T:
        if key not in self._drawn:
            self._drawn[key] = draw()
        return cast(T, self._drawn[key])
