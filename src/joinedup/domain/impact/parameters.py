"""Reading an impact model's figures from its cited parameter tables, each checked and named.

Why: every model reads single named figures (a relative risk reduction, a cost) and score tables
from CSVs with a source on every row; one set of readers gives every model the same checks and
the same error wording (file, row, column).
"""

from __future__ import annotations

from joinedup.domain.parameters import ParameterError, ParameterTable

IMPACT = "impact"
SCORE_COLUMN = "cha2ds2vasc"
AMBITION_SENTINEL = "ambition"
"""impact.csv value meaning "use the treat ambition in force" (treated_share_of_found)."""


def treated_share_of_found(impact: ParameterTable) -> float | None:
    """The parameter as a share, or None where it says to take the ambition's share."""
    if parameter_raw(impact, "treated_share_of_found").lower() == AMBITION_SENTINEL:
        return None
    return parameter(impact, "treated_share_of_found", upper=1.0)


def score_table(table: ParameterTable, column: str) -> dict[int, float]:
    """score -> value, with each value a number in [0, 1] and each score a unique integer."""
    values: dict[int, float] = {}
    for index, row in enumerate(table.rows):
        raw = row.get(SCORE_COLUMN, "")
        try:
            score = int(raw)
        except ValueError:
            raise ParameterError(
                f"{table.path}: row {index + 1}, column {SCORE_COLUMN!r}: {raw!r} is not a "
                "whole score"
            ) from None
        if score in values:
            raise ParameterError(f"{table.path}: row {index + 1}: score {score} given twice")
        value = table.float_at(index, column)
        if not 0 <= value <= 1:
            raise ParameterError(
                f"{table.path}: row {index + 1}, column {column!r}: {value} is not in [0, 1]"
            )
        values[score] = value
    return values


def _parameter_index(table: ParameterTable, name: str) -> int:
    found = [i for i, r in enumerate(table.rows) if r.get("parameter") == name]
    if len(found) != 1:
        raise ParameterError(
            f"{table.path}: expected one row with parameter {name!r}, found {len(found)}"
        )
    return found[0]


def parameter_raw(table: ParameterTable, name: str) -> str:
    return table.rows[_parameter_index(table, name)].get("value", "")


def parameter(table: ParameterTable, name: str, upper: float | None = None) -> float:
    index = _parameter_index(table, name)
    value = table.float_at(index, "value")
    if value < 0 or (upper is not None and value > upper):
        bound = f"in [0, {upper:g}]" if upper is not None else "0 or more"
        raise ParameterError(
            f"{table.path}: row {index + 1} ({name}), column 'value': {value:g} must be {bound}"
        )
    return value
