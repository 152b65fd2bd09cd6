"""Generating a synthetic ICS: the use case behind `joinedup synth`.

Why a use case of its own: surfaces import only `joinedup.app`. The defaults and footprints are
read without loading the generator; `generate` loads it on first use (PEP 562), so
`joinedup --help` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from joinedup.sources.synthetic import (
    DEFAULT_DENSITY,
    DEFAULT_REFERENCE_DATE,
    DEFAULT_SEED,
    DENSITIES,
    FOOTPRINTS,
    STAGES,
)

if TYPE_CHECKING:
    from joinedup.sources.synthetic.generator import SynthResult, generate


def __getattr__(name: str) -> Any:
    if name in ("generate", "SynthResult"):
        import importlib

        return getattr(importlib.import_module("joinedup.sources.synthetic.generator"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_DENSITY",
    "DEFAULT_REFERENCE_DATE",
    "DEFAULT_SEED",
    "DENSITIES",
    "FOOTPRINTS",
    "STAGES",
    "SynthResult",
    "generate",
]
