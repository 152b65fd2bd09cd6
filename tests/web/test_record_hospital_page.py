"""The practice's "in hospital" page in a real browser: reached from the header, the practice's
own patient listed, and no WCAG violation that axe-core finds."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from fixtures.browser import LiveServer, axe_violations
from fixtures.record import seed_record
from fixtures.web import PASSWORD

pytestmark = pytest.mark.browser


def test_the_practice_sees_its_patient_in_hospital(live_server: LiveServer,
                                                    browser_page: Page) -> None:
    seed_record(live_server.world)
    page = browser_page
    page.goto(live_server.url + "/login")
    page.get_by_label("User name").fill("gp_a")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="In hospital").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your patients in hospital")
    rows = page.get_by_role("table", name="In hospital now").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("9000000009")
    assert axe_violations(page) == []
