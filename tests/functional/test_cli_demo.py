"""`joinedup demo` runs the main job end to end with nothing set up beforehand, then serves the
dashboard with a demo user per role (`--no-serve` stops after the report)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from joinedup.app.demo_server import DEMO_ROLES, prepare_demo_server
from joinedup.app.serve import ServeSettings
from joinedup.cli import demo as demo_command
from joinedup.cli.main import app
from joinedup.domain.audit import Action
from joinedup.domain.errors import UserError
from joinedup.domain.roles import Role
from joinedup.operational import open_store


@pytest.mark.slow
def test_demo_generates_loads_runs_and_points_at_the_report_then_serves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--patients", "20000",
                                      "--no-serve"])
    assert result.exit_code == 0, result.output
    report = out / "af" / "report.html"
    assert report.is_file()
    assert f"report: {report}" in result.output
    assert "dashboard:" not in result.output and "password" not in result.output
    summary = json.loads((out / "af" / "summary.json").read_text())
    # The synthetic population has undiagnosed and untreated AF, so there is work to do.
    assert summary["to_find"] > 0 and summary["to_treat"] > 0
    assert 0.6 < summary["detection_rate"] < 0.95
    assert f"find {summary['to_find']:,} and treat {summary['to_treat']:,}" in result.output
    # Nothing was rejected: the generator's own data satisfies the loader's checks.
    # The demo charts progress: the default improvement scenario shows treatment rising.
    assert 'id="trend"' in report.read_text()
    trend = json.loads((out / "af" / "progress.json").read_text())["footprint_trend"]
    assert len(trend["treatment_rate"]) == 8
    assert trend["treatment_rate"][-1] > trend["treatment_rate"][0] + 0.03
    assert trend["detection_rate"][-1] > trend["detection_rate"][0]
    assert (out / "af" / "progress.csv").is_file() and (out / "af" / "improvers.csv").is_file()
    rejects = (out / "ics.rejects.csv").read_text().splitlines()
    assert len(rejects) == 1, rejects[:3]  # the header only
    assert (out / "ics.duckdb").is_file()
    # The demo's records are the programmes' own: no background consultations (quick to build).
    kinds = pq.read_table(out / "synthetic" / "encounters.parquet", columns=["kind"])
    assert "gp_consultation" not in set(kinds.column("kind").to_pylist())
    _serves_the_dashboard_with_a_user_per_role(out, monkeypatch, capsys)


def test_demo_refuses_an_unknown_density(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--density", "thick",
                                      "--no-serve"])
    assert result.exit_code != 0
    assert "--density must be one of realistic, programme" in result.output
    assert not (tmp_path / "synthetic").exists()


def test_real_demo_runs_af_for_west_yorkshire_from_published_data(tmp_path: Path) -> None:
    out = tmp_path / "real"
    result = CliRunner().invoke(app, ["demo", "--real", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "af" / "summary.json").read_text())
    assert (summary["practices"], summary["list_size"], summary["recorded"]) == (
        290, 2_592_366, 47_365)
    assert f"report: {out / 'af' / 'report.html'}" in result.output
    assert "Open Government Licence" in result.output


def _serves_the_dashboard_with_a_user_per_role(
        out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """What `joinedup demo` does after the report unless --no-serve: users, then the server."""
    served: dict[str, Any] = {}

    def fake_run_server(asgi_app: Any, settings: ServeSettings) -> None:
        served.update(app=asgi_app, settings=settings)

    monkeypatch.setattr("joinedup.app.serve.run_server", fake_run_server)
    warmed: list[object] = []  # the warm-up is started (here only noted: the page computes)
    monkeypatch.setattr("joinedup.app.serve.Services.warm_up", lambda self: warmed.append(self))
    demo_command._serve(out, "127.0.0.1", 8765)  # what `joinedup demo` does after the report
    assert len(warmed) == 1
    printed = capsys.readouterr().out
    assert "dashboard: http://127.0.0.1:8765" in printed
    assert served["settings"].db == out / "ics.duckdb" and served["settings"].port == 8765
    passwords = dict(re.findall(r"^ +(demo-[a-z]+) +\S+ +password: (\S+)", printed, re.M))
    assert set(passwords) == {name for name, _role in DEMO_ROLES}
    with (out / "af" / "practices.csv").open(encoding="utf-8") as handle:
        first = next(r["practice_code"] for r in csv.DictReader(handle) if r["rank"] == "1")
    assert re.search(rf"demo-practice +practice_user +password: \S+ for {first}$", printed, re.M)
    client = TestClient(served["app"], base_url="https://testserver", follow_redirects=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    signed = client.post("/login", data={"username": "demo-analyst",
                                         "password": passwords["demo-analyst"],
                                         "csrf_token": token.group(1)})
    assert signed.status_code == 303, signed.text
    home = client.get("/")
    assert home.status_code == 200 and "Our partnership plan" in home.text  # the example


def _practices_csv(folder: Path, ranks: dict[str, int]) -> None:
    (folder / "af").mkdir(parents=True)
    with (folder / "af" / "practices.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["practice_code", "practice_name", "rank"])
        writer.writerows((code, f"Practice {code}", rank) for code, rank in ranks.items())


def test_demo_users_one_per_role_and_the_practice_user_at_the_first_ranked(
        tmp_path: Path) -> None:
    _practices_csv(tmp_path, {"B86001": 2, "B86002": 1, "B86003": 3})
    (tmp_path / "ics.duckdb").touch()  # the settings only need the store to exist
    settings, users = prepare_demo_server(tmp_path, port=8100)
    assert settings.port == 8100 and settings.plan is not None
    dashboard_roles = set(Role) - {Role.CARE_PROFESSIONAL}  # the record's role waits
    assert sorted(u.role for u in users) == sorted(dashboard_roles)
    assert {u.name: u.org_code for u in users if u.org_code} == {"demo-practice": "B86002"}
    assert len({u.password for u in users}) == len(users)
    store = open_store(settings.ops_url)
    try:
        for user in users:
            assert store.accounts.check_password(user.name, user.password) is not None
        first = {u.name: u.password for u in users}
        _settings, again = prepare_demo_server(tmp_path)  # a second demo: new passwords
        assert len(store.accounts.list()) == len(users)
        for user in again:
            assert user.password != first[user.name]
            assert store.accounts.check_password(user.name, first[user.name]) is None
            assert store.accounts.check_password(user.name, user.password) is not None
        actions = [e.action for e in store.audit.iter_all() if e.resource.startswith("user/demo-")]
        assert actions.count(Action.USER_ADD) == actions.count(Action.PASSWORD_SET) == 5
    finally:
        store.close()


def test_demo_server_needs_the_demo_run_first(tmp_path: Path) -> None:
    (tmp_path / "ics.duckdb").touch()
    with pytest.raises(UserError, match=r"practices\.csv: cannot read"):
        prepare_demo_server(tmp_path)
    _practices_csv(tmp_path, {"B86001": 2})
    with pytest.raises(UserError, match="no practice is ranked 1"):
        prepare_demo_server(tmp_path)
