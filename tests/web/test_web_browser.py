"""In a real browser (Debian's Chromium): sign in, home, sign out; no JavaScript; accessibility."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Playwright, expect

from fixtures.browser import LiveServer, axe_violations, open_browser, screenshot
from fixtures.web import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page: Page, server: LiveServer, user: str) -> None:
    page.goto(server.url + "/")
    expect(page).to_have_url(server.url + "/login?next=%2F")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_home_and_sign_out(live_server: LiveServer, browser_page: Page) -> None:
    page = browser_page
    page.goto(live_server.url + "/login")
    expect(page.locator("body")).to_have_class("js-enabled nhsuk-frontend-supported")
    screenshot(page, "e2e-1-login")
    _sign_in(page, live_server, "gp_a")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test partnership plan")
    expect(page.locator("main")).to_contain_text("Signed in as gp_a, practice user for A81001")
    screenshot(page, "e2e-2-home")
    # the NHS.UK stylesheet is applied: the header is NHS blue
    colour = page.locator("header.nhsuk-header").evaluate(
        "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(0, 94, 184)"
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + "/login")
    screenshot(page, "e2e-3-signed-out")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/login?next=%2F")
    actions = [e.action for e in live_server.world.store.audit.read()]
    assert actions[:2] == ["logout", "login"]


def test_a_wrong_password_shows_the_error_summary(live_server: LiveServer,
                                                  browser_page: Page) -> None:
    page = browser_page
    page.goto(live_server.url + "/login")
    page.get_by_label("User name").fill("gp_a")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # the NHS.UK script moves focus to the summary


def test_everything_works_without_javascript(live_server: LiveServer, playwright: Playwright,
                                            tmp_path) -> None:  # type: ignore[no-untyped-def]
    context = open_browser(playwright, tmp_path / "no-js-profile", javascript=False)
    page = context.new_page()
    _sign_in(page, live_server, "admin")
    expect(page.locator("main")).to_contain_text("Signed in as admin")
    page.get_by_role("link", name="Audit log").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    screenshot(page, "no-js-audit-log")
    context.close()


@pytest.mark.parametrize("user", [None, "admin"])
def test_pages_pass_axe_core(live_server: LiveServer, browser_page: Page,
                             user: str | None) -> None:
    page = browser_page
    pages = ["/login"]
    if user is not None:
        _sign_in(page, live_server, user)
        pages = ["/", "/admin", "/admin/audit", "/logout"]
    for path in pages:
        page.goto(live_server.url + path)
        assert axe_violations(page) == [], path


def test_the_accessibility_check_can_fail(browser_page: Page) -> None:
    browser_page.set_content('<html lang="en"><title>t</title><main><img src="x.png">'
                             '<input type="text"></main></html>')
    found = {v["id"] for v in axe_violations(browser_page)}
    assert {"image-alt", "label"} <= found
