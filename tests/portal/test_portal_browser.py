"""The vendor portal in a real browser at a phone's size (390×844): no login, the form filled
in by keyboard, the PDF handed in, the page confirming it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect
from portal.conftest import PDF

from app import db
from app.portal import links, service
from app.portal.schemas import RequestCreate

pytestmark = pytest.mark.browser
TODAY = date(2026, 6, 15)
PHONE = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/portal-phone.png"


def _link(vendor_id: int) -> str:
    data = RequestCreate(
        kinds=["soc2_report"],
        contact_email="sec@vendor.example",
        due_on=TODAY + timedelta(days=14),
        message="Please send this year's SOC 2 report.",
    )
    with db.session_scope() as s:
        request = service.create_request(
            session=s,
            vendor_id=vendor_id,
            data=data,
            actor="ana",
            today=TODAY,
            now=datetime(2026, 6, 15, 9, tzinfo=UTC),
        )
        return links.token_for(request)


def _type(page, label: str, text: str) -> None:
    page.get_by_label(label).focus()
    page.keyboard.type(text)


def test_a_vendor_hands_in_a_report_from_a_phone(browser: Browser, live_server: str, vendor):
    token = _link(vendor["id"])
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/portal/{token}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Documents for")
    expect(page.locator("body")).to_contain_text(vendor["name"])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"

    page.get_by_label("The PDF").set_input_files(
        {"name": "soc2-2026.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _type(page, "Period start", "04012025")  # the date control's keys: mm dd yyyy
    _type(page, "Period end", "03312026")
    page.get_by_label("Auditor's opinion").focus()
    page.keyboard.press("u")  # Unqualified
    _type(page, "Auditor (the CPA firm)", "Hale & Moss LLP")
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.keyboard.press("Enter")  # the form's first button: send

    expect(page.locator("#portal-notice")).to_contain_text("Received: your SOC 2 report")
    expect(page.locator("#soc2_report-received")).to_contain_text("soc2-2026.pdf")
    expect(page.locator("#soc2_report-received")).to_contain_text("Received, under review")
    assert not context.cookies()
    context.close()
