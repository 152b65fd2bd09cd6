"""Server-side sign-in sessions.

Why server-side: a session held in the store can be ended for real — at sign-out, when an admin
disables the user, or when it has been idle or alive too long (`LoginPolicy`) — which a signed
cookie cannot. The browser holds only a random id; the store keeps its SHA-256, so a copy of the
table does not let anyone resume a session.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, or_, select, update

from joinedup.operational import credentials
from joinedup.operational.accounts import User, user_from_row
from joinedup.operational.context import StoreContext
from joinedup.operational.schema import sessions, users

_TOUCH_AFTER_SECONDS = 60


class Sessions:
    def __init__(self, store: StoreContext) -> None:
        self._store = store

    def start(self, user: User) -> str:
        """A new session for the user; returns the id for the cookie (shown nowhere else)."""
        session_id = credentials.new_session_id()
        now = self._store.now()
        with self._store.engine.begin() as conn:
            conn.execute(insert(sessions).values(
                session_hash=credentials.digest(session_id), user_id=user.id,
                created_at=now, last_seen_at=now))
        return session_id

    def resolve(self, session_id: str) -> User | None:
        """The enabled user of a live session, or None; ends the session if it has expired."""
        policy = self._store.policy
        key = credentials.digest(session_id)
        query = (select(users, sessions.c.created_at.label("started"), sessions.c.last_seen_at)
                 .join(sessions, sessions.c.user_id == users.c.id)
                 .where(sessions.c.session_hash == key))
        with self._store.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        if row is None:
            return None
        now = self._store.now()
        if (row.disabled or now - row.started > policy.session_absolute
                or now - row.last_seen_at > policy.session_idle):
            self.end(session_id)
            return None
        if (now - row.last_seen_at).total_seconds() > _TOUCH_AFTER_SECONDS:
            with self._store.engine.begin() as conn:
                conn.execute(update(sessions).where(sessions.c.session_hash == key)
                             .values(last_seen_at=now))
        return user_from_row(row)

    def end(self, session_id: str) -> None:
        with self._store.engine.begin() as conn:
            conn.execute(delete(sessions).where(
                sessions.c.session_hash == credentials.digest(session_id)))

    def purge_expired(self) -> int:
        """Remove sessions past either limit; returns how many."""
        policy = self._store.policy
        now = self._store.now()
        with self._store.engine.begin() as conn:
            result = conn.execute(delete(sessions).where(or_(
                sessions.c.created_at < now - policy.session_absolute,
                sessions.c.last_seen_at < now - policy.session_idle)))
        return result.rowcount
