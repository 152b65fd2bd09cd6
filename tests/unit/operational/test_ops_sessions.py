"""Server-side sessions end at sign-out, when idle too long and when too old."""

from __future__ import annotations

from sqlalchemy import select

from joinedup.domain.login_policy import LoginPolicy
from joinedup.domain.roles import Role
from joinedup.operational import open_store
from joinedup.operational.schema import sessions


def test_session_lifecycle(ops_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    policy = LoginPolicy()  # idle 30 minutes, absolute 8 hours
    store = open_store(ops_url, clock=clock, policy=policy)
    user = store.accounts.add("nurse", Role.CARE_PROFESSIONAL, "RR8")

    sid = store.sessions.start(user)
    with store.engine.connect() as conn:
        assert conn.execute(select(sessions.c.session_hash)).scalar_one() != sid
    clock.advance(minutes=29)
    assert store.sessions.resolve(sid) is not None  # used at 29 min: idle clock restarts
    clock.advance(minutes=29)
    assert store.sessions.resolve(sid) is not None  # 29 min after last use
    clock.advance(minutes=31)
    assert store.sessions.resolve(sid) is None  # idle 31 min: over the 30 min limit
    assert store.sessions.resolve(sid) is None  # and it has been removed

    busy = store.sessions.start(user)
    for _ in range(16):  # 16 × 29 min = 7 h 44 min of steady use
        clock.advance(minutes=29)
        assert store.sessions.resolve(busy) is not None
    clock.advance(minutes=17)  # 8 h 1 min after sign-in
    assert store.sessions.resolve(busy) is None

    ended = store.sessions.start(user)
    store.sessions.end(ended)
    assert store.sessions.resolve(ended) is None
    assert store.sessions.resolve("made-up") is None
    store.close()


def test_purge_removes_only_expired_sessions(ops_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    store = open_store(ops_url, clock=clock)
    user = store.accounts.add("analyst", Role.ICS_ANALYST)
    store.sessions.start(user)
    clock.advance(minutes=31)
    fresh = store.sessions.start(user)
    assert store.sessions.purge_expired() == 1
    assert store.sessions.resolve(fresh) is not None
    store.close()
