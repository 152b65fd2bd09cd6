"""NHS ODS practice and PCN files: epraccur (GP practices) and ePCN (PCNs and their practices).

Why: QOF's geography mapping describes a footprint as it was in a QOF year; ODS says what is
open now, which PCN each practice belongs to and since when. Both are published by NHS England's
Organisation Data Service under the Open Government Licence v3.0.

* **epraccur.csv** has *no header row*; its 27 columns follow the ODS specification, in order:
  organisation code, name, national grouping, high level health geography, address lines 1–5,
  postcode, open date, close date, status code (A active, C closed, D dormant, P proposed),
  organisation sub-type code, commissioner, join and left provider/purchaser dates, telephone,
  three null columns, amended record indicator, a null column, provider/purchaser, a null
  column, prescribing setting and a null column. Dates are ``YYYYMMDD``.
* **ePCN.xlsx** has a ``PCNDetails`` sheet (PCN code, name, sub-ICB location, open and close
  dates, address) and a ``PCN Core Partner Details`` sheet (practice code, PCN code, the
  relationship's start and end dates). Header cells there wrap over lines; they are matched with
  the line breaks read as spaces.

Rows are rejected for a malformed code, an unreadable date, a close date before the open date,
an unknown status, the wrong number of fields, or a repeat.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from joinedup.sources.qof.readers import (
    Imported,
    Reject,
    RowProblems,
    SourceFileError,
    check_practice,
    csv_rows,
    whole_number,
)

EPRACCUR_TABLE = "ods_practices"
PCN_TABLE = "ods_pcns"
PARTNER_TABLE = "ods_pcn_partners"

EPRACCUR_COLUMNS = (
    "org_code", "name", "national_grouping", "high_level_health_geography",
    "address_1", "address_2", "address_3", "address_4", "address_5", "postcode",
    "open_date", "close_date", "status_code", "sub_type_code", "commissioner",
    "join_date", "left_date", "telephone", "null_1", "null_2", "null_3",
    "amended_record", "null_4", "provider_purchaser", "null_5", "prescribing_setting",
    "null_6",
)
"""The 27 epraccur columns in ODS order (the file has no header)."""

STATUS_CODES = {"A": "active", "C": "closed", "D": "dormant", "P": "proposed"}
ODS_CODE = re.compile(r"^[A-Z][A-Z0-9]{2,7}$")
"""An ODS organisation code. epraccur also lists Channel Islands and Isle of Man practices
(e.g. GUE201, JER400), whose codes are not the English letter-and-five-digits form."""
PCN_CODE = re.compile(r"^U[0-9]{5}$")
_SUB_ICB = re.compile(r"^[0-9A-Z]{3,5}$")


@dataclass(frozen=True)
class OdsPractice:
    org_code: str
    name: str
    postcode: str
    open_date: date | None
    close_date: date | None
    status: str  # A, C, D or P
    sub_type: str
    commissioner: str
    prescribing_setting: int | None

    def is_open_on(self, day: date) -> bool:
        if self.open_date is not None and day < self.open_date:
            return False
        return self.close_date is None or day <= self.close_date


@dataclass(frozen=True)
class OdsPcn:
    pcn_code: str
    name: str
    sub_icb_code: str
    open_date: date | None
    close_date: date | None


@dataclass(frozen=True)
class PcnPartner:
    practice_code: str
    pcn_code: str
    start_date: date | None
    end_date: date | None

    def is_current_on(self, day: date) -> bool:
        if self.start_date is not None and day < self.start_date:
            return False
        return self.end_date is None or day <= self.end_date


def ods_date(value: object) -> date | None:
    """An ODS date: ``YYYYMMDD`` text or number, a spreadsheet date, or blank (None).

    Raises ValueError for anything else.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{8}", text):
        raise ValueError(text)
    return datetime.strptime(text, "%Y%m%d").date()


