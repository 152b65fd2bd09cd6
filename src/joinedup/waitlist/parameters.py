"""The packaged waiting-list parameter set and a user's overrides of it.

Why: the priority targets, mixes, minutes per case, referral rates, wait shapes and the scenario
are cited data (``parameters/``), read once here so every command names the version it used.
"""

from __future__ import annotations

from pathlib import Path

from joinedup.domain.parameters import ParameterSet
from joinedup.domain.waitlist.priority import Priorities

PACKAGED = Path(__file__).resolve().parent / "parameters"


def load_parameters(overrides: Path | None = None) -> ParameterSet:
    """The packaged set, with any same-named CSVs from ``overrides`` replacing its tables."""
    return ParameterSet.from_dir(PACKAGED).with_overrides(overrides)


def priorities(parameters: ParameterSet) -> Priorities:
    table = parameters["priority_targets"]
    return Priorities.from_rows(table.rows, str(table.path))
