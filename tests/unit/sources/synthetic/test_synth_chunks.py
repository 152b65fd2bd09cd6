"""Chunks of a large run: list sizes split exactly, streams of their own, practices drawn once."""

from __future__ import annotations

import numpy as np
import pytest

from joinedup.sources.synthetic.background import block_rng
from joinedup.sources.synthetic.chunks import (
    CHUNK_PATIENTS,
    PracticeDraws,
    split_list_sizes,
    stream_name,
)
from joinedup.sources.synthetic.footprint import DEFAULT_PATIENTS
from joinedup.sources.synthetic.records import stage_rng


def test_a_run_within_the_chunk_size_is_one_chunk_of_the_whole_lists() -> None:
    sizes = np.array([5, 9, 1, 7], dtype=np.int64)
    (only,) = split_list_sizes(sizes, 22)
    assert only.tolist() == sizes.tolist()
    assert DEFAULT_PATIENTS <= CHUNK_PATIENTS  # the default footprint is one chunk


@pytest.mark.parametrize("chunk", [1, 2, 7, 100, 999])
def test_every_practice_is_split_exactly_and_no_chunk_is_too_big(chunk: int) -> None:
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 60, 37).astype(np.int64)
    parts = split_list_sizes(sizes, chunk)
    assert len(parts) == -(-int(sizes.sum()) // chunk)  # the fewest chunks that fit
    stacked = np.vstack(parts)
    assert (stacked.sum(axis=0) == sizes).all()
    assert (stacked.max(axis=0) - stacked.min(axis=0) <= 1).all()  # a practice split evenly
    totals = stacked.sum(axis=1)
    assert totals.max() <= chunk and totals.max() - totals.min() <= 1


def test_a_chunk_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="chunk_patients"):
        split_list_sizes(np.array([3]), 0)


def test_later_chunks_draw_from_streams_of_their_own() -> None:
    assert stream_name("conditions", 0) == "conditions"  # the first chunk: as before
    draws = {tuple(stage_rng(1, stream_name("conditions", k)).random(4)) for k in range(4)}
    assert len(draws) == 4
    blocks = {tuple(block_rng(1, 0, k).random(4)) for k in range(4)}
    assert len(blocks) == 4
    # The first chunk's streams are an unchunked run's: test_synth_chunked_runs.py
    # compares its files with digests recorded before chunks existed.


def test_practice_draws_are_made_once_and_then_reused() -> None:
    draws = PracticeDraws()
    first = np.random.default_rng(0)
    value = draws.once("effect", lambda: first.normal(size=3))
    later = np.random.default_rng(99)
    again = draws.once("effect", lambda: later.normal(size=3))
    assert again is value
    assert later.random() == np.random.default_rng(99).random()  # the later chunk drew nothing
