"""The size of the prize: events prevented, deaths avoided and money saved a year.

Why a package: each impact model is one idea in a module of its own behind one protocol
(`ImpactEstimator`, in `result`), so a new condition's model is a new module and a registration
in `domain.extensions.IMPACT_MODELS`, never a branch:

- `stroke_risk`: AF, strokes prevented by anticoagulation by CHA2DS2-VASc score;
- `blood_pressure`: hypertension, strokes and heart attacks prevented per 10 mmHg lowered;
- `parameters`: the checked readers of the cited tables both use.

`impact_model(kind, parameters)` builds the registered model of a kind from a parameter set.
"""

from __future__ import annotations

from joinedup.domain.extensions import IMPACT_MODELS
from joinedup.domain.impact.result import ImpactError, ImpactEstimator, ImpactResult
from joinedup.domain.parameters import ParameterSet


def impact_model(kind: str, parameters: ParameterSet) -> ImpactEstimator:
    """The impact model registered as `kind` (programme.toml `[parameters] impact_model`), read
    and checked from `parameters`."""
    if kind not in IMPACT_MODELS:
        raise ImpactError(f"unknown impact model {kind!r}; choose one of: "
                          f"{', '.join(IMPACT_MODELS.names())}")
    model: ImpactEstimator = IMPACT_MODELS.load(kind).from_parameters(parameters)
    return model


__all__ = ["ImpactError", "ImpactEstimator", "ImpactResult", "impact_model"]
