"""The `serve` use case: what the web server needs, resolved and opened once at start-up.

Why here: the web package builds routes; it must not know how stores are located or opened. This
module turns the command's options into `ServeSettings`, opens the operational store (migrating
it) and checks the analytics store, and hands the web app one `Services` object. Dashboard pages
and the FHIR API reach their data through the use cases in this package, given these services.
Running the ASGI app with uvicorn is here too, with uvicorn's access log off: request paths can
carry NHS numbers, so the web app writes its own log line with the route template instead.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joinedup.app.accounts import ops_url
from joinedup.domain.errors import UserError
from joinedup.domain.login_policy import DEFAULT_LOGIN_POLICY, LoginPolicy
from joinedup.operational import OpsStore, open_store

CSRF_SECRET = "csrf"


@dataclass(frozen=True)
class ServeSettings:
    db: Path
    """The analytics store (DuckDB) that dashboard pages read."""
    ops_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool = True
    """Mark cookies Secure (sent over HTTPS only; browsers also allow it on localhost). Turn off
    only for tests that talk plain HTTP to a non-local name."""
    policy: LoginPolicy = field(default=DEFAULT_LOGIN_POLICY)


def settings_for(db: Path, ops: str | None = None, host: str = "127.0.0.1",
                 port: int = 8000) -> ServeSettings:
    if not db.is_file():
        raise UserError(f"--db {db}: no analytics store there (make one with `joinedup load` "
                        "or `joinedup import`)")
    return ServeSettings(db=db, ops_url=ops_url(db, ops), host=host, port=port)


@dataclass
class Services:
    """What every route may use, opened once for the life of the server."""

    settings: ServeSettings
    store: OpsStore
    csrf_key: bytes
    extras: dict[str, Any] = field(default_factory=dict)
    """Capabilities opened on first use and kept for the server's life (the shared care
    record: `joinedup.app.record.record_service`)."""

    def close(self) -> None:
        self.store.close()


def open_services(settings: ServeSettings) -> Services:
    store = open_store(settings.ops_url, policy=settings.policy)
    return Services(settings=settings, store=store, csrf_key=store.secret(CSRF_SECRET))


def run_server(asgi_app: Any, settings: ServeSettings) -> None:
    """Serve until interrupted (uvicorn, one process; no access log — see the module note)."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["joinedup"] = {"handlers": ["default"], "level": "INFO",
                                         "propagate": False}
    uvicorn.run(asgi_app, host=settings.host, port=settings.port, access_log=False,
                proxy_headers=False, server_header=False, log_config=log_config)
