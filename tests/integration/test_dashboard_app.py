"""The dashboard's use cases on the hand-built store: one computation with `joinedup run`, the
cache, saved plans and the partnership plan's progress."""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.dashboard import BASELINE, REF, SHARED_CACHE, dashboard_files
from joinedup.app.dashboard import Dashboard, DashboardRequest, ResultCache
from joinedup.app.partnership import PlanSource, plan_view
from joinedup.app.run import RunOptions, run_programme
from joinedup.app.saved_plans import save_plan
from joinedup.domain.audit import Action
from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.partnership import FOOTPRINT, Status
from joinedup.domain.roles import Principal, Refused, Role
from joinedup.domain.targeting import TargetingError
from joinedup.operational import OpsStore, open_store

LEAD = Principal(user_id=1, name="lead", role=Role.PROGRAMME_LEAD)
BOARD = Principal(user_id=2, name="board", role=Role.BOARD_VIEWER)


@pytest.fixture
def ops(tmp_path: Path) -> Iterator[OpsStore]:
    """A SQLite operational store (the store's own tests run both databases)."""
    store = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield store
    store.close()


@pytest.fixture
def dashboard(ops: OpsStore) -> Dashboard:
    db, _plan = dashboard_files()
    return Dashboard(db, ops, cache=SHARED_CACHE)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("publish", [None, PublicationPolicy()])
def test_pages_and_files_show_one_computation(dashboard: Dashboard, tmp_path: Path,
                                              publish: PublicationPolicy | None) -> None:
    run_programme(dashboard.db, tmp_path, RunOptions(programme="af", publish=publish,
                                                     saved_plan=False))
    written = _csv(tmp_path / "practices.csv")
    shown = dashboard.view(DashboardRequest(programme="af"), publish).practices
    assert [r["practice_code"] for r in written] == [r["practice_code"] for r in shown]
    for file_row, view_row in zip(written, shown, strict=True):
        for column in ("recorded", "eligible", "treated", "to_find", "to_treat", "rank"):
            value = view_row[column]
            assert file_row[column] == ("" if value is None else str(value)), column


def test_a_result_is_computed_once_even_when_asked_together() -> None:
    cache = ResultCache()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    threads = [threading.Thread(target=cache.get, args=("k", slow)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1] and cache.get("k", slow) == 42 and cache.computed == 1
    small = ResultCache(size=2)
    for key in ("a", "b", "c"):
        small.get(key, lambda: 0)
    small.get("a", lambda: 1)  # "a" was evicted (least recently used), so it is made again
    assert small.computed == 4


def test_saving_a_plan_changes_the_next_view_and_is_audited(dashboard: Dashboard) -> None:
    request = DashboardRequest(programme="af")
    before = dashboard.view(request, None)
    assert all(p["willing"] for p in before.practices)
    assert before.targeting["source"].startswith("every practice willing")
    codes = dashboard.practice_codes("af")
    saved = save_plan(dashboard.ops, LEAD, "af", ["a81003", "A81004"], 1, None, codes, "1.2.3.4")
    after = dashboard.view(request, None)
    willing = {p["practice_code"] for p in after.practices if p["willing"]}
    assert willing == {"A81003", "A81004"}
    assert after.targeting["saved_plan_version"] == saved.version == 1
    waves = {p["practice_code"]: p["wave"] for p in after.practices if p["wave"]}
    assert sorted(waves.values()) == list(range(1, len(waves) + 1))  # waves of one practice
    entry = dashboard.ops.audit.read()[0]
    assert (entry.action, entry.resource, entry.user_name) == (Action.PLAN_EDIT, "plan/af",
                                                               "lead")
    assert entry.reason == "version 1: 2 practices willing, waves of 1"


def test_saving_refuses_unknown_practices_and_other_roles(dashboard: Dashboard) -> None:
    codes = dashboard.practice_codes("af")
    with pytest.raises(TargetingError, match="field practice_code: not practices of the "
                                             "footprint: ZZZ999"):
        save_plan(dashboard.ops, LEAD, "af", ["A81001", "ZZZ999"], 10, None, codes)
    with pytest.raises(TargetingError, match="wave_size"):
        save_plan(dashboard.ops, LEAD, "af", None, 0, None, codes)
    with pytest.raises(Refused):
        save_plan(dashboard.ops, BOARD, "af", None, 10, None, codes)
    assert dashboard.ops.plans.latest("af") is None


def test_a_reloaded_store_is_computed_afresh(ops: OpsStore, tmp_path: Path) -> None:
    db, _plan = dashboard_files()
    copy = tmp_path / "ics.duckdb"
    copy.write_bytes(db.read_bytes())
    board = Dashboard(copy, ops)
    board.view(DashboardRequest(programme="af"), None)
    board.view(DashboardRequest(programme="af"), None)
    made = board.cache.computed
    copy.touch()  # as `joinedup load` replacing the file would
    board.view(DashboardRequest(programme="af"), None)
    assert board.cache.computed > made


def test_the_plan_measures_find_and_treat_from_runs_and_the_rest_from_the_file(
        dashboard: Dashboard) -> None:
    _db, plan_file = dashboard_files()
    view = plan_view(PlanSource(plan_file), dashboard, None)
    progress = {item.ambition.key: {p.area: p for p in item.progress}
                for _, items in view.priorities for item in items}
    af = progress["af-detect"][FOOTPRINT]
    now = dashboard.view(DashboardRequest(programme="af"), None).summary
    then = dashboard.view(DashboardRequest(programme="af", reference_date=BASELINE),
                          None).summary
    # 12 on the register at the baseline date, 13 now (one AF code on 2025-06-01)
    assert (then["recorded"], now["recorded"]) == (12, 13)
    assert af.baseline is not None and af.current is not None
    assert (af.baseline.period_end, af.current.period_end) == (BASELINE, REF)
    assert af.baseline.value == then["detection_rate"] and af.current.value == now[
        "detection_rate"]
    north = progress["af-detect"]["PL-N"]
    assert north.current is not None and north.current.value == dashboard.view(
        DashboardRequest(programme="af"), None).area("PL-N").row["detection_rate"]  # type: ignore[union-attr]
    suicide = progress["suicide"]
    assert suicide[FOOTPRINT].status is Status.ON_TRACK
    assert suicide["PL-N"].status is Status.BEHIND
    assert suicide["PL-N"].target == pytest.approx(4.0)
