"""The partnership plan: what the partners agreed to change, by when, where, and how measured.

`model` holds the types, `parser` checks a plan file's contents, `progress` measures an
ambition against its targets. Pure rules: standard library only.
"""

from joinedup.domain.partnership.model import (
    FOOTPRINT,
    PROGRAMME_FIGURES,
    Direction,
    MeasureDefinition,
    PartnershipPlan,
    PlanAmbition,
    PlanError,
    Priority,
    ProgrammeFigure,
    Reading,
    Target,
    TripleAim,
)
from joinedup.domain.partnership.parser import PLAN_KEYS, plan_from_mapping
from joinedup.domain.partnership.progress import (
    AreaProgress,
    Status,
    ambition_progress,
    area_progress,
    status_counts,
)

__all__ = [
    "FOOTPRINT",
    "PLAN_KEYS",
    "PROGRAMME_FIGURES",
    "AreaProgress",
    "Direction",
    "MeasureDefinition",
    "PartnershipPlan",
    "PlanAmbition",
    "PlanError",
    "Priority",
    "ProgrammeFigure",
    "Reading",
    "Status",
    "Target",
    "TripleAim",
    "ambition_progress",
    "area_progress",
    "plan_from_mapping",
    "status_counts",
]
