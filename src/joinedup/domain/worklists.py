"""Practice worklists: which of a practice's own patients to treat, to assess and to find, and why.

Why: find and treat happens one patient at a time, in the practice. A worklist points a
clinician to records to review under their own judgement (joinedup is not a medical device; see
README, "Intended purpose"), so each entry says why the patient is listed and what was last
recorded, from the programme's own rules — nothing here is specific to one condition:

- **to treat**: eligible (on the register and meeting eligibility), not meeting the treated rule,
  and no exception (personalised care adjustment) recorded;
- **to assess**: on the register with a risk score computed from the record at or above the
  eligibility threshold, but no score recorded (so the practice's own eligibility misses them);
- **to find**: meeting one or more of the programme's casefinder rules.

**National data opt-outs.** Worklists are direct care of the practice's own registered patients:
the national data opt-out applies to the use of data for research and planning, not to an
individual's own care (NHS England, National Data Opt-out operational policy guidance, "direct
care" is out of scope), and DESIGN.md says "direct care still sees their record". So a patient
who opted out is listed like anyone else (`INCLUDE_OPTED_OUT`), while every count and figure
elsewhere leaves them out. Pure: rows are plain mappings of the engine's patient flags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from joinedup.domain.programme import Programme

INCLUDE_OPTED_OUT = True
"""Worklists are direct care: patients who opted out of secondary use are listed (module note)."""
LAST = "last__"
VALUE = "value__"


class WorklistKind(StrEnum):
    TO_TREAT = "to-treat"
    TO_ASSESS = "to-assess"
    TO_FIND = "to-find"

    @property
    def heading(self) -> str:
        return {"to-treat": "To treat", "to-assess": "To assess",
                "to-find": "To find"}[self.value]

    @property
    def description(self) -> str:
        return {
            "to-treat": "Eligible for treatment, not treated, and no exception recorded.",
            "to-assess": "On the register with a risk score from the record that makes them "
                         "eligible, but no score recorded.",
            "to-find": "Not diagnosed, but the record suggests they may have the condition.",
        }[self.value]


SORTS = {"risk_score": "risk score", "age": "age", "nhs_number": "NHS number",
         "last_recorded": "latest record"}
"""Columns a worklist can be sorted by (and what the page calls them)."""
DEFAULT_SORT = {WorklistKind.TO_TREAT: "risk_score", WorklistKind.TO_ASSESS: "risk_score",
                WorklistKind.TO_FIND: "age"}


@dataclass(frozen=True)
class Recorded:
    """One thing last recorded: a codelist's latest date, or a latest reading."""

    label: str
    day: date | None = None
    value: float | None = None


@dataclass(frozen=True)
class WorklistEntry:
    patient_id: str
    nhs_number: str | None
    age: int | None
    sex: str | None
    risk_score: int | None
    reasons: tuple[str, ...]
    last_recorded: tuple[Recorded, ...]

    @property
    def audit_id(self) -> str:
        """How the audit log names the patient: the NHS number, else the internal id."""
        return self.nhs_number or f"id:{self.patient_id}"

    @property
    def latest(self) -> date | None:
        days = [r.day for r in self.last_recorded if r.day is not None]
        return max(days) if days else None

    def as_row(self) -> dict[str, Any]:
        """Plain values for the API and downloads."""
        return {
            "nhs_number": self.nhs_number, "patient_id": self.patient_id, "age": self.age,
            "sex": self.sex, "risk_score": self.risk_score, "reasons": "; ".join(self.reasons),
            "last_recorded": "; ".join(_recorded_text(r) for r in self.last_recorded),
        }


COLUMNS = ("nhs_number", "patient_id", "age", "sex", "risk_score", "reasons", "last_recorded")
"""A worklist download's columns."""


def listed(kind: WorklistKind, row: Mapping[str, Any], programme: Programme) -> bool:
    """Whether the patient in `row` (registered and alive at the date) is on list `kind`."""
    if kind is WorklistKind.TO_TREAT:
        return bool(row.get("eligible")) and not row.get("treated") and not row.get("exception")
    if kind is WorklistKind.TO_ASSESS:
        return bool(row.get("to_assess"))
    return any(row.get(f"find_{rule.key}") for rule in programme.casefinder)


