"""Emergency access outside a care relationship ("breaking the glass"), kept for review.

Why: in an emergency a clinician may need a record their organisation has no relationship with
(an unconscious patient from another area). They may, but only with a reason, for a limited time
(joinedup.domain.care_access.AccessPolicy), and every such access is flagged until someone
reviews it. Grants are rows here; the audit log records the access itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from joinedup.domain.care_access import AccessPolicy, break_glass_expiry
from joinedup.domain.errors import UserError
from joinedup.record.schema import break_glass


class UnknownGrant(UserError):
    """No break-glass access has that id (answered 404)."""

    status = 404


class AlreadyReviewed(UserError):
    """The access was reviewed before (answered 409)."""

    status = 409


@dataclass(frozen=True)
class Grant:
    id: int
    user_name: str
    org_code: str | None
    patient_id: str
    reason: str
    started_at: datetime
    expires_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_note: str | None


class BreakGlass:
    def __init__(self, engine: Engine, policy: AccessPolicy) -> None:
        self.engine = engine
        self.policy = policy

    def grant(self, user_id: int, user_name: str, org_code: str | None, patient_id: str,
              reason: str, now: datetime) -> Grant:
        expires = break_glass_expiry(reason, now, self.policy)
        with self.engine.begin() as conn:
            grant_id = conn.execute(insert(break_glass).values(
                user_id=user_id, user_name=user_name, org_code=org_code, patient_id=patient_id,
                reason=reason.strip(), started_at=now, expires_at=expires
            ).returning(break_glass.c.id)).scalar_one()
        return self.get(int(grant_id))

    def get(self, grant_id: int) -> Grant:
        with self.engine.connect() as conn:
            row = conn.execute(select(break_glass).where(break_glass.c.id == grant_id)
                               ).one_or_none()
        if row is None:
            raise UnknownGrant(f"no break-glass access with id {grant_id}")
        return _grant(row)

    def active(self, user_id: int, patient_id: str, now: datetime) -> Grant | None:
        g = break_glass
        with self.engine.connect() as conn:
            row = conn.execute(select(g).where(
                g.c.user_id == user_id, g.c.patient_id == patient_id, g.c.started_at <= now,
                g.c.expires_at > now).order_by(g.c.expires_at.desc()).limit(1)).one_or_none()
        return None if row is None else _grant(row)

    def listed(self, unreviewed_only: bool = True) -> list[Grant]:
        g = break_glass
        query = select(g).order_by(g.c.started_at)
        if unreviewed_only:
            query = query.where(g.c.reviewed_at.is_(None))
        with self.engine.connect() as conn:
            return [_grant(r) for r in conn.execute(query)]

    def review(self, grant_id: int, reviewer: str, note: str, now: datetime) -> Grant:
        grant = self.get(grant_id)
        if grant.reviewed_at is not None:
            raise AlreadyReviewed(f"break-glass access {grant_id} was already reviewed")
        if not note.strip():
            raise UserError("a review needs a note (what was checked, what was found)")
        with self.engine.begin() as conn:
            conn.execute(update(break_glass).where(break_glass.c.id == grant_id).values(
                reviewed_at=now, reviewed_by=reviewer, review_note=note.strip()))
        return self.get(grant_id)


def _grant(row: object) -> Grant:
    return Grant(**{name: getattr(row, name) for name in Grant.__dataclass_fields__})
