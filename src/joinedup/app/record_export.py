"""Use cases that carry the record into secondary use: the contract export and carers by place.

Why here: both leave direct care, where the national data opt-out applies. The export carries
each patient's opt-out flag into the contract's `opted_out` column rather than dropping the
patient: `joinedup load` keeps the flag and every analytics output leaves those patients out
(docs/loading.md). Carers by place is an aggregate for the partnership's carers programme:
opted-out patients' carers are not counted, and published figures suppress small counts.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joinedup.app.record import RecordService
from joinedup.domain.contract import TABLES
from joinedup.domain.disclosure import PublicationPolicy, apply_sdc
from joinedup.record.export import export_tables


def export_record(service: RecordService, db: Path | None, out: Path) -> dict[str, int]:
    """Write the record as contract CSV files in `out` for `joinedup load`; rows per table.

    Tables the record does not hold (the waiting list) are copied from the analytics store at
    `db` when it has them, so loading the export does not lose them.
    """
    out.mkdir(parents=True, exist_ok=True)
    tables = export_tables(service.store.engine, service.relationships.org_code_of)
    if db is not None and db.is_file():
        from joinedup.app.record_load import _rows
        from joinedup.app.store import open_store

        with open_store(db) as opened:
            tables["waiting_list"] = _rows(opened.con, "waiting_list")
        if not tables["waiting_list"]:
            del tables["waiting_list"]
    counts = {}
    for table in TABLES:
        rows = tables.get(table.name)
        if rows is None:
            continue
        with (out / f"{table.name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=table.column_names, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _cell(row.get(k)) for k in table.column_names})
        counts[table.name] = len(rows)
    return counts


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return value


@dataclass(frozen=True)
class PlaceCount:
    place_code: str
    place_name: str
    carers: int


def carers_by_place(service: RecordService) -> list[PlaceCount]:
    """Carers (joinedup.domain.carers: active, consent recorded) by the place of the cared-for
    patient's registered practice; opted-out patients' carers are left out. Exact counts: a
    surface showing them beyond analysts publishes them (`publish_carers`)."""
    from joinedup.record.carers import carer_places

    counts: Counter[tuple[str, str]] = Counter(carer_places(service.store,
                                                            service.relationships))

    return [PlaceCount(code, name, n) for (code, name), n in sorted(counts.items())]


def publish_carers(counts: list[PlaceCount], policy: PublicationPolicy | None = None
                   ) -> list[tuple[str, str, int | None]]:
    """Counts for publication: small numbers suppressed, the rest rounded (docs/disclosure.md).

    Each place is its own cell with no total beside it, so no suppressed cell can be recovered
    by subtraction."""
    used = policy or PublicationPolicy()
    return [(c.place_code, c.place_name, apply_sdc(c.carers, used)) for c in counts]
