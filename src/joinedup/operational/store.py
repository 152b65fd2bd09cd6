"""Opening the operational store: which database, its engine, and its schema brought up to date.

Why: one place decides how a URL or a path becomes a database connection (SQLite pragmas,
PostgreSQL's psycopg 3 driver, passwords kept out of messages), and every opening runs the
pending Alembic migrations, so a newer joinedup upgrades an older store by itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError

from joinedup.domain.errors import UserError
from joinedup.domain.login_policy import DEFAULT_LOGIN_POLICY, LoginPolicy
from joinedup.operational.accounts import Accounts
from joinedup.operational.audit import AuditLog
from joinedup.operational.plans import SavedPlans
from joinedup.operational.schema import server_secrets
from joinedup.operational.sessions import Sessions
from joinedup.operational.throttle import LoginThrottle

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
Clock = Callable[[], datetime]


class OpsStoreError(UserError):
    """The operational store cannot be opened (bad URL, missing folder, server unreachable)."""


def utc_now() -> datetime:
    """Naive UTC, the form every operational table stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def normalise_url(url_or_path: str) -> str:
    """A SQLAlchemy URL for `--ops`: a URL as given (PostgreSQL through psycopg 3) or a path."""
    if "://" not in url_or_path:
        return f"sqlite:///{Path(url_or_path).resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url_or_path.startswith(prefix):
            return "postgresql+psycopg://" + url_or_path[len(prefix):]
    return url_or_path


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


class OpsStore:
    """An open operational store: its engine and the parts that read and write it."""

    def __init__(self, engine: Engine, clock: Clock = utc_now,
                 policy: LoginPolicy = DEFAULT_LOGIN_POLICY) -> None:
        self.engine = engine
        self.clock = clock
        self.policy = policy
        self.accounts = Accounts(self)
        self.sessions = Sessions(self)
        self.throttle = LoginThrottle(self)
        self.audit = AuditLog(self)
        self.plans = SavedPlans(self)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def now(self) -> datetime:
        return self.clock()

    def secret(self, name: str) -> bytes:
        """A random key kept in the store (so every worker and every restart shares it)."""
        with self.engine.begin() as conn:
            found = conn.execute(
                select(server_secrets.c.value).where(server_secrets.c.name == name)
            ).scalar_one_or_none()
        if found is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(server_secrets).values(
                        name=name, value=secrets.token_hex(32)))
            except IntegrityError:
                pass  # another process made it first; read theirs
            return self.secret(name)
        return bytes.fromhex(found)

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_ops_engine(url: str) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise OpsStoreError(f"--ops {url!r} is not a database URL or a file path") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise OpsStoreError("the operational store must be a file (or a PostgreSQL URL)")
        if not Path(database).parent.is_dir():
            raise OpsStoreError(f"folder {Path(database).parent} for the operational store "
                                "does not exist")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise OpsStoreError(f"the operational store must be SQLite or PostgreSQL, not "
                        f"{parsed.get_backend_name()}")


def migrate(engine: Engine) -> None:
    """Apply every pending migration in `migrations/versions/`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_store(url: str, *, clock: Clock = utc_now,
               policy: LoginPolicy = DEFAULT_LOGIN_POLICY) -> OpsStore:
    """Open (creating or upgrading as needed) the operational store at `url`."""
    engine = create_ops_engine(url)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        problem = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        raise OpsStoreError(
            f"cannot open the operational store {display_url(normalise_url(url))}: {problem}"
        ) from None
    return OpsStore(engine, clock, policy)
