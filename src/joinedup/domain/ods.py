"""Laying NHS ODS facts over a footprint: practice names, open and close dates, PCN membership.

Why: QOF's geography mapping describes a footprint as it stood in one QOF year; the Organisation
Data Service says what each practice is called, when it opened and closed, and which PCN it
belonged to on which dates (epraccur and ePCN). A store keeps both as published, and a run lays
ODS over the footprint *at the run's date*, so the order of imports never matters and the same
store answers for any date.

The rules (docs/aggregates.md, "ODS"):

- a practice ODS lists takes its ODS name and its open and close dates as `valid_from` and
  `valid_to` (an ODS date left blank leaves the footprint's date as it was);
- a practice with a PCN membership current at the date (start on or before it, end empty or on or
  after it) moves under that PCN; when it has several, the one that started last wins;
- a PCN the footprint lacks is added with its ePCN name and dates, under its ePCN sub-ICB when
  the footprint holds that sub-ICB, else under the parent of the practice's previous PCN;
- organisations ODS does not mention are left exactly as they were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

Row = Mapping[str, Any]


def overlay_ods(
    organisations: Sequence[Row],
    practices: Sequence[Row],
    pcns: Sequence[Row],
    partners: Sequence[Row],
    day: date,
) -> list[dict[str, Any]]:
    """The footprint's organisation rows with ODS laid over them at `day`.

    `organisations` has the data contract's columns; `practices` the ODS practice rows
    (org_code, name, open_date, close_date), `pcns` the ePCN rows (pcn_code, name, sub_icb_code,
    open_date, close_date), `partners` the memberships (practice_code, pcn_code, start_date,
    end_date). Returns new rows; the inputs are not changed.
    """
    out = {str(r["org_code"]): dict(r) for r in organisations}
    for ods in practices:
        row = out.get(str(ods["org_code"]))
        if row is None or row.get("org_type") != "practice":
            continue
        row["name"] = ods["name"] or row["name"]
        row["valid_from"] = ods["open_date"] or row.get("valid_from")
        row["valid_to"] = ods["close_date"] or row.get("valid_to")
    pcn_details = {str(p["pcn_code"]): p for p in pcns}
    for practice_code, pcn_code in current_memberships(partners, day).items():
        practice = out.get(practice_code)
        if practice is None or practice.get("org_type") != "practice":
            continue
        if pcn_code not in out:
            detail = pcn_details.get(pcn_code)
            if detail is None:
                continue  # a PCN ePCN does not describe cannot be placed in the hierarchy
            out[pcn_code] = _new_pcn(detail, out, practice)
        if out[pcn_code].get("org_type") == "pcn":
            practice["parent_code"] = pcn_code
    return list(out.values())


def current_memberships(partners: Sequence[Row], day: date) -> dict[str, str]:
    """Each practice's PCN at `day`: the current membership that started last (code breaks ties)."""
    best: dict[str, tuple[date, str]] = {}
    for row in partners:
        start, end = row["start_date"], row["end_date"]
        if (start is not None and start > day) or (end is not None and end < day):
            continue
        key = (start or date.min, str(row["pcn_code"]))
        code = str(row["practice_code"])
        if code not in best or key > best[code]:
            best[code] = key
    return {practice: pcn for practice, (_start, pcn) in best.items()}


def _new_pcn(detail: Row, organisations: Mapping[str, Row], practice: Row) -> dict[str, Any]:
    sub_icb = detail.get("sub_icb_code")
    if sub_icb not in organisations:
        previous = organisations.get(str(practice.get("parent_code")))
        sub_icb = None if previous is None else previous.get("parent_code")
    return {
        "org_code": str(detail["pcn_code"]),
        "name": detail["name"],
        "org_type": "pcn",
        "parent_code": sub_icb,
        "valid_from": detail.get("open_date"),
        "valid_to": detail.get("close_date"),
    }