def _check_dates(
    problems: RowProblems, values: Mapping[str, object], first: str, second: str
) -> tuple[date | None, date | None]:
    found: dict[str, date | None] = {}
    for name in (first, second):
        try:
            found[name] = ods_date(values.get(name))
        except ValueError:
            problems.add(name, f"{name} is not a date (YYYYMMDD)")
            found[name] = None
    start, end = found[first], found[second]
    if start is not None and end is not None and end < start:
        problems.add(second, f"{second} is before {first}")
    return start, end


def read_epraccur(path: Path | str) -> Imported[OdsPractice]:
    """Every row of an epraccur file (no header; 27 ODS columns), checked."""
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    rows: list[OdsPractice] = []
    rejects: list[Reject] = []
    seen: dict[str, int] = {}
    rows_in = 0
    for row in csv_rows(path, header=False, width=len(EPRACCUR_COLUMNS)):
        rows_in += 1
        raw = {EPRACCUR_COLUMNS[int(k)] if int(k) < len(EPRACCUR_COLUMNS) else k: v
               for k, v in row.cells.items()}
        problems = RowProblems()
        if row.width_error:
            problems.add("*", f"{row.width_error} (epraccur has no header and 27 columns)")
            rejects.append(problems.reject(EPRACCUR_TABLE, path, row.number, row.line, raw))
            continue
        values = {k: v.strip() for k, v in raw.items()}
        code = values["org_code"].upper()
        if not ODS_CODE.match(code):
            problems.add("org_code", f"org_code is {'blank' if not code else 'not an ODS code'}")
        if not values["name"]:
            problems.add("name", "name is blank")
        open_date, close_date = _check_dates(problems, values, "open_date", "close_date")
        status = values["status_code"].upper()
        if status not in STATUS_CODES:
            problems.add("status_code", "status_code is not A, C, D or P")
        setting_text = values["prescribing_setting"]
        setting = whole_number(setting_text) if setting_text else None
        if setting_text and setting is None:
            problems.add("prescribing_setting", "prescribing_setting is not a whole number")
        if not problems and code in seen:
            problems.add("*", f"repeats row {seen[code]} (same org_code)")
        if problems:
            rejects.append(problems.reject(EPRACCUR_TABLE, path, row.number, row.line, raw))
            continue
        seen[code] = row.number
        rows.append(OdsPractice(code, values["name"], values["postcode"], open_date, close_date,
                                status, values["sub_type_code"].upper(),
                                values["commissioner"].upper(), setting))
    return Imported(EPRACCUR_TABLE, path.name, rows_in, tuple(rows), tuple(rejects))


PCN_SHEET = "PCNDetails"
PARTNER_SHEET = "PCN Core Partner Details"
PCN_HEADERS = {
    "pcn_code": ("PCN Code",),
    "name": ("PCN Name",),
    "sub_icb_code": ("Current Sub ICB Loc Code", "Current CCG Code"),
    "open_date": ("Open Date",),
    "close_date": ("Close Date",),
}
PARTNER_HEADERS = {
    "practice_code": ("Partner Organisation Code",),
    "pcn_code": ("PCN Code",),
    "start_date": ("Practice to PCN Relationship Start Date",),
    "end_date": ("Practice to PCN Relationship End Date",),
}


