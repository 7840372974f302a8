"""Reviewing a vendor's submission in a real browser: Debian's chromium, driven by Playwright."""

import pytest
from playwright.sync_api import Page, expect
from portal.test_review_web import ask_for, hand_in
from web.support import make_user
from web.test_browser import ANALYST, judge_scope, log_in

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/review-page.png"


def test_an_analyst_accepts_a_submitted_report_and_the_status_changes(
    page: Page, live_server: str, vendor
):
    _, token = ask_for(vendor["id"])
    hand_in(token)
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    page.goto(f"{live_server}/vendors/{vendor['id']}")
    banner = page.locator(".banner h2")
    before = banner.inner_text()
    submissions = page.get_by_role("region", name="Submissions to review")
    expect(submissions).to_contain_text("SOC 2 report for request #1")
    page.screenshot(path=SCREENSHOT, full_page=True)

    submissions.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review a SOC 2 report")
    expect(page.get_by_label("Auditor (the CPA firm)")).to_have_value("Hale & Moss LLP")
    judge_scope(page, "Yes")
    page.get_by_role("button", name="Accept").click()

    expect(page.locator(".notice")).to_contain_text("Accepted the SOC 2 Type II report")
    expect(banner).not_to_have_text(before)
    expect(page.get_by_role("region", name="Submissions to review")).to_have_count(0)
