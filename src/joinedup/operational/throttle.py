"""Sign-in attempts and the lockouts they trigger, kept in the store so they survive restarts.

Why: password guessing is slowed per account (so one account cannot be attacked from many
addresses) and per client address (so one address cannot try many accounts). Counting from rows
in the operational store means a restart, or a second server process, does not reset the count.
An account's count restarts at its last successful sign-in; an address's does not, so signing in
to one's own account cannot clear the way to guess another's.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from joinedup.operational.context import StoreContext
from joinedup.operational.schema import login_attempts


class LoginThrottle:
    def __init__(self, store: StoreContext) -> None:
        self._store = store

    def record(self, user_name: str, client_address: str, succeeded: bool) -> None:
        with self._store.engine.begin() as conn:
            conn.execute(insert(login_attempts).values(
                at=self._store.now(), user_name=user_name[:64],
                client_address=client_address[:64], succeeded=succeeded))

    def account_failures(self, user_name: str) -> int:
        """Failures for the account within the window and since its last success."""
        since = self._store.now() - self._store.policy.window
        t = login_attempts
        with self._store.engine.connect() as conn:
            last_success = conn.execute(select(func.max(t.c.at)).where(
                t.c.user_name == user_name, t.c.succeeded.is_(True))).scalar_one_or_none()
            if last_success is not None and last_success > since:
                since = last_success
            return conn.execute(select(func.count()).select_from(t).where(
                t.c.user_name == user_name, t.c.succeeded.is_(False), t.c.at > since)
            ).scalar_one()

    def address_failures(self, client_address: str) -> int:
        since = self._store.now() - self._store.policy.window
        t = login_attempts
        with self._store.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t).where(
                t.c.client_address == client_address, t.c.succeeded.is_(False), t.c.at > since)
            ).scalar_one()

    def refusal(self, user_name: str, client_address: str) -> str | None:
        """Why a sign-in must be refused before the password is even checked, or None."""
        policy = self._store.policy
        if policy.address_locked(self.address_failures(client_address)):
            return "too many failed sign-ins from this address"
        if policy.account_locked(self.account_failures(user_name)):
            return "too many failed sign-ins for this account"
        return None

    def purge_before_window(self) -> int:
        """Forget attempts older than the window (they no longer count)."""
        cutoff = self._store.now() - self._store.policy.window
        with self._store.engine.begin() as conn:
            result = conn.execute(delete(login_attempts).where(login_attempts.c.at < cutoff))
        return result.rowcount
