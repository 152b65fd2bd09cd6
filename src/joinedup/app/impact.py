"""The size of the prize for a number: what extra treatment and case finding is worth a year.

Why: a programme lead often needs the prize for a number rather than a whole footprint run ("if
we anticoagulate 400 more patients and find 150 more, how many strokes is that?"). The programme's
own impact model, parameters and treat ambition answer, exactly as a run would.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.app.programme import ProgrammeRequest, ProgrammeSetup
from joinedup.domain.impact import ImpactResult


@dataclass(frozen=True)
class ImpactRequest(ProgrammeRequest):
    """Patients newly treated (already on the register) and newly found."""

    additional_treated: int = 0
    additional_found: int = 0


@dataclass(frozen=True)
class ImpactAnswer:
    result: ImpactResult
    setup: ProgrammeSetup


def estimate_impact(request: ImpactRequest) -> ImpactAnswer:
    """Events prevented, deaths avoided and money saved a year, with the parameters used."""
    setup = ProgrammeSetup.load(request.programme, request.parameters_dir)
    ambition = setup.ambition(request.ambition)
    result = setup.impact.for_additional(
        request.additional_treated, request.additional_found, ambition
    )
    return ImpactAnswer(result, setup)
