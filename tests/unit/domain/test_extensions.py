"""The extension points: every registration loads, and a new one is a registration, not a branch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from joinedup.domain.errors import UserError
from joinedup.domain.extensions import (
    ENGINES,
    FOOTPRINTS,
    IMPACT_MODELS,
    POINTS,
    STORE_KINDS,
    ExtensionPoint,
    UnknownExtensionError,
)


@pytest.mark.parametrize("point", POINTS, ids=lambda p: p.kind)
def test_every_registered_target_loads(point: ExtensionPoint) -> None:
    assert point.names(), f"{point.kind} has no registration"
    for name in point.names():
        assert point.load(name) is not None


def test_an_unknown_name_is_a_user_error_listing_the_choices() -> None:
    message = "unknown engine 'oracle'; choose one of: duckdb, spark"
    with pytest.raises(UnknownExtensionError, match=message):
        ENGINES.load("oracle")
    assert issubclass(UnknownExtensionError, UserError)


def test_store_kinds_answer_the_same_three_questions() -> None:
    for name in STORE_KINDS.names():
        kind = STORE_KINDS.load(name)
        for method in ("holds", "period_end", "practice_counts", "measure",
                       "practice_counts_series"):
            assert callable(getattr(kind, method)), f"{name} lacks {method}"


def test_a_new_impact_model_is_a_registration(tmp_path: Path) -> None:
    """A programme can name a model registered after joinedup's own; the parser then accepts it."""
    from joinedup.domain.programme import ProgrammeError, programme_from_mapping

    data = {
        "name": "mine", "title": "Mine",
        "parameters": {"expected_prevalence": "p", "impact_model": "flat_rate"},
        "ambitions": {"detect": 0.8, "treat": 0.8, "combined": 0.64},
        "codelists": {"x": "snomed_ct"},
        "register": {"codelist": "x"},
        "eligibility": {"all_on_register": True},
        "treated": {"when": {"coded": "x"}},
    }  # fmt: skip
    with pytest.raises(ProgrammeError, match="'flat_rate' is not one of"):
        programme_from_mapping(data, tmp_path / "programme.toml")
    IMPACT_MODELS.register("flat_rate", "joinedup.domain.impact.stroke_risk:StrokeRiskModel")
    try:
        assert programme_from_mapping(data, tmp_path / "programme.toml").impact_model == "flat_rate"
    finally:
        del IMPACT_MODELS.targets["flat_rate"]
        IMPACT_MODELS._loaded.pop("flat_rate", None)


def test_a_target_must_name_module_and_attribute() -> None:
    point = ExtensionPoint("widget", "for this test")
    with pytest.raises(ValueError, match="not 'module:attribute'"):
        point.register("x", "joinedup.domain")


def test_footprints_are_read_without_loading_the_generator() -> None:
    code = (
        "import sys\n"
        "from joinedup.sources.synthetic import FOOTPRINTS\n"
        "assert FOOTPRINTS[0] == 'west-yorkshire'\n"
        "print(sorted(m for m in ('numpy', 'pyarrow', 'pandas') if m in sys.modules))\n"
    )
    out = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert out.strip() == "[]"
    assert FOOTPRINTS.default == "west-yorkshire"
