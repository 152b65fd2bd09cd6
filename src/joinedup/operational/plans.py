"""Saved targeting plans: the willing list and waves a programme lead keeps in the dashboard.

Why in the operational store: the willing list changes as practices opt in, a row at a time, by
named people, and must outlive any one run; the analytics store is rebuilt by every load. Each
save is a new numbered version (never an update), so the history of who changed the plan stays,
the latest version is the one in force, and its number is the "plan version" dashboards cache on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from joinedup.domain.errors import UserError
from joinedup.operational.context import StoreContext
from joinedup.operational.schema import programme_plan_willing, programme_plans


class SavedPlanError(UserError):
    """A plan that cannot be saved (someone else saved a version at the same moment)."""


@dataclass(frozen=True)
class SavedPlan:
    """One version of a programme's willing list and waves."""

    programme: str
    version: int
    willing: frozenset[str] | None
    """Practice codes that opted in; None means every practice is willing."""
    wave_size: int
    max_waves: int | None
    saved_by: str
    saved_at: datetime


class SavedPlans:
    def __init__(self, store: StoreContext) -> None:
        self._store = store

    def latest(self, programme: str) -> SavedPlan | None:
        """The version in force for `programme`, or None if no one has saved one."""
        found = self.history(programme, limit=1)
        return found[0] if found else None

    def history(self, programme: str, limit: int = 20) -> list[SavedPlan]:
        """Saved versions, newest first."""
        t = programme_plans
        with self._store.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.programme == programme)
                                .order_by(t.c.version.desc()).limit(limit)).all()
            willing: dict[int, set[str]] = {}
            ids = [r.id for r in rows if not r.all_willing]
            if ids:
                w = programme_plan_willing
                for plan_id, code in conn.execute(
                        select(w.c.plan_id, w.c.practice_code).where(w.c.plan_id.in_(ids))):
                    willing.setdefault(plan_id, set()).add(code)
        return [SavedPlan(programme=r.programme, version=r.version,
                          willing=None if r.all_willing else frozenset(willing.get(r.id, ())),
                          wave_size=r.wave_size, max_waves=r.max_waves, saved_by=r.saved_by,
                          saved_at=r.saved_at) for r in rows]

    def save(self, programme: str, willing: Iterable[str] | None, wave_size: int,
             max_waves: int | None, saved_by: str) -> SavedPlan:
        """Save a new version (the previous one's number + 1) in one transaction."""
        codes = None if willing is None else frozenset(willing)
        t = programme_plans
        at = self._store.now()
        try:
            with self._store.engine.begin() as conn:
                current = conn.execute(select(func.max(t.c.version))
                                       .where(t.c.programme == programme)).scalar_one()
                version = (current or 0) + 1
                plan_id = conn.execute(insert(t).values(
                    programme=programme, version=version, all_willing=codes is None,
                    wave_size=wave_size, max_waves=max_waves, saved_by=saved_by[:64],
                    saved_at=at).returning(t.c.id)).scalar_one()
                if codes:
                    conn.execute(insert(programme_plan_willing),
                                 [{"plan_id": plan_id, "practice_code": c} for c in sorted(codes)])
        except IntegrityError:
            raise SavedPlanError(f"the {programme} plan was saved by someone else at the same "
                                 "moment; reload it and save again") from None
        return SavedPlan(programme=programme, version=version, willing=codes,
                         wave_size=wave_size, max_waves=max_waves, saved_by=saved_by[:64],
                         saved_at=at)
