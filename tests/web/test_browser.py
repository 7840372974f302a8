"""The analyst's day in a real browser: Debian's chromium, driven by Playwright, against uvicorn."""

import re

import pytest
from conftest import TEST_TODAY
from playwright.sync_api import Page, expect
from web.support import PASSWORD, make_user

pytestmark = pytest.mark.browser
ANALYST = "analyst@example.com"


def log_in(page: Page, base: str, email: str = ANALYST) -> None:
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def create_vendor(page: Page, name: str, tier: str) -> None:
    page.get_by_role("link", name="New vendor").first.click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Domain").fill(name.lower().replace(" ", "") + ".example")
    page.get_by_label("Tier").select_option(tier)
    page.get_by_role("button", name="Create vendor").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def log_iso_certificate(page: Page) -> None:
    page.get_by_role("link", name="ISO 27001 certificate").click()
    page.get_by_label("Certificate number").fill("IS 771203")
    page.get_by_label("Certification body").fill("BSI")
    page.get_by_label("Accreditation body").fill("UKAS")
    page.get_by_label("Issued on").fill("2026-01-10")
    page.get_by_label("Expires on").fill("2029-01-09")
    page.get_by_role("button", name="Log the certificate").click()


def fill_soc2(page: Page, start: str, end: str) -> None:
    page.get_by_role("radio", name="Type II").check()
    page.locator("#period_start").fill(start)
    page.locator("#period_end").fill(end)
    page.get_by_label("Auditor's opinion").select_option("unqualified")
    page.get_by_label("Auditor (the CPA firm)").fill("Hale & Moss LLP")
    page.get_by_label("Availability").check()
    judge_scope(page, "Yes")


def judge_scope(page: Page, answer: str) -> None:
    """Answer "Does this cover what we buy?" (a critical vendor stays conditional until then)."""
    question = page.get_by_role("group", name="Does this cover what we buy?")
    question.get_by_role("radio", name=answer, exact=True).check()


def test_analyst_onboards_a_vendor_and_reads_the_flags(page: Page, live_server: str, artifacts):
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    create_vendor(page, "Acme Cloud", "critical")
    banner = page.locator(".banner")
    expect(banner).to_contain_text("Blocked")

    log_iso_certificate(page)
    expect(page.locator(".notice")).to_contain_text("Acme Cloud is now Blocked")
    expect(banner).to_contain_text(
        "Ask for a SOC 2 Type II report: an ISO 27001 certificate does not replace it."
    )
    expect(page.locator(".flags")).to_contain_text("ISO 27001 certificate instead of a SOC 2")
    page.screenshot(path=artifacts / "vendor-blocked.png", full_page=True)

    page.get_by_role("link", name="SOC 2 report").click()
    fill_soc2(page, start="2026-04-01", end="2025-03-31")  # start after end: a typo
    page.get_by_role("button", name="Log the report").click()
    error = page.locator("#period_start-error")
    expect(error).to_have_text(re.compile("Must be before the period end"))
    expect(page.locator("#auditor")).to_have_value("Hale & Moss LLP")
    expect(page.locator("#period_end")).to_have_value("2025-03-31")
    expect(page.get_by_label("Availability")).to_be_checked()
    page.screenshot(path=artifacts / "form-error.png", full_page=True)

    page.locator("#period_start").fill("2025-04-01")
    page.locator("#period_end").fill("2026-03-31")
    page.get_by_role("button", name="Log the report").click()
    expect(page.locator(".notice")).to_contain_text("Acme Cloud is now Approved")
    expect(banner).to_contain_text("Approved")
    page.screenshot(path=artifacts / "vendor-approved.png", full_page=True)


def test_analyst_grants_a_waiver(page: Page, live_server: str, artifacts):
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    create_vendor(page, "Late Docs Ltd", "high")
    page.get_by_role("link", name="Accept this risk with a waiver").first.click()
    expect(page.get_by_label("The flag to waive")).to_have_value("EVIDENCE_MISSING")
    page.get_by_label("Why the risk is accepted").fill("Signed before onboarding; report due Q3")
    page.get_by_label("Approved by").fill("Morgan Lee, CISO")
    page.get_by_label("Ends on").fill("2026-09-30")
    page.screenshot(path=artifacts / "waiver-form.png", full_page=True)
    page.get_by_role("button", name="Grant the waiver").click()
    expect(page.locator(".notice")).to_contain_text("Late Docs Ltd is now Approved")
    expect(page.locator(".flag.waived")).to_contain_text("Waived by waiver #")
    page.screenshot(path=artifacts / "vendor-waived.png", full_page=True)


def test_type_one_hides_the_period_start(page: Page, live_server: str):
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    create_vendor(page, "Point In Time Inc", "high")
    page.get_by_role("link", name="SOC 2 report").click()
    expect(page.locator("#period_start")).to_be_visible()
    page.get_by_label("Type I", exact=True).check()
    expect(page.locator("#period_start")).to_be_hidden()
    expect(page.get_by_label("Security")).to_be_disabled()
    expect(page.get_by_label("Security")).to_be_checked()


def test_dashboard_and_vendor_page_with_the_demo_data(
    page: Page, live_server: str, demo_data, artifacts
):
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    expect(page.locator(".counts")).to_contain_text("Blocked")
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)
    page.get_by_role("link", name=re.compile("See the blocked vendors")).click()
    expect(page.locator("table.vendors")).to_contain_text("Acme Cloud Hosting")
    page.screenshot(path=artifacts / "vendor-list.png", full_page=True)
    page.get_by_role("link", name="Acme Cloud Hosting").click()
    expect(page.locator(".banner")).to_contain_text("an ISO 27001 certificate does not replace it")
    page.screenshot(path=artifacts / "vendor-page.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts / "vendor-page-phone.png", full_page=True)
    page.goto(live_server + "/")
    page.screenshot(path=artifacts / "dashboard-phone.png", full_page=True)
    assert TEST_TODAY.isoformat() in page.content()


def test_the_pages_work_by_keyboard(page: Page, live_server: str):
    make_user(ANALYST, "analyst")
    page.goto(live_server + "/login")
    expect(page.get_by_label("E-mail address")).to_be_focused()  # autofocus
    page.keyboard.type(ANALYST)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Vendors", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Vendors")).to_be_visible()


def test_the_forms_work_without_javascript(browser, live_server: str):
    make_user(ANALYST, "analyst")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server)
    create_vendor(page, "No Script Co", "high")
    page.get_by_role("link", name="SOC 2 report").click()
    page.get_by_role("radio", name="Type I", exact=True).check()
    expect(page.locator("#period_start")).to_be_hidden()  # CSS alone hides it
    page.locator("#period_end").fill("2026-03-31")
    page.get_by_label("Auditor's opinion").select_option("unqualified")
    page.get_by_label("Auditor (the CPA firm)").fill("Hale & Moss LLP")
    page.get_by_role("button", name="Log the report").click()
    expect(page.locator(".notice")).to_contain_text("No Script Co is now Conditional")
    expect(page.locator(".banner")).to_contain_text("Ask for a SOC 2 Type II report.")
    context.close()
