"""The end of `make demo`: demo users for every role, and the dashboard served on the demo's ICS.

Why: the first thing a new user should see is the product working — the partnership plan, find
and treat, a practice's worklists — not a file. After the synthetic demo has written its report,
this prepares the web server over the same store: the example partnership plan for the synthetic
ICS (`joinedup.app.partnership.EXAMPLE_PLAN`) and one user per role, each with a fresh random
password (printed once; running the demo again resets them, and a user made by an earlier run
keeps its role and practice), the practice user at the practice ranked first for AF (the one with
most patients to find and treat). Account changes are audited as the operator at the command
line, as `joinedup users` does.
"""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from pathlib import Path

from joinedup.app.accounts import AddUser, add_user, cli_actor, set_password
from joinedup.app.partnership import EXAMPLE_PLAN
from joinedup.app.serve import ServeSettings, settings_for
from joinedup.domain.errors import UserError
from joinedup.domain.roles import Role
from joinedup.operational import open_store

DEMO_ROLES: tuple[tuple[str, Role], ...] = (
    ("demo-admin", Role.ADMIN),
    ("demo-analyst", Role.ICS_ANALYST),
    ("demo-lead", Role.PROGRAMME_LEAD),
    ("demo-board", Role.BOARD_VIEWER),
    ("demo-practice", Role.PRACTICE_USER),
)
"""The demo's users: one per dashboard role (the care professional waits for the record)."""


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: Role
    org_code: str | None
    password: str


def first_ranked_practice(practices_csv: Path) -> str:
    """The practice ranked first in a run's practices.csv."""
    try:
        with practices_csv.open(encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r.get("rank") == "1"]
    except OSError as exc:
        raise UserError(f"{practices_csv}: cannot read the demo's practice table "
                        f"({exc.strerror}); run the demo first") from None
    if not rows:
        raise UserError(f"{practices_csv}: no practice is ranked 1")
    return rows[0]["practice_code"]


def prepare_demo_server(out_dir: Path, host: str = "127.0.0.1",
                        port: int = 8000) -> tuple[ServeSettings, list[DemoUser]]:
    """Settings to serve the demo in `out_dir`, and its users with their new passwords."""
    out = Path(out_dir)
    db = out / "ics.duckdb"
    settings = settings_for(db, None, host, port, plan=EXAMPLE_PLAN)
    practice = first_ranked_practice(out / "af" / "practices.csv")
    store = open_store(settings.ops_url)
    actor = cli_actor()
    users = []
    try:
        for name, role in DEMO_ROLES:
            org = practice if role is Role.PRACTICE_USER else None
            password = secrets.token_urlsafe(12)
            existing = store.accounts.get(name)
            if existing is None:
                add_user(store, AddUser(name, role.value, org, password), actor)
            else:  # a user keeps the role and practice they were made with
                set_password(store, name, password, actor)
                role, org = existing.role, existing.org_code
            users.append(DemoUser(name, role, org, password))
    finally:
        store.close()
    return settings, users
