"""Who may read a patient's shared record: care relationships and breaking the glass.

Why: a shared care record is only trusted if a professional sees the patients their organisation
cares for and nobody else (DESIGN.md, "Privacy and security"; issue 11). The record keeps one row
per relationship between a patient and an organisation; these rules say how long each kind of
relationship opens the record, and what an emergency access outside them ("break glass") needs.
Pure rules: standard library only.

The relationships (docs/record.md, "Access"):
- registered: the patient's registered GP practice, while the registration lasts;
- encounter: an organisation that saw the patient (an admission, an attendance, a visit), while
  the encounter is open and for `recent_days` after it ended, so discharge follow-up works;
- referral: an organisation the patient is referred to, while the referral is open and for
  `recent_days` after it closes;
- caseload: a community team's active episode of care for the patient, while it lasts and for
  `recent_days` after.
A national data opt-out is not a reason to refuse direct care: it plays no part here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from joinedup.domain.errors import UserError


class Relationship(StrEnum):
    REGISTERED = "registered"
    ENCOUNTER = "encounter"
    REFERRAL = "referral"
    CASELOAD = "caseload"


@dataclass(frozen=True)
class AccessPolicy:
    """How long a relationship lasts, and what breaking the glass takes."""

    recent_days: int = 90
    """Days a finished encounter, referral or episode still opens the record (follow-up after a
    discharge, results arriving after an outpatient visit)."""
    break_glass_hours: int = 4
    """How long an emergency access lasts before it must be asked for again."""
    min_reason_length: int = 10
    """A reason must say something ("emergency" alone is not a reason a reviewer can check)."""


DEFAULT_ACCESS_POLICY = AccessPolicy()


class BreakGlassRefused(UserError):
    """An emergency access asked for without what it needs (a reason)."""


def valid_until(kind: Relationship, end: datetime | None,
                policy: AccessPolicy = DEFAULT_ACCESS_POLICY) -> datetime | None:
    """The last moment the relationship opens the record (None: while it lasts, no end yet)."""
    if end is None:
        return None
    if kind is Relationship.REGISTERED:
        return end
    return end + timedelta(days=policy.recent_days)


def is_active(start: datetime | None, until: datetime | None, now: datetime) -> bool:
    """Whether a relationship from `start` (None: always) to `until` is open at `now`."""
    return (start is None or start <= now) and (until is None or now <= until)


def break_glass_expiry(reason: str, now: datetime,
                       policy: AccessPolicy = DEFAULT_ACCESS_POLICY) -> datetime:
    """When an emergency access asked for now, for `reason`, ends; refuses a missing reason."""
    if len(reason.strip()) < policy.min_reason_length:
        raise BreakGlassRefused(
            f"break glass needs a reason of at least {policy.min_reason_length} characters "
            "(it is recorded and reviewed)")
    return now + timedelta(hours=policy.break_glass_hours)
