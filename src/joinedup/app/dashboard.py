"""The dashboard's computations over one analytics store, cached so pages are fast.

Why: every find-and-treat page, the home page's plan and the JSON API ask the same question —
this programme's run at this date and ambition, with the saved willing list and waves, as this
reader may see it — and must get the one answer `joinedup run` would write (`compute_run`, the
same function). Computing a run on a full ICS takes seconds, so results are kept, keyed by the
store file's modification time and size (a reload starts afresh), the programme, the date, the
ambition and the saved plan's version (saving a new willing list starts afresh), and whether the
reader sees exact or published figures. `publication_for` is the one rule for the latter: exact
for roles that may see exact aggregates, published (small counts suppressed, the rest rounded,
`domain.publication`) for everyone else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from joinedup.app.programme import AmbitionRequest, ProgrammeSetup
from joinedup.app.programme_view import (
    ProgrammeView,
    ProgressView,
    measured_series,
    progress_view,
)
from joinedup.app.run import ComputedRun, RunOptions, compute_run
from joinedup.app.saved_plans import saved_targeting
from joinedup.app.store import open_store
from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.errors import UserError
from joinedup.domain.roles import Permission, Principal
from joinedup.operational import OpsStore
from joinedup.programmes import available_programmes

if TYPE_CHECKING:
    from joinedup.app.saved_plans import SavedPlan
    from joinedup.domain.progress import ProgressSeries

T = TypeVar("T")
DEFAULT_TREND_PERIODS = 4
"""Quarters the progress page measures, the last at the run's date."""


class UnknownProgrammeError(UserError):
    """A programme name that is not registered."""


def publication_for(principal: Principal) -> PublicationPolicy | None:
    """Exact figures for roles that may see them; published figures for everyone else."""
    return None if principal.can(Permission.EXACT_READ) else PublicationPolicy()


@dataclass(frozen=True)
class DashboardRequest:
    """Which run a page shows: the programme, the date (default: the store's) and the ambition
    (default: the programme's own)."""

    programme: str = "af"
    reference_date: date | None = None
    ambition: AmbitionRequest = field(default_factory=AmbitionRequest)


class ResultCache:
    """A small least-recently-used cache that computes each key once, even when several
    requests ask for it at the same moment (the others wait for the first)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self.computed = 0
        """How many values were computed (not found): for tests and the benchmark."""

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._guard:
            if key in self._values:
                self._values.move_to_end(key)
                found: T = self._values[key]
                return found
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._values:
                    again: T = self._values[key]
                    return again
            value = make()
            with self._guard:
                self.computed += 1
                self._values[key] = value
                self._locks.pop(key, None)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value


class Dashboard:
    """The dashboard's view of one analytics store and one operational store."""

    def __init__(self, db: Path, ops: OpsStore, *, parameters_dir: Path | None = None,
                 trend_periods: int = DEFAULT_TREND_PERIODS,
                 cache: ResultCache | None = None) -> None:
        self.db = db
        self.ops = ops
        self.parameters_dir = parameters_dir
        self.trend_periods = trend_periods
        self.cache = cache or ResultCache()
        """Keys name the store file, never this object, so dashboards over the same files may
        share one cache (tests do)."""

    # -- what the store holds --
    def state(self) -> tuple[str, int, int]:
        """The store file, its modification time and size: a reload gives new results."""
        stat = self.db.stat()
        return str(self.db.resolve()), stat.st_mtime_ns, stat.st_size

    def plan_key(self, saved: SavedPlan | None) -> tuple[str, int] | None:
        """The saved plan's identity in cache keys: its store and version (None: the default,
        the same whichever operational store)."""
        return None if saved is None else (str(self.ops.engine.url), saved.version)

    def programmes(self) -> list[tuple[str, str]]:
        """(name, title) of every registered programme."""
        return [(name, self.setup(name).programme.title) for name in available_programmes()]

    def setup(self, programme: str) -> ProgrammeSetup:
        if programme not in available_programmes():
            raise UnknownProgrammeError(f"no programme {programme!r}; available: "
                                        f"{', '.join(available_programmes())}")
        return self.cache.get(("setup", programme, self.parameters_dir),
                              lambda: ProgrammeSetup.load(programme, self.parameters_dir))

    def names(self) -> dict[str, str]:
        """Every organisation's name by code."""
        def read() -> dict[str, str]:
            with open_store(self.db) as store:
                return store.organisation_names()
        return self.cache.get(("names", self.state()), read)

    def reference_date(self) -> date:
        """The date the store describes (its extract date, or an aggregate store's period)."""
        def read() -> date:
            with open_store(self.db) as store:
                return store.reference_date()
        return self.cache.get(("date", self.state()), read)

    def saved_plan(self, programme: str) -> SavedPlan | None:
        return self.ops.plans.latest(programme)

    # -- the computations --
    def computed(self, request: DashboardRequest) -> ComputedRun:
        """The exact run for `request` with the saved willing list and waves."""
        return self._computed(request, self.saved_plan(request.programme))

    def view(self, request: DashboardRequest, publish: PublicationPolicy | None
             ) -> ProgrammeView:
        """The run as a reader sees it (exact, or published under `publish`)."""
        saved = self.saved_plan(request.programme)
        key = ("view", self.state(), request, self.plan_key(saved), publish,
               self.parameters_dir)
        return self.cache.get(key, lambda: ProgrammeView.of(self._computed(request, saved),
                                                            publish))

    def _computed(self, request: DashboardRequest, saved: SavedPlan | None) -> ComputedRun:
        self.setup(request.programme)
        key = ("run", self.state(), request, self.plan_key(saved), self.parameters_dir)
        options = RunOptions(programme=request.programme, ambition=request.ambition,
                             parameters_dir=self.parameters_dir,
                             reference_date=request.reference_date)
        return self.cache.get(key, lambda: compute_run(self.db, options,
                                                       targeting=saved_targeting(saved)))

    def progress(self, request: DashboardRequest, publish: PublicationPolicy | None
                 ) -> ProgressView:
        """The programme measured at `trend_periods` quarter ends up to the run's date."""
        setup = self.setup(request.programme)
        day = request.reference_date or self.reference_date()
        key = ("series", self.state(), request.programme, day, request.ambition,
               self.trend_periods, self.parameters_dir)

        def series() -> ProgressSeries:
            return self.cache.get(key, lambda: measured_series(
                self.db, setup, setup.ambition(request.ambition), day, self.trend_periods,
                self.names()))

        return self.cache.get((*key, publish), lambda: progress_view(series(), publish))

    def practice_codes(self, programme: str) -> frozenset[str]:
        """The practices of the footprint, as the run at the store's date counts them."""
        run = self.computed(DashboardRequest(programme=programme))
        return frozenset(p["practice_code"] for p in run.practices)
