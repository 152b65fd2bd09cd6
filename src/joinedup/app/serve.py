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
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joinedup.app.accounts import ops_url
from joinedup.app.dashboard import DEFAULT_TREND_PERIODS, Dashboard, publication_for
from joinedup.app.partnership import PlanSource, plan_view
from joinedup.domain.errors import UserError
from joinedup.domain.login_policy import DEFAULT_LOGIN_POLICY, LoginPolicy
from joinedup.operational import OpsStore, open_store

CSRF_SECRET = "csrf"
log = logging.getLogger("joinedup.web")


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
    plan: Path | None = None
    """The partnership plan (TOML) the home page shows; None: no plan."""
    trend_periods: int = DEFAULT_TREND_PERIODS


def settings_for(db: Path, ops: str | None = None, host: str = "127.0.0.1",
                 port: int = 8000, plan: Path | None = None,
                 trend_periods: int = DEFAULT_TREND_PERIODS) -> ServeSettings:
    if not db.is_file():
        raise UserError(f"--db {db}: no analytics store there (make one with `joinedup load` "
                        "or `joinedup import`)")
    if plan is not None:
        PlanSource(plan).load()  # a broken plan file fails now, naming the entry, not later
    return ServeSettings(db=db, ops_url=ops_url(db, ops), host=host, port=port, plan=plan,
                         trend_periods=trend_periods)


@dataclass
class Services:
    """What every route may use, opened once for the life of the server."""

    settings: ServeSettings
    store: OpsStore
    csrf_key: bytes
    extras: dict[str, Any] = field(default_factory=dict)
    """Capabilities opened on first use and kept for the server's life (the shared care
    record: `joinedup.app.record.record_service`)."""
    dashboard: Dashboard = field(init=False)
    plan: PlanSource | None = field(init=False)

    def __post_init__(self) -> None:
        self.dashboard = Dashboard(self.settings.db, self.store,
                                   trend_periods=self.settings.trend_periods)
        self.plan = PlanSource(self.settings.plan) if self.settings.plan else None

    def warm_up(self) -> threading.Thread:
        """Compute the home page's plan and each programme's run in the background (exact and
        published), so the first readers do not wait; errors are logged, not raised."""

        def work() -> None:
            from joinedup.app.access import Principal, Role
            from joinedup.app.dashboard import DashboardRequest

            readers = [Principal(0, "warm-up", Role.ICS_ANALYST),
                       Principal(0, "warm-up", Role.BOARD_VIEWER)]
            try:
                for reader in readers:
                    publish = publication_for(reader)
                    if self.plan is not None:
                        plan_view(self.plan, self.dashboard, publish)
                    for name, _title in self.dashboard.programmes():
                        self.dashboard.view(DashboardRequest(programme=name), publish)
                log.info("dashboard ready: plan and programme runs computed")
            except UserError as exc:
                log.warning("dashboard warm-up stopped: %s", exc)

        thread = threading.Thread(target=work, name="dashboard-warm-up", daemon=True)
        thread.start()
        return thread

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
