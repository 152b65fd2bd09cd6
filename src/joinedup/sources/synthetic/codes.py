"""Codes the generator writes, drawn only from the packaged codelists.

Why: the synthetic record must be read by the same codelists the programmes use, and it must
look like real coding, where a few concepts carry most of the records. Every code comes from
``load_codelist(name, system)``; draws are skewed towards the first rows (the packaged lists put
the most commonly recorded concept first) with weight 1 / rank ** skew.

Codes are held as integer indices into one vocabulary per coding system, so the millions of
event rows stay numeric until they are written out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from joinedup.domain.codelists import CodeSystem, load_codelist

IntArray = npt.NDArray[np.int64]


@dataclass
class Vocabulary:
    """The distinct codes of one coding system, in first-use order."""

    system: CodeSystem
    codes: list[str] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def add(self, code: str) -> int:
        if code not in self._index:
            self._index[code] = len(self.codes)
            self.codes.append(code)
        return self._index[code]

    def code(self, index: int) -> str:
        return self.codes[index]


@dataclass(frozen=True)
class Picker:
    """Draws codes of one codelist (optionally less another), skewed to the first rows."""

    name: str
    indices: IntArray  # into the vocabulary
    weights: npt.NDArray[np.float64]

    def draw(self, rng: np.random.Generator, n: int) -> IntArray:
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        return self.indices[rng.choice(self.indices.shape[0], size=n, p=self.weights)]

    def first(self) -> int:
        return int(self.indices[0])


class CodeBook:
    """Pickers for the codelists the generator uses, sharing one vocabulary per system."""

    def __init__(self, skew: float) -> None:
        self.skew = skew
        self.vocabularies = {s: Vocabulary(s) for s in CodeSystem}
        self._pickers: dict[tuple[str, str | None], Picker] = {}

    def picker(
        self,
        name: str,
        system: CodeSystem = CodeSystem.SNOMED_CT,
        *,
        excluding: str | None = None,
    ) -> Picker:
        """A picker over codelist `name`, less the codes of codelist `excluding` if given."""
        key = (f"{system.value}/{name}", excluding)
        if key not in self._pickers:
            codelist = load_codelist(name, system)
            drop = load_codelist(excluding, system).codes if excluding else frozenset()
            codes = [c for c in codelist.ordered if c not in drop]
            if not codes:
                raise ValueError(
                    f"codelist {name!r} has no codes left after removing {excluding!r}"
                )
            vocabulary = self.vocabularies[system]
            indices = np.array([vocabulary.add(c) for c in codes], dtype=np.int64)
            weights = 1.0 / np.arange(1, len(codes) + 1) ** self.skew
            self._pickers[key] = Picker(name, indices, weights / weights.sum())
        return self._pickers[key]

    def vocabulary(self, system: CodeSystem) -> list[str]:
        return self.vocabularies[system].codes
