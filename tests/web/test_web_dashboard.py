"""The dashboard's pages and API: the plan, find and treat (exact or published), downloads and
the willing-list editor, on the hand-built store (fixtures/dashboard.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fixtures.web import World, build_world, form_token
from joinedup.domain.audit import Action


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world on SQLite for the module (the role matrix runs both databases)."""
    folder = tmp_path_factory.mktemp("dashboard-site")
    built = build_world(folder, f"sqlite:///{folder / 'ops.sqlite'}")
    yield built
    built.store.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A fresh SQLite world for tests that save a plan."""
    built = build_world(tmp_path, f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield built
    built.store.close()


def test_the_home_page_shows_the_plan_with_progress(site: World) -> None:
    html = site.client("analyst").get("/").text
    assert "<h1>Test partnership plan</h1>" in html
    assert "Stroke and cardiovascular disease" in html and "Mental health" in html
    assert "Health and wellbeing" in html and "Care and quality" in html  # triple aim tags
    assert "North Place" in html and "the whole footprint" in html
    assert ">On track</strong>" in html and ">Behind</strong>" in html
    assert "Suicide rate (per 100,000 people)" in html
    assert "12.0 <span" in html and "10.8 by 2026-03-31" in html
    note = "Find-and-treat figures here are published figures"
    assert note not in html and note in site.client("board").get("/").text


def test_analysts_see_exact_figures_and_everyone_else_published(site: World) -> None:
    exact = site.client("analyst").get("/api/programmes/af/practices/A81001").json()
    published = site.client("board").get("/api/programmes/af/practices/A81001").json()
    assert exact["practice"]["recorded"] == 3  # by hand: see fixtures/dashboard.py
    assert published["practice"]["recorded"] is None  # 3 is a small count: suppressed
    assert exact["publication"] == "working output, not for publication"
    assert published["publication"].startswith("published: counts 1–7 suppressed")
    assert exact["practice"]["rank"] == published["practice"]["rank"]
    assert "Exact figures" in site.client("analyst").get("/find-and-treat/af").text
    assert "Published figures" in site.client("gp_a").get("/find-and-treat/af").text


def test_drill_down_from_the_footprint_to_a_practice(site: World) -> None:
    client = site.client("lead")
    overview = client.get("/find-and-treat/af").text
    assert 'href="/find-and-treat/af/areas/PL-N">North Place</a>' in overview
    assert 'href="/find-and-treat/af/areas/PL-S">South Place</a>' in overview
    place = client.get("/find-and-treat/af/areas/PL-N").text
    assert 'href="/find-and-treat/af/areas/PCN-N1">North PCN</a>' in place
    assert "PCN-S1" not in place
    pcn = client.get("/find-and-treat/af/areas/pcn-n1").text  # codes are case-insensitive
    for code in ("A81001", "A81002", "A81003"):
        assert f'href="/find-and-treat/af/practices/{code}">' in pcn
    assert "A81004" not in pcn
    practice = client.get("/find-and-treat/af/practices/A81002").text
    assert "<h1>Hilltop Practice</h1>" in practice
    for crumb in ("Test Partnership ICS", "North Place", "North PCN"):
        assert crumb in practice
    assert "practices in its PCN" in practice and "practices across the ICS" in practice
    api = client.get("/api/programmes/af/areas/PL-N").json()
    assert (api["level"], api["child_level"], [c["code"] for c in api["children"]]) == (
        "place", "pcn", ["PCN-N1"])
    assert client.get("/find-and-treat/af/areas/NOWHERE").status_code == 404
    assert client.get("/find-and-treat/af/practices/Z99999").status_code == 404
    assert client.get("/find-and-treat/nothing").status_code == 404


def test_every_page_of_a_programme_answers(site: World) -> None:
    client = site.client("analyst")
    for path in ("/find-and-treat", "/find-and-treat/hypertension",
                 "/find-and-treat/af/ranking", "/find-and-treat/af/inequalities",
                 "/find-and-treat/af/progress", "/find-and-treat/af?date=2025-12-31"):
        response = client.get(path)
        assert response.status_code == 200, path
    ranking = client.get("/find-and-treat/af/ranking").text
    assert "Every practice in rank order" in ranking and "Riverside Surgery" in ranking
    progress = client.get("/find-and-treat/af/progress").text
    assert progress.count("<td class=\"nhsuk-table__cell\">2025-") == 3  # 4 quarters to 2026-03
    assert client.get("/find-and-treat/af?date=1066-10-14").status_code in (400, 422)


def test_downloads_are_the_tables_as_the_reader_sees_them(site: World) -> None:
    lead = site.client("lead").get("/find-and-treat/af/download/practices.csv")
    assert lead.headers["content-type"].startswith("text/csv")
    assert 'filename="af-practices-2026-03-31.csv"' in lead.headers["content-disposition"]
    lines = lead.text.splitlines()
    assert lines[0].startswith("period_end,programme,practice_code,practice_name")
    assert len(lines) == 1 + 5
    board = site.client("board").get("/find-and-treat/af/download/pcn_need.xlsx")
    assert 'af-pcn_need-2026-03-31-published.xlsx' in board.headers["content-disposition"]
    book = load_workbook(io.BytesIO(board.content))
    assert book.sheetnames == ["pcn_need", "about"]
    assert book["about"]["A2"].value.startswith("published: counts 1–7 suppressed")
    for table in ("rollups", "waves", "pareto", "breakdowns", "progress", "improvers"):
        assert site.client("board").get(
            f"/find-and-treat/af/download/{table}.csv").status_code == 200, table
    assert site.client("board").get("/find-and-treat/af/download/secrets.csv").status_code == 404
    assert site.client("board").get("/find-and-treat/af/download/practices.pdf").status_code == 422


def test_the_api_tables_match_the_downloads(site: World) -> None:
    client = site.client("analyst")
    table = client.get("/api/programmes/af/tables/practices").json()
    assert [r["practice_code"] for r in table["rows"]][:1] and len(table["rows"]) == 5
    csv_codes = [line.split(",")[2] for line in
                 client.get("/find-and-treat/af/download/practices.csv").text.splitlines()[1:]]
    assert [r["practice_code"] for r in table["rows"]] == csv_codes
    assert client.get("/api/programmes/af/tables/nothing").status_code == 404
    too_early = client.get("/api/programmes/af?date=1899-12-31")  # a user error: 400, saying why
    assert too_early.status_code == 400 and "from 1900 to 2099" in too_early.text
    earlier = client.get("/api/programmes/af?date=2025-03-31").json()
    assert earlier["reference_date"] == "2025-03-31" and earlier["summary"]["recorded"] == 12
    plan = client.get("/api/plan").json()
    assert plan["configured"] is True and plan["status"]["on track"] >= 1
    suicide = plan["priorities"][1]["ambitions"][0]
    assert [p["status"] for p in suicide["progress"]] == ["on track", "behind"]


def test_a_programme_lead_edits_the_willing_list(world: World) -> None:
    client = world.signed_in("lead")
    form = client.get("/find-and-treat/af/willing").text
    assert 'name="willing" value="A81003"' in form
    token = form_token(client, "/find-and-treat/af/willing")
    saved = client.post("/find-and-treat/af/willing", data={
        "csrf_token": token, "scope": "listed", "willing": ["A81003", "a81005"],
        "wave_size": "1", "max_waves": ""})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/find-and-treat/af/ranking?saved=1"
    assert "Saved as version 1" in client.get(saved.headers["location"]).text
    codes = {r["practice_code"] for r in client.get("/api/programmes/af/tables/practices")
             .json()["rows"] if r["willing"]}
    assert codes == {"A81003", "A81005"}
    entry = world.store.audit.read()[0]
    assert (entry.action, entry.resource) == (Action.PLAN_EDIT, "plan/af")
    api = world.client("lead").get("/api/programmes/af/willing").json()
    assert (api["version"], api["willing"], api["wave_size"]) == (1, ["A81003", "A81005"], 1)


@pytest.mark.parametrize(("fields", "message"), [
    ({"wave_size": "many"}, "Enter the number of practices in each wave"),
    ({"wave_size": "0"}, "Enter the number of practices in each wave"),
    ({"wave_size": "5", "max_waves": "-1"}, "Enter the most waves to plan"),
    ({"wave_size": "5", "willing": ["A81001", "NOPE1"]}, "not practices of the footprint: NOPE1"),
])
def test_a_bad_edit_is_shown_on_the_form_and_nothing_is_saved(
        world: World, fields: dict[str, object], message: str) -> None:
    client = world.signed_in("lead")
    token = form_token(client, "/find-and-treat/af/willing")
    answer = client.post("/find-and-treat/af/willing",
                         data={"csrf_token": token, "scope": "listed", **fields})
    assert answer.status_code == 400
    assert "There is a problem" in answer.text and message in answer.text
    assert world.store.plans.latest("af") is None


def test_the_willing_list_api(world: World) -> None:
    lead = world.client("lead")
    answer = lead.put("/api/programmes/af/willing", json={"willing": None, "wave_size": 2})
    assert answer.status_code == 200 and answer.json()["version"] == 1
    assert answer.json()["willing"] is None
    unknown = lead.put("/api/programmes/af/willing", json={"willing": ["X1"], "wave_size": 2})
    assert unknown.status_code == 400 and "X1" in unknown.json()["detail"]
    assert world.client("analyst").put("/api/programmes/af/willing",
                                       json={"wave_size": 2}).status_code == 403
    assert lead.put("/api/programmes/zz/willing", json={"wave_size": 2}).status_code == 404
    assert world.store.plans.latest("af").version == 1  # type: ignore[union-attr]