def _sheet_rows(
    path: Path, sheet: str, wanted: Mapping[str, Sequence[str]]
) -> Iterator[tuple[int, dict[str, object], dict[str, str]]]:
    """(row number, our fields, raw row as text) for each non-blank data row of a sheet."""
    from openpyxl import load_workbook  # optional heavy import, only when ePCN is read

    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a non-workbook
        raise SourceFileError(f"{path}: cannot be read as an Excel workbook ({exc})") from None
    try:
        if sheet not in book.sheetnames:
            raise SourceFileError(f"{path}: no sheet {sheet!r} (has {', '.join(book.sheetnames)})")
        rows = book[sheet].iter_rows(values_only=True)
        header = [" ".join(str(h or "").split()) for h in next(rows, ())]
        lowered = [h.lower() for h in header]
        index: dict[str, int] = {}
        for ours, names in wanted.items():
            hit = next((lowered.index(n.lower()) for n in names if n.lower() in lowered), None)
            if hit is None:
                raise SourceFileError(f"{path}: sheet {sheet!r} has no column {names[0]!r}")
            index[ours] = hit
        for number, values in enumerate(rows, start=1):
            if not any(v not in (None, "") for v in values):
                continue
            raw = {header[i] or str(i): "" if v is None else str(v) for i, v in enumerate(values)}
            fields = {ours: values[i] if i < len(values) else None for ours, i in index.items()}
            yield number, fields, raw
    finally:
        book.close()


def read_epcn(path: Path | str) -> tuple[Imported[OdsPcn], Imported[PcnPartner]]:
    """The PCNs and the practice-to-PCN relationships of an ePCN workbook, checked."""
    path = Path(path)
    pcns: list[OdsPcn] = []
    pcn_rejects: list[Reject] = []
    pcn_seen: dict[str, int] = {}
    pcn_in = 0
    label = Path(f"{path.name}[{PCN_SHEET}]")
    for number, fields, raw in _sheet_rows(path, PCN_SHEET, PCN_HEADERS):
        pcn_in += 1
        problems = RowProblems()
        code = str(fields["pcn_code"] or "").strip().upper()
        if not PCN_CODE.match(code):
            problems.add("PCN Code", f"PCN Code is {'blank' if not code else 'not a PCN code'}")
        name = str(fields["name"] or "").strip()
        if not name:
            problems.add("PCN Name", "PCN Name is blank")
        sub_icb = str(fields["sub_icb_code"] or "").strip().upper()
        if not _SUB_ICB.match(sub_icb):
            problems.add("Current Sub ICB Loc Code", "Current Sub ICB Loc Code is not a code")
        opened, closed = _check_dates(problems, fields, "open_date", "close_date")
        if not problems and code in pcn_seen:
            problems.add("*", f"repeats row {pcn_seen[code]} (same PCN Code)")
        if problems:
            pcn_rejects.append(problems.reject(PCN_TABLE, label, number, None, raw))
            continue
        pcn_seen[code] = number
        pcns.append(OdsPcn(code, name, sub_icb, opened, closed))

    partners: list[PcnPartner] = []
    partner_rejects: list[Reject] = []
    partner_seen: dict[tuple[str, str, date | None], int] = {}
    partner_in = 0
    label = Path(f"{path.name}[{PARTNER_SHEET}]")
    for number, fields, raw in _sheet_rows(path, PARTNER_SHEET, PARTNER_HEADERS):
        partner_in += 1
        problems = RowProblems()
        practice = check_practice(problems, "Partner Organisation Code",
                                  str(fields["practice_code"] or ""))
        pcn = str(fields["pcn_code"] or "").strip().upper()
        if not PCN_CODE.match(pcn):
            problems.add("PCN Code", f"PCN Code is {'blank' if not pcn else 'not a PCN code'}")
        start, end = _check_dates(problems, fields, "start_date", "end_date")
        key = (practice, pcn, start)
        if not problems and key in partner_seen:
            problems.add("*", f"repeats row {partner_seen[key]} (same practice, PCN and start)")
        if problems:
            partner_rejects.append(problems.reject(PARTNER_TABLE, label, number, None, raw))
            continue
        partner_seen[key] = number
        partners.append(PcnPartner(practice, pcn, start, end))
    return (
        Imported(PCN_TABLE, f"{path.name}[{PCN_SHEET}]", pcn_in, tuple(pcns),
                 tuple(pcn_rejects)),
        Imported(PARTNER_TABLE, f"{path.name}[{PARTNER_SHEET}]", partner_in, tuple(partners),
                 tuple(partner_rejects)),
    )
