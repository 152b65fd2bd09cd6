"""Shared fixtures. Randomness is seeded everywhere; a test that touches the global RNG fails."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import rich.style  # noqa: F401  rich seeds the global `random` on first import; do it before the guard
from hypothesis import settings

# Property tests draw the same examples on every run, so CI cannot fail by luck; explore new ones
# with `pytest --hypothesis-profile=explore` (then add what it finds as an explicit example).
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile("default")

pytest_plugins = ["pytester", "fixtures.postgres", "fixtures.ops", "fixtures.web",
                  "fixtures.browser", "fixtures.spark", "fixtures.record"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real open data that sits beside the repository (CI clones it there)."""
    assert SHARED_DATA.is_dir(), f"expected the shared open data at {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _no_global_randomness() -> Iterator[None]:
    """Fail any test whose code draws from the unseeded global random generators."""
    py_state = random.getstate()
    np_state = np.random.get_state()
    yield
    assert random.getstate() == py_state, "test used the global `random` generator; seed one"
    after = np.random.get_state()
    assert all(
        np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
        for a, b in zip(np_state, after, strict=True)
    ), "test used numpy's global generator; use np.random.default_rng(seed)"


@pytest.fixture(autouse=True, scope="session")
def _query_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled queries go to a folder of the test session's own (and commands the tests start
    inherit it), never the user's cache; tests share it, so repeat queries take the cached path
    as a user's second run does."""
    previous = os.environ.get("JOINEDUP_CACHE_DIR")
    os.environ["JOINEDUP_CACHE_DIR"] = str(tmp_path_factory.mktemp("query-cache"))
    yield
    if previous is None:
        os.environ.pop("JOINEDUP_CACHE_DIR", None)
    else:
        os.environ["JOINEDUP_CACHE_DIR"] = previous
