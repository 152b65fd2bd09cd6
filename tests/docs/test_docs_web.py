"""docs/web.md explains every role, and docs/cli.md every server command."""

from __future__ import annotations

from pathlib import Path

from joinedup.domain.roles import Role

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_role_is_in_the_roles_table() -> None:
    rows = {line.split("|")[1].strip().strip("`") for line in
            (DOCS / "web.md").read_text().splitlines() if line.startswith("| `")}
    assert {r.value for r in Role} <= rows


def test_every_users_subcommand_is_in_the_cli_reference() -> None:
    from joinedup.cli.users import app

    reference = (DOCS / "cli.md").read_text()
    names = set(app.commands)
    assert names == {"add", "list", "disable", "token", "password"}
    assert [n for n in names if f"`joinedup users {n}" not in reference] == []


def test_every_plan_key_is_in_the_dashboard_guide() -> None:
    from joinedup.domain.partnership.parser import PLAN_KEYS

    rows = [line.split("|") for line in (DOCS / "dashboard.md").read_text().splitlines()
            if line.startswith("| ") and line.count("|") >= 4]
    documented = {(cells[1].strip().strip("`").replace("(top)", ""), key.strip().strip("`"))
                  for cells in rows for key in cells[2].split(",")}
    wanted = {(section, key) for section, keys in PLAN_KEYS.items() for key in keys}
    assert sorted(wanted - documented) == []
