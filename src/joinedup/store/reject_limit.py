"""The limit on rejected rows: a file most of whose rows fail is refused, not loaded.

Why: rejecting rows one by one is right for a few bad rows, but when most of a file fails the
file itself is wrong (dates in another form, a shifted column, the wrong extract). Loading what
is left would replace a good store with a nearly empty one, and every later output would be
quietly wrong. So each table's (each file's) rejected share is held to a limit, and a load or
import that passes it stops with one line naming the file and its commonest reasons, leaving
the previous store exactly as it was. Users who mean it raise the limit (1 accepts anything).

A required table with a header and no rows is refused for the same reason, whatever the limit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from joinedup.store.errors import LoadError
from joinedup.store.report import TableCounts

DEFAULT_MAX_REJECTED_SHARE = 0.1
"""Refuse a table when more than a tenth of its rows would be rejected."""

SHOWN_REASONS = 3
_ROW_REFERENCE = re.compile(r"\brow [0-9]+(, line [0-9]+)?")


class TooManyRejectsError(LoadError):
    """A table's rejected share passed the limit; nothing was written."""


def check_limit(max_share: float | None) -> float:
    """The limit to apply: the default when none is given; a given one must be from 0 to 1."""
    if max_share is None:
        return DEFAULT_MAX_REJECTED_SHARE
    if not 0 <= max_share <= 1:
        raise LoadError(f"the largest rejected share must be from 0 to 1, got {max_share}")
    return max_share


def reason_key(reason: str) -> str:
    """A reason with its row references blurred, so repeats of one kind are counted together.

    Whitespace is folded and the reason cut short, so the refusal stays one line.
    """
    folded = " ".join(_ROW_REFERENCE.sub("row …", reason).split())
    return folded if len(folded) <= 120 else folded[:119] + "…"


def refuse_if_over(
    counts: TableCounts,
    max_share: float,
    problems: Callable[[], Iterable[tuple[str, int]]],
    target: Path,
    existed: bool,
) -> None:
    """Raise TooManyRejectsError if ``counts`` rejects more than ``max_share`` of its rows.

    ``problems`` gives (reason, rows) pairs, one per kind of problem (a row with two problems
    counts under both); it is called only to word a refusal. ``target`` and ``existed`` let the
    message say what became of the store.
    """
    if counts.rows_in == 0 or counts.rejected <= max_share * counts.rows_in:
        return
    tally: Counter[str] = Counter()
    for reason, rows in problems():
        tally[reason_key(reason)] += rows
    commonest = sorted(tally.items(), key=lambda item: (-item[1], item[0]))[:SHOWN_REASONS]
    reasons = ", ".join(f"{rows:,} × {reason}" for reason, rows in commonest)
    raise TooManyRejectsError(
        f"{counts.file}: {counts.rejected:,} of {counts.rows_in:,} rows rejected "
        f"({_percent(counts.rejected / counts.rows_in)}), more than the "
        f"{_percent(max_share)} allowed (--max-rejected-share); commonest reasons: {reasons}; "
        f"{outcome(target, existed)}"
    )


def refuse_if_empty(counts: TableCounts, target: Path, existed: bool) -> None:
    """Raise LoadError for a required file that holds no rows at all."""
    if counts.rows_in == 0:
        raise LoadError(
            f"{counts.file} holds no rows; nothing to load ({outcome(target, existed)})"
        )


def outcome(target: Path, existed: bool) -> str:
    return f"{target} is unchanged" if existed else "nothing was written"


def _percent(share: float) -> str:
    text = f"{share * 100:.1f}".removesuffix(".0")
    return f"{text}%"
