"""Codes come only from the packaged codelists, skewed towards each list's first rows."""

from __future__ import annotations

import numpy as np

from joinedup.domain.codelists import CodeSystem, load_codelist
from joinedup.sources.synthetic.codes import CodeBook


def test_picker_draws_only_codelist_codes_most_often_the_first() -> None:
    book = CodeBook(skew=1.5)
    picker = book.picker("af")
    drawn = picker.draw(np.random.default_rng(0), 20_000)
    vocabulary = book.vocabulary(CodeSystem.SNOMED_CT)
    codes = [vocabulary[i] for i in drawn]
    af = load_codelist("af")
    assert set(codes) <= af.codes
    counts = {c: codes.count(c) for c in set(codes)}
    assert max(counts, key=counts.__getitem__) == af.ordered[0]
    # Weight 1 / rank^1.5 over the list: the first code takes its exact share.
    weights = 1 / np.arange(1, len(af) + 1) ** 1.5
    share = counts[af.ordered[0]] / len(codes)
    assert abs(share - weights[0] / weights.sum()) < 0.015


def test_excluding_removes_another_lists_codes() -> None:
    book = CodeBook(skew=1.5)
    regular = book.picker("pulse_check", excluding="irregular_pulse")
    vocabulary = book.vocabulary(CodeSystem.SNOMED_CT)
    drawn = {vocabulary[i] for i in regular.draw(np.random.default_rng(1), 500)}
    assert drawn
    assert not drawn & load_codelist("irregular_pulse").codes


def test_systems_keep_separate_vocabularies() -> None:
    book = CodeBook(skew=1.5)
    doac = book.picker("doac", CodeSystem.DMD)
    book.picker("af")
    dmd = book.vocabulary(CodeSystem.DMD)
    assert {dmd[i] for i in doac.indices} == load_codelist("doac", CodeSystem.DMD).codes
    assert not set(book.vocabulary(CodeSystem.SNOMED_CT)) & set(dmd)
