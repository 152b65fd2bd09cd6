"""The partnership plan use case: read the plan and its measures, measure progress, show it.

Why here: the home page, the API and `joinedup plan check` show the same plan with the same
progress. The plan file and the partnership's measures file are read and checked once (again
only when either file changes); find-and-treat ambitions are measured by the dashboard's own
runs (`joinedup.app.dashboard`), at the store's date and at the ambition's baseline date, exact
or published as the reader may see them; every area the plan names must be an organisation in
the store, so a typo in a place code is an error, not a silent gap.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from joinedup.app.dashboard import Dashboard, DashboardRequest
from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.partnership import (
    FOOTPRINT,
    AreaProgress,
    PartnershipPlan,
    PlanAmbition,
    PlanError,
    Priority,
    Reading,
    Status,
    ambition_progress,
    status_counts,
)
from joinedup.programmes import available_programmes
from joinedup.sources.partnership import EXAMPLE_PLAN, measures_path, read_measures, read_plan

__all__ = ["EXAMPLE_PLAN", "AmbitionView", "PlanSource", "PlanView", "plan_view"]


class PlanSource:
    """A plan file and its measures file, read again only when either changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._loaded: tuple[tuple[int | None, ...], PartnershipPlan, list[Reading]] | None = None

    def load(self) -> tuple[PartnershipPlan, list[Reading]]:
        with self._lock:
            if self._loaded is None or self._loaded[0] != self._stamp(self._loaded[1]):
                plan = read_plan(self.path)
                found = measures_path(self.path, plan)
                readings = read_measures(found, plan) if found is not None else []
                self._loaded = (self._stamp(plan), plan, readings)
            return self._loaded[1], self._loaded[2]

    def _stamp(self, plan: PartnershipPlan) -> tuple[int | None, ...]:
        """Modification times of the plan file and of its measures file."""
        stamps: list[int | None] = []
        for path in (self.path, measures_path(self.path, plan)):
            try:
                stamps.append(None if path is None else path.stat().st_mtime_ns)
            except OSError:
                stamps.append(None)
        return tuple(stamps)


@dataclass(frozen=True)
class AmbitionView:
    """One ambition with what measures it, and its progress in every area it targets."""

    ambition: PlanAmbition
    measure_title: str
    unit: str
    source: str
    progress: list[AreaProgress]


@dataclass(frozen=True)
class PlanView:
    plan: PartnershipPlan
    priorities: list[tuple[Priority, list[AmbitionView]]]
    names: Mapping[str, str]
    published: bool

    @property
    def status(self) -> dict[Status, int]:
        return status_counts({view.ambition.key: view.progress
                              for _, views in self.priorities for view in views})

    def area_name(self, area: str) -> str:
        return "the whole footprint" if area == FOOTPRINT else self.names.get(area, area)


def plan_view(source: PlanSource, dashboard: Dashboard,
              publish: PublicationPolicy | None) -> PlanView:
    """The plan with every ambition's progress, as a reader allowed `publish` sees it."""
    plan, readings = source.load()
    names = dashboard.names()
    _check_areas(plan, readings, names)
    by_measure: dict[str, list[Reading]] = {}
    for reading in readings:
        by_measure.setdefault(reading.measure, []).append(reading)
    priorities = []
    for priority in plan.priorities:
        views = []
        for ambition in priority.ambitions:
            if ambition.programme_figure is not None:
                found = _programme_readings(ambition, dashboard, publish)
                figure = ambition.programme_figure
                title = (f"{dashboard.setup(figure.programme).programme.title}: "
                         f"{figure.figure.replace('_', ' ')}")
                origin = f"computed by joinedup from the store ({figure.programme} programme)"
                view = AmbitionView(ambition, title, figure.unit, origin,
                                    ambition_progress(ambition, found))
            else:
                assert ambition.measure is not None
                measure = plan.measures[ambition.measure]
                view = AmbitionView(ambition, measure.title, measure.unit, measure.source,
                                    ambition_progress(ambition,
                                                      by_measure.get(ambition.measure, [])))
            views.append(view)
        priorities.append((priority, views))
    return PlanView(plan=plan, priorities=priorities, names=names,
                    published=publish is not None)


def _check_areas(plan: PartnershipPlan, readings: list[Reading],
                 names: Mapping[str, str]) -> None:
    for ambition in plan.ambitions:
        for target in ambition.targets:
            for area in target.areas:
                if area != FOOTPRINT and area not in names:
                    raise PlanError(f"{target.where}, field 'areas': {area} is not an "
                                    "organisation in the store")
        figure = ambition.programme_figure
        if figure is not None and figure.programme not in available_programmes():
            raise PlanError(f"{ambition.where}, field 'programme': {figure.programme!r} is not "
                            f"a programme; available: {', '.join(available_programmes())}")
    for reading in readings:
        if reading.area != FOOTPRINT and reading.area not in names:
            raise PlanError(f"{reading.where}, field area: {reading.area} is not an "
                            "organisation in the store")


def _programme_readings(ambition: PlanAmbition, dashboard: Dashboard,
                        publish: PublicationPolicy | None) -> list[Reading]:
    """The ambition's figure in each of its areas at the store's date and its baseline date."""
    figure = ambition.programme_figure
    assert figure is not None
    latest = dashboard.reference_date()
    days = [latest]
    if ambition.baseline_date is not None and ambition.baseline_date < latest:
        days.insert(0, ambition.baseline_date)
    out = []
    for day in days:
        request = DashboardRequest(programme=figure.programme,
                                   reference_date=None if day == latest else day)
        view = dashboard.view(request, publish)
        for area in ambition.areas:
            if area == FOOTPRINT:
                value = view.summary.get(figure.figure)
            else:
                found = view.area(area) or view.practice(area)
                value = None if found is None else found.row.get(figure.figure)
            if isinstance(value, int | float):
                out.append(Reading(measure=f"{figure.programme}.{figure.figure}", area=area,
                                   period_end=day, value=float(value)))
    return out
