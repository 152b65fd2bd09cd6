"""JOINEDUP_MEMORY_LIMIT: a size with a unit, or nothing for DuckDB's own default."""

from __future__ import annotations

import pytest

from joinedup.domain.memory import MEMORY_LIMIT_ENV, MemoryLimitError, memory_limit


@pytest.mark.parametrize("value", ["8GB", "512MiB", " 1.5 gb ", "100000B", "2TiB"])
def test_a_number_and_a_unit_is_passed_on_as_given(value: str) -> None:
    assert memory_limit({MEMORY_LIMIT_ENV: value}) == value.strip()


@pytest.mark.parametrize("environ", [{}, {MEMORY_LIMIT_ENV: ""}, {MEMORY_LIMIT_ENV: "  "}])
def test_unset_or_blank_leaves_duckdbs_default(environ: dict[str, str]) -> None:
    assert memory_limit(environ) is None


@pytest.mark.parametrize("value", ["lots", "8", "GB", "-1GB", "8 GB of RAM", "80%"])
def test_anything_else_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(MemoryLimitError, match=MEMORY_LIMIT_ENV):
        memory_limit({MEMORY_LIMIT_ENV: value})
