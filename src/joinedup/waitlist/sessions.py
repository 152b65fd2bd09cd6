"""The capacity file: theatre sessions a plan may book, one row each, checked before use.

Why a file shape of its own: the data contract has no capacity table, and a trust manager writes
sessions by hand or exports them from a theatre system. The shape (CSV, UTF-8, header row):

    session_id,site,host_trust,date,minutes,specialty,accepts_trusts,min_age,max_age
    S001,Trust B Hospital,TRB,2025-03-08,240,ENT,*,3,15

``accepts_trusts`` is ``*`` (any trust in the pool) or trust codes separated by ``;``; the age
limits are whole years, inclusive, and may be blank. A capacity file is all or nothing: a bad row
stops the command with one line naming the file, line and field (and how many more rows are
bad), because a plan built on part of the capacity would mislead.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from joinedup.domain.errors import UserError
from joinedup.domain.waitlist.rules import SessionRule

COLUMNS = (
    "session_id",
    "site",
    "host_trust",
    "date",
    "minutes",
    "specialty",
    "accepts_trusts",
    "min_age",
    "max_age",
)
ANY_TRUST = "*"
MAX_MINUTES = 24 * 60


class SessionsError(UserError):
    """The capacity file is missing, malformed or holds a bad row."""


@dataclass(frozen=True)
class Session:
    """One bookable theatre session."""

    session_id: str
    site: str
    host_trust: str
    day: date
    minutes: int
    rule: SessionRule

    @property
    def shared(self) -> bool:
        return self.rule.trusts is None or len(self.rule.trusts) > 1

    def with_trusts(self, trusts: frozenset[str] | None) -> Session:
        rule = SessionRule(self.rule.specialty, trusts, self.rule.min_age, self.rule.max_age)
        return Session(self.session_id, self.site, self.host_trust, self.day, self.minutes, rule)


def _age(raw: str, field: str) -> int | None:
    if raw == "":
        return None
    value = int(raw)  # ValueError handled by the caller
    if value < 0:
        raise ValueError(f"{field} must not be negative")
    return value


def _row(row: dict[str, str]) -> tuple[Session | None, str, str]:
    """The session, or None with the field at fault and the reason."""
    values = {k: (row.get(k) or "").strip() for k in COLUMNS}
    for name in ("session_id", "site", "host_trust", "specialty", "accepts_trusts"):
        if not values[name]:
            return None, name, f"{name} is missing"
    try:
        day = date.fromisoformat(values["date"])
    except ValueError:
        return None, "date", "date is not a date as YYYY-MM-DD"
    try:
        minutes = int(values["minutes"])
    except ValueError:
        return None, "minutes", "minutes is not a whole number"
    if not 0 < minutes <= MAX_MINUTES:
        return None, "minutes", f"minutes must be between 1 and {MAX_MINUTES}"
    ages: dict[str, int | None] = {}
    for name in ("min_age", "max_age"):
        try:
            ages[name] = _age(values[name], name)
        except ValueError:
            return None, name, f"{name} is not a whole number of years of 0 or more"
    low, high = ages["min_age"], ages["max_age"]
    if low is not None and high is not None and low > high:
        return None, "max_age", "max_age is below min_age"
    accepts = values["accepts_trusts"]
    codes = [c.strip() for c in accepts.split(";")]
    if accepts != ANY_TRUST and (not all(codes) or ANY_TRUST in codes):
        return None, "accepts_trusts", "accepts_trusts is not * or trust codes separated by ;"
    trusts = None if accepts == ANY_TRUST else frozenset(codes)
    rule = SessionRule(values["specialty"], trusts, low, high)
    session = Session(
        values["session_id"], values["site"], values["host_trust"], day, minutes, rule
    )
    return session, "", ""


def read_sessions(path: Path) -> tuple[Session, ...]:
    """Every session of the file, in file order; SessionsError on any problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SessionsError(f"{path}: no such capacity file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionsError(f"{path}: cannot read the capacity file ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    header = tuple(reader.fieldnames or ())
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SessionsError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    sessions: list[Session] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            problems.append(f"{path}: line {line}: wrong number of fields")
            continue
        session, field, reason = _row(row)
        if session is None:
            problems.append(f"{path}: line {line}, field '{field}': {reason}")
            continue
        if session.session_id in seen:
            problems.append(
                f"{path}: line {line}, field 'session_id': repeats line {seen[session.session_id]}"
            )
            continue
        seen[session.session_id] = line
        sessions.append(session)
    if problems:
        more = f" (and {len(problems) - 1} more bad rows)" if len(problems) > 1 else ""
        raise SessionsError(problems[0] + more)
    if not sessions:
        raise SessionsError(f"{path}: no sessions")
    return tuple(sessions)


def write_sessions(sessions: tuple[Session, ...] | list[Session], path: Path) -> None:
    """Write sessions in the capacity file's shape (the synthetic scenario uses this)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for s in sessions:
            trusts = ANY_TRUST if s.rule.trusts is None else ";".join(sorted(s.rule.trusts))
            writer.writerow(
                (
                    s.session_id,
                    s.site,
                    s.host_trust,
                    s.day.isoformat(),
                    s.minutes,
                    s.rule.specialty,
                    trusts,
                    "" if s.rule.min_age is None else s.rule.min_age,
                    "" if s.rule.max_age is None else s.rule.max_age,
                )
            )
