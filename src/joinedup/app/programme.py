"""A programme made ready to run: its definition, cited parameters, codelists and impact model.

Why: every use case that measures a programme (run, progress, impact, the dashboard) needs the
same four things, read and checked once from the programme's name and any parameter override
folder, and the same request fields (programme, ambition, parameters, publication) under the
same names on every surface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from joinedup.domain.ambitions import Ambition, AmbitionRequest
from joinedup.domain.codelists import Codelist
from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.impact import ImpactEstimator, impact_model
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme
from joinedup.programmes import load_parameters, load_programme, resolve_codelists


@dataclass(frozen=True)
class ProgrammeRequest:
    """What every programme use case is asked: which programme, to which ambition, with which
    parameters, and whether the outputs are for publication (None: exact working outputs)."""

    programme: str = "af"
    ambition: AmbitionRequest = field(default_factory=AmbitionRequest)
    parameters_dir: Path | None = None
    publish: PublicationPolicy | None = None


@dataclass(frozen=True)
class ProgrammeSetup:
    """The programme's definition with everything it needs to run, checked once."""

    programme: Programme
    parameters: ParameterSet
    codelists: dict[str, Codelist]
    impact: ImpactEstimator

    @classmethod
    def load(cls, name: str, parameters_dir: Path | None = None) -> ProgrammeSetup:
        """A packaged programme by name, with any user override folder for its parameters."""
        programme = load_programme(name)
        parameters = load_parameters(programme, parameters_dir)
        return cls(
            programme=programme,
            parameters=parameters,
            codelists=resolve_codelists(programme),
            impact=impact_model(programme.impact_model, parameters),
        )

    def ambition(self, request: AmbitionRequest) -> Ambition:
        """The ambition in force: the request, with this programme's defaults for the rest."""
        return request.resolve(self.programme.ambitions)


__all__ = [
    "AmbitionRequest",
    "ProgrammeRequest",
    "ProgrammeSetup",
    "PublicationPolicy",
]
