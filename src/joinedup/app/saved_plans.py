"""The willing list and waves a run uses, and the use case that saves them from the dashboard.

Why here: a programme lead edits the willing list and the wave plan in the dashboard; the
dashboard and the next `joinedup run` must then plan with exactly that version. One function,
`resolve_targeting`, decides where a run's targeting comes from (what the run was given, else the
saved plan, else every practice in waves of 10) and says so in summary.json; one use case,
`save_plan`, checks, saves and audits an edit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from joinedup.domain.audit import Action
from joinedup.domain.roles import Permission, Principal, authorise
from joinedup.domain.targeting import TargetingError, TargetingPolicy
from joinedup.operational.paths import default_ops_file, ops_url_for
from joinedup.sources.willing import read_willing

if TYPE_CHECKING:  # a run with no saved plan never loads the operational store's libraries
    from joinedup.operational import OpsStore
    from joinedup.operational.plans import SavedPlan

DEFAULT_WAVE_SIZE = 10

__all__ = ["DEFAULT_WAVE_SIZE", "SavedPlan", "Targeting", "resolve_targeting", "save_plan",
           "saved_targeting"]


@dataclass(frozen=True)
class Targeting:
    """The targeting policy a run plans with, and where its willing list came from."""

    policy: TargetingPolicy
    source: str
    version: int | None = None
    """The saved plan's version, when it came from the dashboard."""
    not_in_footprint: tuple[str, ...] = field(default=())

    def within(self, practices: Collection[str]) -> Targeting:
        """A saved plan against today's footprint: practices that have since left it (closed,
        merged) are dropped and listed, rather than failing the run. A willing list given to
        the run itself must match the footprint exactly (`plan` refuses an unknown code)."""
        willing = self.policy.willing
        if self.version is None or willing is None:
            return self
        gone = tuple(sorted(willing - set(practices)))
        if not gone:
            return self
        return replace(self, policy=replace(self.policy, willing=willing - set(gone)),
                       not_in_footprint=gone)

    def as_dict(self) -> dict[str, Any]:
        willing = self.policy.willing
        return {
            "willing": "every practice" if willing is None else sorted(willing),
            "wave_size": self.policy.wave_size,
            "max_waves": self.policy.max_waves,
            "source": self.source,
            "saved_plan_version": self.version,
            "saved_practices_not_in_footprint": list(self.not_in_footprint),
        }


def saved_targeting(saved: SavedPlan | None) -> Targeting:
    """The targeting of a saved plan (or the default, every practice, when none is saved)."""
    if saved is None:
        return Targeting(TargetingPolicy(wave_size=DEFAULT_WAVE_SIZE),
                         "every practice willing (no willing list saved or given)")
    when = saved.saved_at.isoformat(timespec="minutes")
    return Targeting(
        TargetingPolicy(wave_size=saved.wave_size, max_waves=saved.max_waves,
                        willing=saved.willing),
        f"saved in the dashboard: version {saved.version}, by {saved.saved_by} at {when} UTC",
        version=saved.version,
    )


class TargetingRequest(Protocol):
    """What a run was asked about targeting (`joinedup.app.run.RunOptions` answers it)."""

    @property
    def programme(self) -> str: ...
    @property
    def willing_file(self) -> Path | None: ...
    @property
    def willing(self) -> frozenset[str] | None: ...
    @property
    def wave_size(self) -> int | None: ...
    @property
    def max_waves(self) -> int | None: ...
    @property
    def saved_plan(self) -> bool: ...
    @property
    def ops(self) -> str | None: ...


def resolve_targeting(db_path: Path, options: TargetingRequest) -> Targeting:
    """What the run was given, else the plan saved in the dashboard, else the default.

    A saved plan is read from `options.ops`, or from the operational store beside the store
    file if one exists (a run never creates an operational store).
    """
    given = (options.willing_file is not None or options.willing is not None
             or options.wave_size is not None or options.max_waves is not None)
    if given or not options.saved_plan:
        willing = options.willing
        source = "every practice willing"
        if options.willing_file is not None:
            willing = read_willing(options.willing_file)
            source = f"willing list {options.willing_file}"
        elif willing is not None:
            source = "willing list given to the run"
        policy = TargetingPolicy(wave_size=options.wave_size or DEFAULT_WAVE_SIZE,
                                 max_waves=options.max_waves, willing=willing)
        return Targeting(policy, source)
    if options.ops is None and not default_ops_file(db_path).is_file():
        return saved_targeting(None)
    from joinedup.operational import open_store

    store = open_store(options.ops or ops_url_for(db_path))
    try:
        return saved_targeting(store.plans.latest(options.programme))
    finally:
        store.close()


def save_plan(
    store: OpsStore, principal: Principal, programme: str, willing: Iterable[str] | None,
    wave_size: int, max_waves: int | None, practices: Collection[str],
    client: str | None = None,
) -> SavedPlan:
    """Check and save a new version of `programme`'s willing list and waves, and audit it.

    `practices` are the footprint's practice codes: a willing code outside it is refused.
    """
    from joinedup.app.audit import record_access

    authorise(principal, Permission.PLAN_EDIT)
    codes = None if willing is None else frozenset(c.strip().upper() for c in willing)
    TargetingPolicy(wave_size=wave_size, max_waves=max_waves, willing=codes)  # checks the sizes
    unknown = sorted((codes or frozenset()) - set(practices))
    if unknown:
        raise TargetingError(f"willing list, field practice_code: not practices of the "
                             f"footprint: {', '.join(unknown[:10])}")
    saved = store.plans.save(programme, codes, wave_size, max_waves, principal.name)
    willing_text = "every practice" if codes is None else f"{len(codes)} practices"
    record_access(store, principal, Action.PLAN_EDIT, f"plan/{programme}",
                  reason=f"version {saved.version}: {willing_text} willing, waves of "
                         f"{wave_size}" + (f", at most {max_waves}" if max_waves else ""),
                  client=client)
    return saved
