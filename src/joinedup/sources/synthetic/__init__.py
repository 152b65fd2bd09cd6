"""A realistic, deterministic synthetic ICS: organisations, patients and their records.

`generate` writes the patient-level contract tables (docs/synthetic.md describes every rate and
its source); `FOOTPRINTS` names the footprints it can fill.
"""

from joinedup.sources.synthetic.footprint import FOOTPRINTS, UnknownFootprintError
from joinedup.sources.synthetic.generate import STAGES, SynthResult, generate

__all__ = ["FOOTPRINTS", "STAGES", "SynthResult", "UnknownFootprintError", "generate"]
