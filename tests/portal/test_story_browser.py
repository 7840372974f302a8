"""The whole story in a real browser (Debian's chromium): an analyst asks a vendor for its SOC 2
report; the vendor's contact opens the link on a phone, has the form filled in from the PDF and
hands it in; the analyst accepts it with a scope judgement, and the vendor's status changes."""

from urllib.parse import urlsplit

import pytest
from factories import vendor_body
from playwright.sync_api import Browser, Page, expect
from web.docs_support import soc2_recent_pdf
from web.support import make_user
from web.test_browser import ANALYST, judge_scope, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("upload_dir")]
PHONE = {"width": 390, "height": 844}


def _ask_for_the_soc2_report(page: Page, vendor_id: int) -> str:
    """The analyst's request, made on the vendor page; the portal link shown once (no SMTP)."""
    page.get_by_role("link", name="Request evidence…").click()
    page.get_by_role("checkbox", name="SOC 2 report").check()
    expect(page.get_by_label("Send the link to")).to_have_value("security@pinecone.example")
    page.get_by_label("Message").fill("Please send your latest SOC 2 Type II report.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#link-not-sent")).to_contain_text("Nothing was e-mailed")
    return page.get_by_label("Portal link for security@pinecone.example").input_value()


def _hand_in_from_a_phone(browser: Browser, url: str) -> None:
    """The vendor's contact: the form filled in from the PDF, checked, handed in."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(url)
    expect(phone.locator("body")).to_contain_text("Pinecone Storage")
    expect(phone.locator("body")).not_to_contain_text("Blocked")  # no status for vendors
    phone.get_by_label("The PDF").set_input_files(
        {
            "name": "pinecone-soc2.pdf",
            "mimeType": "application/pdf",
            "buffer": soc2_recent_pdf().pdf,
        }
    )
    phone.get_by_role("button", name="Read the PDF to fill in the fields").click()
    expect(phone.get_by_label("Period end", exact=False)).to_have_value("2026-03-31")
    expect(phone.get_by_label("Auditor (the CPA firm)")).to_have_value("Hale & Moss LLP")
    phone.screenshot(path="/tmp/story-portal-prefilled.png", full_page=True)
    phone.get_by_role("button", name="Send the SOC 2 report").click()
    expect(phone.locator("body")).to_contain_text("pinecone-soc2.pdf")
    phone.screenshot(path="/tmp/story-portal-received.png", full_page=True)
    context.close()


def test_request_hand_in_on_a_phone_accept_and_the_status_changes(
    page: Page, browser: Browser, live_server: str, analyst
) -> None:
    body = vendor_body(name="Pinecone Storage", security_contact_email="security@pinecone.example")
    vendor = analyst.post("/api/v1/vendors", json=body).json()
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    page.goto(f"{live_server}/vendors/{vendor['id']}")
    expect(page.locator(".banner")).to_contain_text("Blocked")

    link = urlsplit(_ask_for_the_soc2_report(page, vendor["id"]))
    _hand_in_from_a_phone(browser, f"{live_server}{link.path}")

    page.goto(f"{live_server}/vendors/{vendor['id']}")
    expect(page.locator(".banner")).to_contain_text("Blocked")  # nothing counts before review
    submissions = page.get_by_role("region", name="Submissions to review")
    submissions.get_by_role("link", name="Review").click()
    expect(page.get_by_label("Auditor (the CPA firm)")).to_have_value("Hale & Moss LLP")
    judge_scope(page, "Yes")
    page.screenshot(path="/tmp/story-review.png", full_page=True)
    page.get_by_role("button", name="Accept").click()

    expect(page.locator(".notice")).to_contain_text("Accepted the SOC 2 Type II report")
    expect(page.locator(".banner")).to_contain_text("Approved")
    row = page.locator("table.evidence tbody tr").first
    expect(row).to_contain_text("pinecone-soc2.pdf")
    requests = page.get_by_role("region", name="Evidence requests")
    expect(requests).to_contain_text("Closed")
