"""The NHS number Modulus 11 check written as a DuckDB SQL expression.

Why in SQL: the loader checks 2.6 million numbers per ICS set-wise inside DuckDB; calling Python
per row would dominate the load. The rule mirrors ``joinedup.domain.nhs_number.is_valid`` (ten
ASCII digits; weights 10..2 on the first nine; 11 - sum mod 11, where 11 means 0 and 10 means no
valid number), and a property test holds the two together.
"""

from __future__ import annotations

from joinedup.domain.nhs_number import WEIGHTS


def nhs_number_valid_sql(expr: str) -> str:
    """A SQL boolean expression: TRUE when ``expr`` (VARCHAR) is a valid NHS number.

    NULL input gives FALSE, so callers can use it directly in a WHERE or CASE.
    """
    weighted = " + ".join(
        f"{weight} * (ascii(substr({expr}, {i}, 1)) - 48)" for i, weight in enumerate(WEIGHTS, 1)
    )
    check = f"(11 - ({weighted}) % 11)"
    last = f"(ascii(substr({expr}, 10, 1)) - 48)"
    return (
        f"(CASE WHEN regexp_full_match({expr}, '[0-9]{{10}}') "
        f"THEN (CASE WHEN {check} = 11 THEN 0 ELSE {check} END) = {last} "
        "ELSE false END)"
    )
