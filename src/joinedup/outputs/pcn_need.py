"""pcn_need.csv: PCNs ranked by highest need, exact or published.

Why: the partnership focuses support on the PCNs with the highest need (docs/inequalities.md,
"Highest need"); the ranking itself is domain arithmetic (`domain.inequality.rank_pcns_by_need`),
this module gives it names and writes it (published rows come from `domain.publication`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from joinedup.domain.need import DEFAULT_NEED_UPLIFT, PracticeNeed, rank_pcns_by_need
from joinedup.domain.targeting import Plan
from joinedup.outputs.csv_files import write_csv

PCN_NEED_COLUMNS = (
    "pcn_code",
    "pcn_name",
    "rank",
    "need",
    "to_find",
    "to_treat",
    "practices",
    "most_deprived_practices",
    "uplift",
    "publication",
)


def pcn_need_rows(
    source: Plan | Iterable[Mapping[str, Any]],
    *,
    uplift: float = DEFAULT_NEED_UPLIFT,
    names: Mapping[str, str] | None = None,
) -> list[dict[str, object]]:
    """PCNs ranked by highest need (docs/inequalities.md) from a plan or practices.csv rows."""
    practices = [p.as_row() for p in source.practices] if isinstance(source, Plan) else list(source)
    ranked = rank_pcns_by_need((PracticeNeed.from_row(r) for r in practices), uplift)
    names = names or {}
    return [
        {**pcn.as_row(), "pcn_name": names.get(pcn.pcn_code, ""), "uplift": uplift}
        for pcn in ranked
    ]


def write_pcn_need(rows: Sequence[Mapping[str, Any]], out_dir: Path, note: str) -> Path:
    """pcn_need.csv, highest need first, with the uplift used and the output's note.

    `rows` are as shown: exact (a working output) or published (`domain.publication`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "pcn_need.csv"
    write_csv(path, PCN_NEED_COLUMNS, ({**r, "publication": note} for r in rows))
    return path