def entries(kind: WorklistKind, rows: Sequence[Mapping[str, Any]], programme: Programme,
            on: date) -> list[WorklistEntry]:
    """The patients on list `kind` at date `on`, each with their reasons (naming the treated
    rule in force that day) and what was last recorded."""
    return [_entry(kind, row, programme, on) for row in rows if listed(kind, row, programme)]


def sort_entries(found: Sequence[WorklistEntry], key: str,
                 descending: bool) -> list[WorklistEntry]:
    """Sorted by `key` (one of `SORTS`); unknown values last either way; ties by NHS number."""
    if key not in SORTS:
        raise KeyError(key)

    def value(entry: WorklistEntry) -> Any:
        return entry.latest if key == "last_recorded" else getattr(entry, key)

    known = [e for e in found if value(e) is not None]
    unknown = [e for e in found if value(e) is None]
    known.sort(key=lambda e: e.nhs_number or e.patient_id)
    known.sort(key=value, reverse=descending)
    return known + sorted(unknown, key=lambda e: e.nhs_number or e.patient_id)


def _entry(kind: WorklistKind, row: Mapping[str, Any], programme: Programme,
           on: date) -> WorklistEntry:
    score = row.get("risk_score") if programme.risk_score is not None else None
    return WorklistEntry(
        patient_id=str(row["patient_id"]), nhs_number=row.get("nhs_number"),
        age=row.get("age"), sex=row.get("sex"),
        risk_score=None if score is None else int(score),
        reasons=_reasons(kind, row, programme, on), last_recorded=_recorded(row))


def _reasons(kind: WorklistKind, row: Mapping[str, Any], programme: Programme,
             on: date) -> tuple[str, ...]:
    if kind is WorklistKind.TO_FIND:
        return tuple(rule.label for rule in programme.casefinder if row.get(f"find_{rule.key}"))
    score = _score_text(row, programme)
    if kind is WorklistKind.TO_ASSESS:
        name = programme.risk_score.name if programme.risk_score else "risk score"
        return ("On the register", f"{score} from the record", f"No {name} recorded")
    reasons = ["On the register" + (f"; {score}" if score else "")]
    treated = programme.treated.at(on)
    reasons.append(f"Not treated ({_lower_first(treated.description)})")
    if programme.exceptions is not None:
        reasons.append("No exception recorded")
    return tuple(reasons)


def _score_text(row: Mapping[str, Any], programme: Programme) -> str:
    if programme.risk_score is None or row.get("risk_score") is None:
        return ""
    parts = [c.label.lower() for c in programme.score_components if row.get(f"risk_{c.key}")]
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"{programme.risk_score.name} {row['risk_score']}{detail}"


def _recorded(row: Mapping[str, Any]) -> tuple[Recorded, ...]:
    found = []
    for column, value in row.items():
        if value is None:
            continue
        if column.startswith(LAST):
            found.append(Recorded(codelist_label(column[len(LAST):]), day=value))
        elif column.startswith(VALUE):
            name, _, months = column[len(VALUE):].rpartition("__")
            window = "" if months == "ever" else f" (last {months} months)"
            found.append(Recorded(f"latest {codelist_label(name)}{window}", value=float(value)))
    dated = sorted((r for r in found if r.day is not None), key=lambda r: r.day or date.min,
                   reverse=True)
    return tuple(dated + [r for r in found if r.day is None])


_ABBREVIATIONS = frozenset({"af", "bp", "doac", "te", "tia", "vka"})


def codelist_label(name: str) -> str:
    """A codelist's name as words: `stroke_tia_te` → "stroke TIA TE", `doac` → "DOAC"."""
    return " ".join(w.upper() if w in _ABBREVIATIONS else w for w in name.split("_"))


def _recorded_text(recorded: Recorded) -> str:
    if recorded.day is not None:
        return f"{recorded.label} {recorded.day.isoformat()}"
    return f"{recorded.label} {recorded.value:g}"


def _lower_first(text: str) -> str:
    """A description read mid-sentence: its first letter lower case, unless it opens an acronym
    ("QOF AF008 …")."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]
