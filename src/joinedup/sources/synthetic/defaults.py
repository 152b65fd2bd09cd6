"""The synthetic generator's defaults and stages, importable without loading the generator.

Why apart: `joinedup synth --help` shows these defaults; reading them must not load numpy,
pyarrow and the generator's stages, so the CLI starts at once.
"""

from __future__ import annotations

from datetime import date

DEFAULT_SEED = 42
DENSITIES = ("realistic", "programme")
"""``realistic`` adds a real GP extract's background (background.py); ``programme`` writes only
the records the programmes read."""
DEFAULT_DENSITY = "realistic"
DEFAULT_REFERENCE_DATE = date(2026, 3, 31)
STAGES = (
    "footprint",
    "patients",
    "diagnoses",
    "observations",
    "medications",
    "encounters",
    "writing",
)
"""The generator's stages in order, as its progress callback names them."""
