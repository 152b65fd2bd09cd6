"""Users and their API tokens in the operational store.

Why: one set of users serves the dashboard, the JSON API and the FHIR API. An account has a role
(see `joinedup.domain.roles`), an organisation for the roles that act for one, an optional
password (Argon2id hash) and at most one live API token (a new token revokes the old). Users are
disabled, never deleted, so the audit log always names someone who existed; disabling also
revokes their token and ends their sessions at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from joinedup.domain.errors import UserError
from joinedup.domain.roles import (
    Principal,
    Role,
    check_role_org,
    check_user_name,
)
from joinedup.operational import credentials
from joinedup.operational.context import StoreContext
from joinedup.operational.schema import api_tokens, sessions, users


class AccountError(UserError):
    """A user that does not exist, already exists, or cannot be changed as asked."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    org_code: str | None
    disabled: bool
    has_password: bool
    created_at: datetime

    def principal(self) -> Principal:
        return Principal(user_id=self.id, name=self.name, role=self.role, org_code=self.org_code)


def user_from_row(row: Row) -> User:
    """A `User` from a row holding the users table's columns."""
    return User(id=row.id, name=row.name, role=Role(row.role), org_code=row.org_code,
                disabled=bool(row.disabled), has_password=row.password_hash is not None,
                created_at=row.created_at)


class Accounts:
    def __init__(self, store: StoreContext) -> None:
        self._store = store

    def add(self, name: str, role: Role, org_code: str | None = None,
            password: str | None = None) -> User:
        check_user_name(name)
        org = check_role_org(role, org_code)
        if password is not None:
            self._store.policy.check_password(password)
        hashed = None if password is None else credentials.hash_password(password)
        values = dict(name=name, role=role.value, org_code=org, disabled=False,
                      created_at=self._store.now(), password_hash=hashed)
        try:
            with self._store.engine.begin() as conn:
                conn.execute(insert(users).values(**values))
        except IntegrityError:
            raise AccountError(f"user {name!r} already exists") from None
        return self.require(name)

    def get(self, name: str) -> User | None:
        with self._store.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).one_or_none()
        return None if row is None else user_from_row(row)

    def get_by_id(self, user_id: int) -> User | None:
        with self._store.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).one_or_none()
        return None if row is None else user_from_row(row)

    def require(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise AccountError(f"no user named {name!r}")
        return user

    def list(self) -> list[User]:
        with self._store.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.name)).all()
        return [user_from_row(r) for r in rows]

    def count_admins(self) -> int:
        with self._store.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(users).where(
                users.c.role == Role.ADMIN.value, users.c.disabled.is_(False))).scalar_one()

    def disable(self, name: str) -> User:
        user = self.require(name)
        now = self._store.now()
        with self._store.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(disabled=True))
            conn.execute(update(api_tokens).where(
                api_tokens.c.user_id == user.id, api_tokens.c.revoked_at.is_(None)
            ).values(revoked_at=now))
            conn.execute(delete(sessions).where(sessions.c.user_id == user.id))
        return self.require(name)

    def set_password(self, name: str, password: str) -> User:
        user = self.require(name)
        self._store.policy.check_password(password)
        with self._store.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(
                password_hash=credentials.hash_password(password)))
        return self.require(name)

    def check_password(self, name: str, password: str) -> User | None:
        """The enabled user whose password this is, or None (in about the same time either way)."""
        with self._store.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).one_or_none()
        stored = None if row is None else row.password_hash
        if not credentials.verify_password(stored, password) or row is None or row.disabled:
            return None
        if credentials.needs_rehash(stored or ""):
            with self._store.engine.begin() as conn:
                conn.execute(update(users).where(users.c.id == row.id).values(
                    password_hash=credentials.hash_password(password)))
        return user_from_row(row)

    def issue_token(self, name: str) -> str:
        """A new API token for the user, revoking any earlier one. Returned once, never stored."""
        user = self.require(name)
        if user.disabled:
            raise AccountError(f"user {name!r} is disabled")
        token = credentials.new_token()
        now = self._store.now()
        with self._store.engine.begin() as conn:
            conn.execute(update(api_tokens).where(
                api_tokens.c.user_id == user.id, api_tokens.c.revoked_at.is_(None)
            ).values(revoked_at=now))
            conn.execute(insert(api_tokens).values(
                user_id=user.id, token_hash=credentials.digest(token), created_at=now))
        return token

    def revoke_tokens(self, name: str) -> int:
        user = self.require(name)
        with self._store.engine.begin() as conn:
            result = conn.execute(update(api_tokens).where(
                api_tokens.c.user_id == user.id, api_tokens.c.revoked_at.is_(None)
            ).values(revoked_at=self._store.now()))
        return result.rowcount

    def user_for_token(self, token: str) -> User | None:
        """The enabled user holding this live token, or None."""
        if not token.startswith(credentials.TOKEN_PREFIX):
            return None
        query = (select(users, api_tokens.c.id.label("token_id"),
                        api_tokens.c.last_used_at)
                 .join(api_tokens, api_tokens.c.user_id == users.c.id)
                 .where(api_tokens.c.token_hash == credentials.digest(token),
                        api_tokens.c.revoked_at.is_(None), users.c.disabled.is_(False)))
        with self._store.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        if row is None:
            return None
        now = self._store.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
            with self._store.engine.begin() as conn:
                conn.execute(update(api_tokens).where(api_tokens.c.id == row.token_id)
                             .values(last_used_at=now))
        return user_from_row(row)
