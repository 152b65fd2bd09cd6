"""The willing list: practice codes that opted in to support, from a CSV a programme lead keeps.

Why a reader of its own: the list comes from spreadsheets (a `practice_code` column, or one code
per line with no header, a BOM from Excel); every line is checked and a bad one is named by line
and field, so a typo never silently drops a practice from the plan.
"""

from __future__ import annotations

import csv
from pathlib import Path

from joinedup.domain.errors import UserError


class WillingListError(UserError):
    """The willing list cannot be read, is empty, or holds something that is not a code."""


def read_willing(path: Path) -> frozenset[str]:
    """Practice codes from a CSV: a `practice_code` column, or one code per line with no header."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise WillingListError(f"{path}: cannot read the willing list ({exc.strerror})") from None
    rows = [r for r in csv.reader(text.splitlines()) if r and any(c.strip() for c in r)]
    if not rows:
        raise WillingListError(f"{path}: the willing list is empty")
    header = [c.strip().lower() for c in rows[0]]
    column = header.index("practice_code") if "practice_code" in header else None
    body = rows[1:] if column is not None else rows
    codes: list[str] = []
    for line_no, row in enumerate(body, start=2 if column is not None else 1):
        code = row[column or 0].strip().upper() if len(row) > (column or 0) else ""
        if not code.isalnum():
            raise WillingListError(
                f"{path}: line {line_no}, field practice_code: {code!r} is not a code"
            )
        codes.append(code)
    return frozenset(codes)
