"""The dashboard in a real browser (Debian's Chromium): the plan, drill-down to a practice, a
worklist and downloads, with screenshots kept; charts drawn under our CSP; axe-core on every
page; everything readable without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Playwright, expect

from fixtures.browser import LiveServer, axe_violations, open_browser, screenshot
from fixtures.dashboard import OPTED_OUT, TO_TREAT_A
from fixtures.web import PASSWORD, PRACTICE_A
from joinedup.domain.audit import Action

pytestmark = pytest.mark.browser


def sign_in(page: Page, server: LiveServer, user: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.url + "/")


def watch_console(page: Page) -> list[str]:
    """Errors the page logs (a chart that failed, a script or style our CSP blocked), less the
    NHS.UK frontend's web fonts from assets.nhs.uk, which the CSP blocks by design (pages fall
    back to Arial; the fonts are licensed to NHS services and not in the npm package)."""
    problems: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error" and "assets.nhs.uk/fonts" not in message.text:
            problems.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_plan_drill_down_and_download(live_server: LiveServer, browser_page: Page,
                                      tmp_path: Path) -> None:
    page = browser_page
    problems = watch_console(page)
    sign_in(page, live_server, "lead")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test partnership plan")
    expect(page.locator("#ambition-suicide")).to_contain_text("Behind")
    expect(page.locator("#ambition-af-detect")).to_contain_text("Health and wellbeing")
    screenshot(page, "dashboard-1-plan")
    page.get_by_role("link", name="Find and treat").first.click()
    page.get_by_role("link", name="Atrial fibrillation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Atrial fibrillation: find and treat")
    chart = page.locator("#pareto")
    expect(chart.locator("svg")).to_have_count(1)  # vega-embed drew it, under our CSP
    expect(page.locator(".joinedup-chart--drawn")).to_have_count(1)
    screenshot(page, "dashboard-2-overview")
    page.get_by_role("link", name="North Place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("North Place")
    page.get_by_role("link", name="North PCN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("North PCN")
    screenshot(page, "dashboard-3-pcn")
    page.get_by_role("link", name="Riverside Surgery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Surgery")
    expect(page.locator("main")).to_contain_text("practices across the ICS")
    screenshot(page, "dashboard-4-practice")
    page.get_by_role("link", name="Atrial fibrillation").first.click()
    with page.expect_download() as download:
        page.locator('a[href="/find-and-treat/af/download/practices.csv"]').click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "af-practices-2026-03-31.csv"
    assert saved.read_text(encoding="utf-8").splitlines()[0].startswith("period_end,programme")
    page.goto(live_server.url + "/find-and-treat/af/inequalities")
    expect(page.locator(".joinedup-chart--drawn")).to_have_count(4)
    page.goto(live_server.url + "/find-and-treat/af/progress")
    expect(page.locator("#trend svg")).to_have_count(1)
    screenshot(page, "dashboard-5-progress")
    assert problems == []


def test_a_worklist_and_its_download(live_server: LiveServer, browser_page: Page,
                                     tmp_path: Path) -> None:
    page = browser_page
    sign_in(page, live_server, "gp_a")
    page.get_by_role("link", name="Worklists").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklists")
    page.get_by_role("link", name="To treat").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("To treat: 2 patients")
    table = page.locator("main table")
    expect(table).to_contain_text("900 000 0009")
    page.locator('th a[href*="sort=age"]').click()  # sort by age, oldest first
    expect(page.locator("th[aria-sort]")).to_contain_text("Age")
    screenshot(page, "worklist-1-to-treat")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = saved.read_text(encoding="utf-8").splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == [OPTED_OUT, TO_TREAT_A]
    actions = [e.action for e in live_server.world.store.audit.read()[:3]]
    assert actions == [Action.PATIENT_EXPORT, Action.PATIENT_VIEW, Action.PATIENT_VIEW]


def test_the_dashboard_reads_without_javascript(live_server: LiveServer,
                                                playwright: Playwright, tmp_path: Path) -> None:
    context = open_browser(playwright, tmp_path / "no-js", javascript=False)
    page = context.new_page()
    sign_in(page, live_server, "board")
    page.goto(live_server.url + "/find-and-treat/af")
    expect(page.locator("#pareto")).to_be_empty()  # no chart without JavaScript…
    expect(page.locator("main")).to_contain_text("the table below has the same figures")
    expect(page.get_by_role("table").nth(1)).to_contain_text("Share of the gap")  # …the table
    screenshot(page, "no-js-overview")
    context.close()


PAGES = {
    "lead": ["/", "/find-and-treat", "/find-and-treat/af", "/find-and-treat/af/ranking",
             "/find-and-treat/af/inequalities", "/find-and-treat/af/progress",
             "/find-and-treat/af/areas/PL-N", "/find-and-treat/af/areas/PCN-N1",
             "/find-and-treat/af/practices/A81001", "/find-and-treat/af/willing",
             "/find-and-treat/hypertension"],
    "gp_a": ["/", f"/practices/{PRACTICE_A}/worklists",
             f"/practices/{PRACTICE_A}/worklists/af/to-treat",
             f"/practices/{PRACTICE_A}/worklists/af/to-find",
             f"/practices/{PRACTICE_A}/worklists/af/to-assess",
             "/find-and-treat/af/practices/A81001"],
    "board": ["/", "/find-and-treat/af", "/find-and-treat/af/ranking"],
}


@pytest.mark.parametrize("user", sorted(PAGES))
def test_dashboard_pages_pass_axe_core(live_server: LiveServer, browser_page: Page,
                                       user: str) -> None:
    page = browser_page
    sign_in(page, live_server, user)
    for path in PAGES[user]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == [], path
