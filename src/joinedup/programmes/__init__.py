"""The packaged programme definitions, and the helpers that load any definition.

Why: each folder here (``af/``, later ``hypertension/``) is data, a ``programme.toml`` with its
cited ``parameters/``; nothing in this package is condition-specific code. The packaged
programmes go through ``load_programme_file`` exactly as a user's own definition does, so the
extension point is the one the product itself uses (STYLE.md point 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from joinedup.domain.codelists import (
    Codelist,
    CodelistError,
    load_codelist,
    load_codelist_file,
)
from joinedup.domain.extensions import PROGRAMMES
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import (
    PROGRAMME_FILE,
    Programme,
    ProgrammeError,
    load_programme_file,
)

PACKAGE_DIR = Path(__file__).resolve().parent

__all__ = [
    "PACKAGE_DIR",
    "available_programmes",
    "load_parameters",
    "load_programme",
    "load_programme_file",
    "programme_dir",
    "resolve_codelists",
]


def available_programmes() -> tuple[str, ...]:
    """Names of the registered programmes (`domain.extensions.PROGRAMMES`), sorted."""
    return tuple(sorted(PROGRAMMES.names()))


def programme_dir(name: str) -> Path:
    """The folder of a registered programme; a clear error lists the ones there are."""
    folder = None
    if name in PROGRAMMES:
        folder = Path(next(iter(PROGRAMMES.load(name))))
    if folder is None or not (folder / PROGRAMME_FILE).is_file():
        raise ProgrammeError(
            f"no packaged programme {name!r}; available: {', '.join(available_programmes())} "
            "(or load your own with load_programme_file(path))"
        )
    return folder


def load_programme(name: str) -> Programme:
    """Load a packaged programme, e.g. ``load_programme("af")``."""
    return load_programme_file(programme_dir(name) / PROGRAMME_FILE)


def load_parameters(programme: Programme, overrides: Path | str | None = None) -> ParameterSet:
    """The programme's cited parameter set (its ``[parameters] folder``), with any overrides."""
    if programme.parameters_dir is None:
        raise ProgrammeError(
            f"{programme.source}: parameters.folder: not set, so pass a ParameterSet explicitly"
        )
    return ParameterSet.from_dir(programme.parameters_dir).with_overrides(overrides)


def resolve_codelists(
    programme: Programme, overrides: Mapping[str, Codelist] | None = None
) -> dict[str, Codelist]:
    """Every codelist the programme declares, by its name in the definition.

    A declared ``file`` is read from disk; otherwise the packaged list of that name is used.
    ``overrides`` (e.g. small inline lists in tests) replace lists by name. Each list must be in
    the coding system the definition declares for it.
    """
    overrides = overrides or {}
    resolved: dict[str, Codelist] = {}
    for ref in programme.codelists:
        try:
            if ref.name in overrides:
                codelist = overrides[ref.name]
            elif ref.path is not None:
                codelist = load_codelist_file(ref.path, ref.system)
            else:
                codelist = load_codelist(ref.name, ref.system)
        except CodelistError as exc:
            raise ProgrammeError(f"{programme.source}: codelists.{ref.name}: {exc}") from None
        if codelist.system is not ref.system:
            raise ProgrammeError(
                f"{programme.source}: codelists.{ref.name}: declared {ref.system.label} but the "
                f"list given holds {codelist.system.label} codes"
            )
        resolved[ref.name] = codelist
    return resolved
