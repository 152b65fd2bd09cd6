"""A realistic, deterministic synthetic ICS: organisations, patients and their records.

`generate` writes the patient-level contract tables (docs/synthetic.md describes every rate and
its source); `FOOTPRINTS` names the footprints it can fill (`domain.extensions.FOOTPRINTS`).
The generator loads only when `generate` is first used (PEP 562), so reading the defaults and
footprints is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from joinedup.domain.extensions import FOOTPRINTS as _FOOTPRINT_POINT
from joinedup.sources.synthetic.defaults import (
    DEFAULT_DENSITY,
    DEFAULT_REFERENCE_DATE,
    DEFAULT_SEED,
    DENSITIES,
    STAGES,
)

if TYPE_CHECKING:
    from joinedup.sources.synthetic.footprint import UnknownFootprintError
    from joinedup.sources.synthetic.generator import SynthResult, generate

FOOTPRINTS = _FOOTPRINT_POINT.names(plugins=False)
"""The footprints joinedup itself registers (others' plugins are found when asked for)."""
_LAZY = {
    "generate": "joinedup.sources.synthetic.generator",
    "SynthResult": "joinedup.sources.synthetic.generator",
    "UnknownFootprintError": "joinedup.sources.synthetic.footprint",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_DENSITY",
    "DEFAULT_REFERENCE_DATE",
    "DEFAULT_SEED",
    "DENSITIES",
    "FOOTPRINTS",
    "STAGES",
    "SynthResult",
    "UnknownFootprintError",
    "generate",
]
