"""`joinedup users`, `joinedup audit export` and `joinedup serve`: the CLI over the ops store.

Each test runs on a SQLite file and on PostgreSQL (`--ops URL`), and one on the default store
beside `--db`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from joinedup.cli.main import app
from joinedup.operational import open_store

PASSWORD = "correct horse battery staple"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_add_list_token_disable_and_export(ops_url: str, tmp_path: Path) -> None:
    code, out, err = run("users", "add", "boss", "--role", "admin", "--password-stdin",
                         "--token", "--ops", ops_url, stdin=PASSWORD + "\n")
    assert code == 0, err
    [line] = out.splitlines()  # exactly one line on stdout: the token
    assert line.startswith("token: jdu_") and len(line) > 40
    first_token = line.removeprefix("token: ")
    assert "added boss (admin)" in err

    code, _, err = run("users", "add", "dr.a", "--role", "practice_user", "--org", "a81001",
                       "--ops", ops_url)
    assert code == 0, err
    code, out, _ = run("users", "list", "--ops", ops_url)
    assert out.splitlines()[1:] == [
        "boss                     admin              -          enabled   yes",
        "dr.a                     practice_user      A81001     enabled   no",
    ]

    code, out, _ = run("users", "token", "boss", "--ops", ops_url)
    second_token = out.strip().removeprefix("token: ")
    store = open_store(ops_url)
    assert store.accounts.user_for_token(first_token) is None
    assert store.accounts.check_password("boss", PASSWORD) is not None
    user = store.accounts.user_for_token(second_token)
    assert user is not None and user.name == "boss"
    store.close()

    assert run("users", "disable", "dr.a", "--ops", ops_url)[0] == 0
    assert "dr.a                     practice_user      A81001     disabled" in run(
        "users", "list", "--ops", ops_url)[1]

    export = tmp_path / "audit.csv"
    code, _, err = run("audit", "export", "--ops", ops_url, "--out", str(export))
    assert code == 0 and "exported 6 audit entries" in err
    rows = list(csv.DictReader(export.open()))
    assert [(r["action"], r["resource"]) for r in rows] == [
        ("user.add", "user/boss"), ("token.issue", "user/boss"), ("user.add", "user/dr.a"),
        ("token.issue", "user/boss"), ("user.disable", "user/dr.a"), ("audit.export", "audit"),
    ]
    assert all(r["user_name"].startswith("cli:") for r in rows)


def test_user_errors_are_one_line_and_exit_2(ops_url: str) -> None:
    cases = [
        (("users", "add", "x", "--role", "practice_user"), "needs --org"),
        (("users", "add", "x", "--role", "wizard"), "is not one of"),
        (("users", "add", "x", "--role", "admin", "--org", "A81001"), "only for the roles"),
        (("users", "disable", "ghost"), "no user named 'ghost'"),
        (("users", "token", "ghost"), "no user named 'ghost'"),
    ]
    for args, message in cases:
        code, _, err = run(*args, "--ops", ops_url)
        assert code == 2, args
        assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_short_password_is_refused_without_echoing_it(ops_url: str) -> None:
    code, out, err = run("users", "add", "boss", "--role", "admin", "--password-stdin",
                         "--ops", ops_url, stdin="hunter2\n")
    assert code == 2 and "at least 12 characters" in err and "hunter2" not in out + err


def test_default_store_sits_beside_the_analytics_store(tmp_path: Path) -> None:
    db = tmp_path / "ics.duckdb"
    db.touch()
    assert run("users", "add", "amy", "--role", "ics_analyst", "--db", str(db))[0] == 0
    assert (tmp_path / "ics.ops.sqlite").is_file()
    code, _, err = run("users", "list")
    assert code == 2 and "give --db" in err


def test_serve_refuses_a_missing_store_and_a_bad_ops_url(tmp_path: Path) -> None:
    code, _, err = run("serve", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "no analytics store there" in err
    db = tmp_path / "ics.duckdb"
    db.touch()
    code, _, err = run("serve", "--db", str(db), "--ops", "mysql://u:secret@h/db")
    assert code == 2 and "SQLite or PostgreSQL" in err and "secret" not in err
    code, _, err = run("serve", "--db", str(db), "--ops",
                       "postgresql://u:secret@127.0.0.1:1/db")
    assert code == 2 and "cannot open the operational store" in err and "secret" not in err
