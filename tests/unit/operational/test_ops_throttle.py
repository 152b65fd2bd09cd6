"""Sign-in throttling: per account and per address, kept across restarts of the store."""

from __future__ import annotations

from joinedup.domain.login_policy import LoginPolicy
from joinedup.operational import open_store

POLICY = LoginPolicy(max_account_failures=5, max_address_failures=8)


def test_account_locks_after_five_failures_and_unlocks_after_the_window(
    ops_url: str, clock,  # type: ignore[no-untyped-def]
) -> None:
    store = open_store(ops_url, clock=clock, policy=POLICY)
    for n in range(4):
        store.throttle.record("alice", f"10.0.0.{n}", succeeded=False)
    assert store.throttle.refusal("alice", "10.0.0.9") is None
    store.throttle.record("alice", "10.0.0.4", succeeded=False)  # fifth, from other addresses
    assert store.throttle.refusal("alice", "10.0.0.9") == (
        "too many failed sign-ins for this account")
    assert store.throttle.refusal("bob", "10.0.0.9") is None
    store.close()

    reopened = open_store(ops_url, clock=clock, policy=POLICY)  # a restart keeps the count
    assert reopened.throttle.account_failures("alice") == 5
    clock.advance(minutes=14)
    assert reopened.throttle.refusal("alice", "10.0.0.9") is not None
    clock.advance(minutes=2)  # the first failures are now older than 15 minutes
    assert reopened.throttle.refusal("alice", "10.0.0.9") is None
    reopened.close()


def test_a_success_restarts_the_account_count(ops_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    store = open_store(ops_url, clock=clock, policy=POLICY)
    for _ in range(4):
        store.throttle.record("alice", "10.0.0.1", succeeded=False)
    clock.advance(seconds=1)
    store.throttle.record("alice", "10.0.0.1", succeeded=True)
    clock.advance(seconds=1)
    store.throttle.record("alice", "10.0.0.1", succeeded=False)
    assert store.throttle.account_failures("alice") == 1
    assert store.throttle.address_failures("10.0.0.1") == 5  # an address's count is not reset
    store.close()


def test_address_locks_across_accounts(ops_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    store = open_store(ops_url, clock=clock, policy=POLICY)
    for n in range(8):
        store.throttle.record(f"user{n}", "192.0.2.7", succeeded=False)
    assert store.throttle.refusal("someone-new", "192.0.2.7") == (
        "too many failed sign-ins from this address")
    assert store.throttle.refusal("someone-new", "192.0.2.8") is None
    clock.advance(minutes=16)
    assert store.throttle.purge_before_window() == 8
    assert store.throttle.refusal("someone-new", "192.0.2.7") is None
    store.close()
