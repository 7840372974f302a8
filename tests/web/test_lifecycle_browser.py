"""Reviews, the renewal banner and archiving in a real browser (SPEC §12)."""

import re
import shutil

import pytest
from playwright.sync_api import Page, expect
from web.support import make_user
from web.test_browser import ANALYST, create_vendor, fill_soc2, log_in

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/lifecycle-vendor-page.png"


def set_contract(page: Page, end: str, notice_days: str) -> None:
    page.get_by_role("link", name="Edit vendor").click()
    page.get_by_label("Contract end or renewal date").fill(end)
    page.get_by_label("Notice period (days)").fill(notice_days)
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.locator(".notice")).to_contain_text("Saved")


def test_analyst_reads_the_renewal_banner_records_a_review_and_archives(
    page: Page, live_server: str, artifacts
):
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    create_vendor(page, "Renewal Soon", "high")
    set_contract(page, "2027-03-31", "30")
    page.get_by_role("link", name="SOC 2 report").click()
    fill_soc2(page, start="2025-01-02", end="2026-01-01")  # current until 2027-01-01
    page.get_by_role("button", name="Log the report").click()
    banner = page.locator(".banner")
    expect(banner).to_contain_text("Approved")
    expect(banner).to_contain_text(
        "On 2027-03-01, when the renewal must be decided, this vendor will be Blocked:"
    )
    expect(banner).to_contain_text("stopped being current after 2027-01-01")
    expect(page.locator(".vendor-facts")).to_contain_text("Decide by")
    page.screenshot(path=SCREENSHOT, full_page=True)
    shutil.copy(SCREENSHOT, artifacts / "lifecycle-vendor-page.png")

    page.get_by_role("link", name="Record a review…").first.click()
    expect(page.locator("#reviewed_on")).to_have_value("2026-06-15")
    page.locator("#reviewed_on").fill("2026-06-16")  # tomorrow: refused, kept
    page.get_by_role("radio", name="Approved with conditions").check()
    page.get_by_label("Notes").fill("Ask for the 2026 report before March")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#reviewed_on-error")).to_contain_text("2026-06-15 or earlier")
    expect(page.get_by_label("Notes")).to_have_value("Ask for the 2026 report before March")
    expect(page.get_by_role("radio", name="Approved with conditions")).to_be_checked()
    page.locator("#reviewed_on").fill("2026-06-15")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".notice")).to_contain_text("Approved with conditions")
    expect(page.locator("h1 .lifecycle-active")).to_have_text("Active")

    page.get_by_role("link", name="Archive…").click()
    page.get_by_label("Why it is archived").fill("Moved to another provider")
    data = page.get_by_role("group", name="Has our data been returned or deleted?")
    data.get_by_role("radio", name="Yes").check()
    access = page.get_by_role("group", name="Has its access been removed?")
    access.get_by_role("radio", name="Not applicable").check()
    page.get_by_role("button", name="Archive the vendor").click()
    archived = page.locator("section.archived")
    expect(archived).to_contain_text("Moved to another provider")
    expect(archived).to_contain_text("Not applicable")
    expect(page.get_by_role("link", name="Record a review…")).to_have_count(0)
    page.screenshot(path=artifacts / "lifecycle-archived.png", full_page=True)

    page.get_by_role("button", name="Reactivate").click()
    expect(page.locator(".notice")).to_contain_text("Reactivated Renewal Soon")
    expect(page.locator("h1 .lifecycle-active")).to_have_text("Active")
