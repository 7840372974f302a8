"""Documents and bulk work in a real browser: "Prefill from PDF" on the SOC 2 and ISO forms,
saving with the PDF attached, downloading it, importing a CSV file and downloading the list."""

import re

import pytest
from bulk.data import to_csv
from playwright.sync_api import Page, expect
from web.docs_support import iso_pdf, scanned_pdf, soc2_recent_pdf
from web.support import make_user
from web.test_browser import ANALYST, create_vendor, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("upload_dir")]


def _file(name: str, data: bytes, mime: str = "application/pdf") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _prefill(page: Page, name: str, data: bytes) -> None:
    page.locator("#prefill-file").set_input_files(_file(name, data))
    page.get_by_role("button", name="Prefill from PDF").click()


def test_a_soc2_pdf_prefills_the_form_and_is_saved_with_the_record(
    page: Page, live_server: str, artifacts
):
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    create_vendor(page, "Acme Cloud", "critical")
    expect(page.locator(".banner")).to_contain_text("Blocked")
    page.get_by_role("link", name="SOC 2 report").click()
    _prefill(page, "acme-soc2-2026.pdf", soc2_recent_pdf().pdf)

    result = page.locator("#prefill-result")
    expect(result).to_contain_text("Read acme-soc2-2026.pdf")
    expect(result).to_contain_text("recognised as a SOC 2 report")
    expect(page.get_by_role("radio", name="Type II")).to_be_checked()
    expect(page.locator("#period_start")).to_have_value("2025-04-01")
    expect(page.locator("#period_end")).to_have_value("2026-03-31")
    expect(page.get_by_label("Auditor's opinion")).to_have_value("unqualified")
    expect(page.get_by_label("Auditor (the CPA firm)")).to_have_value("Hale & Moss LLP")
    expect(page.get_by_label("Report date")).to_have_value("2026-05-08")
    expect(page.get_by_label("Availability")).to_be_checked()
    expect(page.get_by_label("Confidentiality")).to_be_checked()
    expect(page.get_by_label("Privacy")).not_to_be_checked()
    expect(page.get_by_label("Exceptions noted")).to_have_value("0")
    expect(page.get_by_label("Organisation 1")).to_have_value("Amazon Web Services, Inc.")
    auditor_note = page.locator("#auditor-found")
    expect(auditor_note).to_contain_text(re.compile(r"From the PDF, page \d+ · \d+% sure"))
    expect(auditor_note).to_contain_text("Hale & Moss LLP")
    expect(page.locator("#period_end-found")).to_contain_text("March 31, 2026")
    expect(page.locator("#file-attached")).to_contain_text("acme-soc2-2026.pdf")
    question = page.get_by_role("group", name="Does this cover what we buy?")
    expect(question.get_by_role("radio", name="Not judged yet")).to_be_checked()  # prefill
    page.screenshot(path=artifacts / "prefill-soc2.png", full_page=True)
    question.get_by_role("radio", name="Yes", exact=True).check()

    page.get_by_label("Notes").fill("Checked against the PDF.")
    page.get_by_role("button", name="Log the report").click()
    expect(page.locator(".notice")).to_contain_text(
        "Logged the SOC 2 Type II report with its PDF (acme-soc2-2026.pdf). "
        "Acme Cloud is now Approved."
    )
    expect(page.locator(".banner")).to_contain_text("Approved")
    row = page.locator("table.evidence tbody tr").first
    expect(row).to_contain_text("acme-soc2-2026.pdf")
    page.screenshot(path=artifacts / "vendor-with-document.png", full_page=True)
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("Download PDF")).click()
    assert download.value.suggested_filename == "acme-soc2-2026.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == soc2_recent_pdf().pdf


