"""Saved targeting plans: versions, history, the willing list, on SQLite and PostgreSQL."""

from __future__ import annotations

from joinedup.operational import OpsStore


def test_each_save_is_a_new_version_and_the_latest_is_in_force(ops_store: OpsStore) -> None:
    plans = ops_store.plans
    assert plans.latest("af") is None
    first = plans.save("af", ["A81001", "A81002"], wave_size=5, max_waves=None, saved_by="lead")
    second = plans.save("af", None, wave_size=3, max_waves=2, saved_by="lead2")
    other = plans.save("hypertension", ["A81003"], wave_size=10, max_waves=None, saved_by="lead")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    latest = plans.latest("af")
    assert latest is not None
    assert (latest.version, latest.willing, latest.wave_size, latest.max_waves,
            latest.saved_by) == (2, None, 3, 2, "lead2")
    history = plans.history("af")
    assert [p.version for p in history] == [2, 1]
    assert history[1].willing == frozenset({"A81001", "A81002"})
    assert plans.latest("hypertension").willing == frozenset({"A81003"})  # type: ignore[union-attr]


def test_an_empty_willing_list_is_kept_apart_from_every_practice(ops_store: OpsStore) -> None:
    ops_store.plans.save("af", [], wave_size=10, max_waves=None, saved_by="lead")
    latest = ops_store.plans.latest("af")
    assert latest is not None and latest.willing == frozenset()