def test_an_iso_certificate_found_on_the_soc2_form_is_read_on_its_own_form(
    page: Page, live_server: str, artifacts
):
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    create_vendor(page, "Harbour Analytics", "medium")
    page.get_by_role("link", name="SOC 2 report").click()
    _prefill(page, "scan.pdf", scanned_pdf().pdf)
    expect(page.locator("#prefill-result")).to_contain_text(
        "no text found — enter the values by hand"
    )
    expect(page.locator(".error-summary")).to_have_count(0)

    _prefill(page, "certificate.pdf", iso_pdf().pdf)
    expect(page.locator("#prefill-result")).to_contain_text(
        "reads like an ISO/IEC 27001 certificate, not a SOC 2 report"
    )
    page.get_by_role("button", name="Read it on the ISO 27001 certificate form").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log an ISO 27001 certificate")
    expect(page.get_by_label("Certificate number")).to_have_value("IS 765432")
    expect(page.get_by_label("Certification body")).to_have_value("BSI Assurance UK Ltd")
    expect(page.get_by_label("Accreditation body")).to_have_value("UKAS")
    expect(page.get_by_label("Issued on")).to_have_value("2026-01-10")
    expect(page.get_by_label("Expires on")).to_have_value("2029-01-09")
    expect(page.locator("#expires_on-found")).to_contain_text("9 January 2029")
    page.screenshot(path=artifacts / "prefill-iso.png", full_page=True)
    page.get_by_role("button", name="Log the certificate").click()
    expect(page.locator(".notice")).to_contain_text(
        "with its PDF (certificate.pdf). Harbour Analytics is now Approved."
    )
    expect(page.locator("table.evidence")).to_contain_text("Download PDF")


def test_an_oversized_pdf_is_refused_beside_the_file_field(
    page: Page, live_server: str, monkeypatch: pytest.MonkeyPatch
):
    from app import config

    monkeypatch.setenv("VETTED_MAX_UPLOAD_MB", "1")
    config.get_settings.cache_clear()
    make_user(ANALYST, "analyst")
    log_in(page, live_server)
    create_vendor(page, "Big Files Inc", "high")
    page.get_by_role("link", name="ISO 27001 certificate").click()
    page.get_by_label("Certificate number").fill("IS 1")
    page.get_by_label("Certification body").fill("BSI")
    page.get_by_label("Issued on").fill("2026-01-10")
    page.get_by_label("Expires on").fill("2029-01-09")
    big = iso_pdf().pdf + b"%" + b"0" * (3 * 1024 * 1024)  # over the cap and the allowance
    page.locator("#file").set_input_files(_file("big.pdf", big))
    page.get_by_role("button", name="Log the certificate").click()
    expect(page.locator("#file-error")).to_contain_text("The file is larger than 1 MB.")
    expect(page.get_by_label("Certificate number")).to_have_value("IS 1")
    expect(page.get_by_label("Expires on")).to_have_value("2029-01-09")


def test_a_vendors_csv_is_checked_then_imported_and_the_list_downloaded(
    browser, live_server: str, tmp_path, artifacts
):
    make_user(ANALYST, "analyst")
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    log_in(page, live_server)
    page.get_by_role("link", name="Vendors", exact=True).click()
    page.get_by_role("link", name="Import from CSV").click()
    rows = [
        {"name": "Acme Cloud", "domain": "acme.example", "tier": "critical"},
        {"name": "Brightwater Payroll", "tier": "gold"},
    ]
    page.get_by_label("The CSV file").set_input_files(
        _file("vendors.csv", to_csv(rows).encode(), "text/csv")
    )
    page.get_by_role("button", name="Check the file").click()
    errors = page.locator("table.row-errors")
    expect(errors).to_contain_text("3")
    expect(errors).to_contain_text("tier")
    page.screenshot(path=artifacts / "import-errors.png", full_page=True)

    rows[1]["tier"] = "high"
    page.get_by_label("The CSV file").set_input_files(
        _file("vendors.csv", to_csv(rows).encode(), "text/csv")
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".import-counts")).to_contain_text("2 vendors would be created")
    page.screenshot(path=artifacts / "import-dry-run.png", full_page=True)
    page.get_by_role("button", name="Import vendors.csv now").click()
    expect(page.locator(".notice")).to_contain_text("Imported vendors.csv: 2 vendors created")
    expect(page.locator("table.vendors")).to_contain_text("Brightwater Payroll")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "vendors-2026-06-15.csv"
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    assert "Acme Cloud" in text and "Brightwater Payroll" in text
    context.close()
