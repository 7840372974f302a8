"""The evidence forms with a PDF: attach it when saving, read it with "Prefill from PDF", and
download it from the vendor page; refusals shown beside the file field, nothing written."""

import hashlib
from html import unescape

import anyio
import httpx
import pytest
from documents.corpus import IsoSpec, iso_certificate
from documents.helpers import BOUNDARY, MULTIPART_HEADERS
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from web.docs_support import (
    FormValues,
    iso_pdf,
    post_multipart,
    scanned_pdf,
    soc2_pdf,
    soc2_recent_pdf,
    soc3_pdf,
)
from web.support import WebClient, fresh_count, fresh_rows
from web.test_web_quality import _Page

from app import config
from app.documents.storage import TooLarge
from app.documents.upload import ReceivedForm, receive_pdf_form
from app.models import AuditEntry, Evidence

pytestmark = pytest.mark.usefixtures("upload_dir")
SOC2 = {
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "unqualified",
    "auditor": "Hale & Moss LLP",
    "tsc": ["security", "availability"],
    "exceptions_noted": "0",
    "subservice_name": ["Amazon Web Services", "", "Stripe"],
    "subservice_method": ["carve_out", "carve_out", "inclusive"],
    "received_on": "2026-05-01",
}


@pytest.fixture
def vendor_id(web_analyst: WebClient) -> int:
    """A critical vendor with nothing on file (blocked)."""
    response = web_analyst.submit("/vendors/new", {"name": "Acme Cloud", "tier": "critical"})
    return int(response.headers["location"].rsplit("/", 1)[1])


@pytest.fixture
def one_mb_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETTED_MAX_UPLOAD_MB", "1")
    config.get_settings.cache_clear()


class Body:
    """A multipart body: text fields, then a PDF part of `size` bytes, produced lazily."""

    def __init__(self, fields: dict, size: int) -> None:
        self.fields, self.size, self.sent = fields, size, 0

    async def __aiter__(self):
        for name, value in self.fields.items():
            part = (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            )
            yield part.encode()
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
        )
        yield head.encode()
        while self.sent < self.size:
            self.sent += 64 * 1024
            yield b"0" * 64 * 1024


def _new(vendor_id: int, kind: str = "soc2_report") -> str:
    return f"/vendors/{vendor_id}/evidence/{kind}/new"


def _prefill(vendor_id: int, kind: str = "soc2_report") -> str:
    return f"/vendors/{vendor_id}/evidence/{kind}/prefill"


def _stored(upload_dir) -> list:
    return sorted(
        p.name for p in upload_dir.rglob("*") if p.is_file() and ".imports" not in p.parts
    )


# --- saving a record with its PDF ----------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["soc2_report", "soc1_report", "soc3_report", "iso27001_certificate", "bridge_letter"]
)
def test_every_evidence_form_has_a_file_field(web_analyst: WebClient, analyst, vendor_id, kind):
    if kind == "bridge_letter":  # the letter's form needs a SOC 2 report to extend
        post_multipart(web_analyst, _new(vendor_id), SOC2)
    html = web_analyst.get(_new(vendor_id, kind)).text
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" id="file" name="file"' in html
    assert ('id="prefill-file"' in html) == (kind != "bridge_letter")


def test_a_report_saved_with_its_pdf_keeps_it_and_the_vendor_page_links_to_it(
    web_analyst: WebClient, session, vendor_id, upload_dir
):
    pdf = soc2_pdf().pdf
    response = post_multipart(web_analyst, _new(vendor_id), SOC2, pdf=pdf, filename="acme soc2.pdf")
    assert response.status_code == 303, response.text
    evidence = fresh_rows(session, Evidence)[0]
    assert evidence.tsc == ["availability", "security"]  # both ticked boxes arrived
    assert [o["name"] for o in evidence.subservice_orgs] == ["Amazon Web Services", "Stripe"]
    assert evidence.document_sha256 == hashlib.sha256(pdf).hexdigest()
    assert (evidence.document_name, evidence.document_size) == ("acme soc2.pdf", len(pdf))
    actions = [e.action for e in fresh_rows(session, AuditEntry, entity="evidence")]
    assert actions == ["create", "attach_document"]
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert "Logged the SOC 2 Type II report with its PDF (acme soc2.pdf)." in page
    link = f'href="/api/v1/evidence/{evidence.id}/document"'
    assert link in page and "Download PDF" in page
    download = web_analyst.get(f"/api/v1/evidence/{evidence.id}/document")  # the session cookie
    assert download.status_code == 200 and download.content == pdf
    assert "attachment" in download.headers["content-disposition"]


def test_a_record_saved_without_a_file_has_no_document(web_analyst: WebClient, session, vendor_id):
    response = post_multipart(web_analyst, _new(vendor_id), SOC2)  # the empty file input
    assert response.status_code == 303
    assert fresh_rows(session, Evidence)[0].document_sha256 is None
    assert "Download PDF" not in web_analyst.get(f"/vendors/{vendor_id}").text


def test_an_iso_certificate_and_a_bridge_letter_keep_their_pdfs(
    web_analyst: WebClient, session, vendor_id
):
    iso = {
        "standard_version": "2022",
        "certificate_number": "IS 765432",
        "certification_body": "BSI",
        "issued_on": "2026-01-10",
        "expires_on": "2029-01-09",
        "certificate_status": "active",
    }
    url = _new(vendor_id, "iso27001_certificate")
    assert post_multipart(web_analyst, url, iso, pdf=iso_pdf().pdf).status_code == 303
    post_multipart(web_analyst, _new(vendor_id), SOC2)
    report = next(e for e in fresh_rows(session, Evidence) if e.kind == "soc2_report")
    letter = {
        "soc2_report_id": str(report.id),
        "signed_on": "2026-06-01",
        "covers_until": "2026-06-30",
    }
    url = _new(vendor_id, "bridge_letter")
    response = post_multipart(web_analyst, url, letter, pdf=soc3_pdf().pdf, filename="bridge.pdf")
    assert response.status_code == 303, response.text
    names = {e.kind: e.document_name for e in fresh_rows(session, Evidence)}
    assert names == {
        "iso27001_certificate": "report.pdf",
        "soc2_report": None,
        "bridge_letter": "bridge.pdf",
    }


# --- refusals: beside the file field, as typed, nothing written -------------------------------


def _assert_nothing_written(session, upload_dir) -> None:
    assert fresh_count(session, Evidence) == 0
    assert _stored(upload_dir) == []


def test_an_oversized_pdf_is_refused_beside_the_file_field_keeping_what_was_typed(
    web_analyst: WebClient, session, vendor_id, upload_dir, one_mb_cap
):
    big = soc2_pdf().pdf + b"%" + b"0" * (1024 * 1024)  # just over 1 MB
    response = post_multipart(web_analyst, _new(vendor_id), SOC2, pdf=big)
    assert response.status_code == 413
    page = FormValues(response.text)
    assert page.note("file-error").startswith("Error: The file is larger than 1 MB.")
    assert "Choose a smaller PDF" in page.note("file-error")
    assert page.values["auditor"] == "Hale & Moss LLP"
    assert page.values["period_end"] == "2026-03-31"
    assert "tsc-availability" in page.checked
    assert page.values["subservice_name-1"] == "Stripe"  # the rows as typed
    assert 'href="#file">File</a>' in response.text  # listed in the error summary too
    _assert_nothing_written(session, upload_dir)


def _stream(app, client: WebClient, url: str, body: "Body") -> httpx.Response:
    """Post `body` in 64 KB chunks, as a server hands them over, with `client`'s session."""

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            headers = {**MULTIPART_HEADERS, "Content-Length": str(body.size)}
            http.cookies.update(client.cookies)
            return await http.post(url, content=body, headers=headers)

    return anyio.run(post)


def test_a_declared_oversize_is_refused_at_the_file_keeping_the_fields_before_it(
    app, web_analyst: WebClient, session, vendor_id, upload_dir, one_mb_cap
):
    fields = {"csrf_token": web_analyst.csrf, "auditor": "Hale & Moss LLP", "period_end": ""}
    body = Body(fields=fields, size=3 * 1024 * 1024)  # over the cap and the form's allowance
    response = _stream(app, web_analyst, _new(vendor_id), body)
    assert response.status_code == 413
    page = FormValues(response.text)
    assert "The file is larger than 1 MB." in page.note("file-error")
    assert page.values["auditor"] == "Hale & Moss LLP"
    assert body.sent < 2 * 1024 * 1024  # read up to the file, not all of it
    _assert_nothing_written(session, upload_dir)


def test_the_api_still_refuses_a_declared_oversize_unread(analyst, vendor_id, one_mb_cap):
    url = f"/api/v1/vendors/{vendor_id}/evidence/extract"
    files = {"file": ("big.pdf", b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024), "application/pdf")}
    response = analyst.post(url, files=files)
    assert response.status_code == 413 and "larger than" in response.json()["detail"]


def _fields_app(received: list):
    """A bare app that reads a form as the web routes do, keeping the fields read."""

    async def endpoint(request: Request) -> PlainTextResponse:
        partial = ReceivedForm()
        try:
            async with receive_pdf_form(request, required=False, partial=partial):
                pass
        except TooLarge as exc:
            received.append(dict(partial.fields))
            return PlainTextResponse(str(exc.detail), status_code=413)
        return PlainTextResponse("read")

    return Starlette(routes=[Route("/", endpoint, methods=["POST"])])


def test_the_fields_sent_before_a_declared_oversize_file_are_read_and_the_file_is_not(
    upload_dir, one_mb_cap
):
    body = Body(fields={"csrf_token": "t", "auditor": "Hale & Moss LLP"}, size=2 * 1024**3)
    received: list = []
    transport = httpx.ASGITransport(app=_fields_app(received))

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = {**MULTIPART_HEADERS, "Content-Length": str(body.size)}
            return await client.post("/", content=body, headers=headers)

    response = anyio.run(post)
    assert response.status_code == 413 and response.text == "the file is larger than 1 MB"
    assert received == [{"csrf_token": "t", "auditor": "Hale & Moss LLP"}]
    assert body.sent < 2 * 1024 * 1024  # the fields and the file's first chunk, not 2 GB
    assert _stored(upload_dir) == []


def test_a_file_that_is_not_a_pdf_is_refused_beside_the_file_field(
    web_analyst: WebClient, session, vendor_id, upload_dir
):
    url = _new(vendor_id)
    response = post_multipart(web_analyst, url, SOC2, pdf=b"PK\x03\x04 a zip", filename="r.docx")
    assert response.status_code == 415
    page = FormValues(response.text)
    assert "Only PDF files are accepted" in page.note("file-error")
    assert page.values["auditor"] == "Hale & Moss LLP"
    _assert_nothing_written(session, upload_dir)


def test_a_form_error_keeps_the_pdf_so_it_need_not_be_chosen_again(
    web_analyst: WebClient, session, vendor_id
):
    pdf = soc2_pdf().pdf
    response = post_multipart(web_analyst, _new(vendor_id), {**SOC2, "auditor": ""}, pdf=pdf)
    assert response.status_code == 422
    handle = FormValues(response.text).hidden["document_handle"]
    assert handle and hashlib.sha256(pdf).hexdigest() not in response.text
    assert "Attached: <strong>report.pdf</strong>" in response.text
    assert fresh_count(session, Evidence) == 0
    fixed = {**SOC2, "document_handle": handle, "document_name": "x.pdf"}
    assert post_multipart(web_analyst, _new(vendor_id), fixed).status_code == 303
    assert fresh_rows(session, Evidence)[0].document_name == "x.pdf"
    assert fresh_rows(session, Evidence)[0].document_sha256 == hashlib.sha256(pdf).hexdigest()


def test_a_document_digest_sent_as_the_old_hidden_field_is_ignored(
    web_analyst: WebClient, session, vendor_id
):
    store = post_multipart(web_analyst, _prefill(vendor_id), {}, pdf=soc2_pdf().pdf)
    assert store.status_code == 200
    for sha in (hashlib.sha256(soc2_pdf().pdf).hexdigest(), "0" * 64, "../../etc/passwd", ""):
        data = {**SOC2, "document_sha256": sha, "period_end": f"2026-03-{30 + (sha == '')}"}
        assert post_multipart(web_analyst, _new(vendor_id), data).status_code == 303
    assert {e.document_sha256 for e in fresh_rows(session, Evidence)} == {None}


def test_a_multipart_form_without_the_csrf_token_is_refused(
    web_analyst: WebClient, session, vendor_id, upload_dir
):
    pdf = soc2_pdf().pdf
    response = post_multipart(web_analyst, _new(vendor_id), SOC2, pdf=pdf, csrf=False)
    assert response.status_code == 403
    assert "not sent from a Vetted page" in response.text
    bad = post_multipart(web_analyst, _new(vendor_id), {**SOC2, "csrf_token": "forged"}, pdf=pdf)
    assert bad.status_code == 403
    prefill = post_multipart(web_analyst, _prefill(vendor_id), {}, pdf=pdf, csrf=False)
    assert prefill.status_code == 403
    _assert_nothing_written(session, upload_dir)


def test_readers_see_no_file_fields_and_may_not_post_them(
    web_reader: WebClient, web_analyst: WebClient, session, vendor_id, upload_dir
):
    assert web_reader.get(_new(vendor_id)).status_code == 403
    page = web_reader.get(f"/vendors/{vendor_id}").text
    assert "Log evidence" not in page and 'type="file"' not in page
    pdf = soc2_pdf().pdf
    assert post_multipart(web_reader, _new(vendor_id), SOC2, pdf=pdf).status_code == 403
    assert post_multipart(web_reader, _prefill(vendor_id), {}, pdf=pdf).status_code == 403
    _assert_nothing_written(session, upload_dir)


# --- Prefill from PDF -------------------------------------------------------------------------


def test_prefill_fills_the_soc2_form_with_each_value_and_where_it_was_read(
    web_analyst: WebClient, session, vendor_id, upload_dir
):
    audit_before = fresh_count(session, AuditEntry)
    response = post_multipart(web_analyst, _prefill(vendor_id), {}, pdf=soc2_pdf().pdf)
    assert response.status_code == 200, response.text
    page = FormValues(response.text)
    expected = {
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "opinion": "unqualified",
        "auditor": "Hale & Moss LLP",
        "issued_on": "2026-03-14",
        "exceptions_noted": "1",
        "subservice_name-0": "Amazon Web Services, Inc.",
        "subservice_method-0": "carve_out",
    }
    assert {k: page.values[k] for k in expected} == expected
    assert {"report_type-type2", "tsc-availability", "tsc-confidentiality", "cuecs"} <= page.checked
    assert "tsc-privacy" not in page.checked
    assert page.values["received_on"] == "2026-06-15"  # not read from the PDF: today
    for field in ("period_end", "opinion", "auditor", "issued_on", "tsc", "exceptions_noted"):
        assert page.note(f"{field}-found").startswith("From the PDF, page "), field
    assert "Hale & Moss LLP" in page.note("auditor-found")
    assert "% sure" in page.note("period_end-found")
    assert "December 31, 2025" in page.note("period_end-found")
    assert "recognised as a SOC 2 report" in page.note("prefill-result")
    assert "Nothing is saved yet" in page.note("prefill-result")
    assert 'aria-describedby="auditor-found"' in response.text
    # nothing counts yet: no record, no audit entry; only the PDF is kept, by a signed handle
    assert fresh_count(session, Evidence) == 0
    assert fresh_count(session, AuditEntry) == audit_before
    sha = hashlib.sha256(soc2_pdf().pdf).hexdigest()
    assert page.hidden["document_handle"] and _stored(upload_dir) == [sha]
    assert sha not in response.text


def test_the_prefilled_soc2_form_saves_with_the_document_and_the_right_status(
    web_analyst: WebClient, session, vendor_id
):
    sample = soc2_recent_pdf()
    page = FormValues(post_multipart(web_analyst, _prefill(vendor_id), {}, pdf=sample.pdf).text)
    names = ("report_type-type2", "tsc-availability", "tsc-confidentiality")
    assert set(names) <= page.checked
    form = {k: page.values[k] for k in ("period_start", "period_end", "opinion", "auditor")}
    form |= {k: page.values[k] for k in ("issued_on", "exceptions_noted", "received_on")}
    form |= {"report_type": "type2", "tsc": ["security", "availability", "confidentiality"]}
    form |= {"document_handle": page.hidden["document_handle"], "document_name": "report.pdf"}
    form |= {"subservice_name": page.values["subservice_name-0"], "subservice_method": "carve_out"}
    form |= {"scope_covers_services": "yes"}  # the analyst's judgement: prefill leaves it out
    assert "scope_covers_services-unjudged" in page.checked
    response = post_multipart(web_analyst, _new(vendor_id), form)
    assert response.status_code == 303, response.text
    evidence = fresh_rows(session, Evidence)[0]
    assert (str(evidence.period_start), str(evidence.period_end)) == ("2025-04-01", "2026-03-31")
    assert evidence.document_sha256 == hashlib.sha256(sample.pdf).hexdigest()
    vendor_page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert "Acme Cloud is now Approved." in vendor_page
    assert "Download PDF" in vendor_page


def test_prefill_fills_the_iso_certificate_form(web_analyst: WebClient, vendor_id):
    url = _prefill(vendor_id, "iso27001_certificate")
    response = post_multipart(web_analyst, url, {}, pdf=iso_pdf().pdf, filename="cert.pdf")
    assert response.status_code == 200
    page = FormValues(response.text)
    expected = {
        "certificate_number": "IS 765432",
        "certification_body": "BSI Assurance UK Ltd",
        "accreditation_body": "UKAS",
        "issued_on": "2026-01-10",
        "expires_on": "2029-01-09",
        "initial_certification_on": "2020-01-10",
        "certificate_status": "active",
    }
    assert {k: page.values[k] for k in expected} == expected
    assert "standard_version" in page.checked  # the first option: 2022
    assert page.values["scope"].startswith("The information security management system")
    assert "9 January 2029" in page.note("expires_on-found")
    assert "cert.pdf" in page.note("prefill-result")


def test_a_certificate_read_on_the_soc2_form_says_so_and_offers_the_right_form(
    web_analyst: WebClient, vendor_id
):
    response = post_multipart(web_analyst, _prefill(vendor_id), {}, pdf=iso_pdf().pdf)
    assert response.status_code == 200
    page = FormValues(response.text)
    note = page.note("prefill-result")
    assert "reads like an ISO/IEC 27001 certificate, not a SOC 2 report" in note
    assert page.values["auditor"] == "" and not any(k.endswith("-found") for k in page.notes)
    assert f'action="{_prefill(vendor_id, "iso27001_certificate")}"' in response.text
    moved = web_analyst.submit(
        _prefill(vendor_id, "iso27001_certificate"),
        {"document_handle": page.hidden["document_handle"], "document_name": "report.pdf"},
    )
    assert moved.status_code == 200
    assert FormValues(moved.text).values["certificate_number"] == "IS 765432"


def test_an_image_only_pdf_says_no_text_was_found_and_is_not_an_error(
    web_analyst: WebClient, vendor_id
):
    url = _prefill(vendor_id, "iso27001_certificate")
    response = post_multipart(web_analyst, url, {}, pdf=scanned_pdf().pdf, filename="scan.pdf")
    assert response.status_code == 200
    page = FormValues(response.text)
    assert "no text found — enter the values by hand" in page.note("prefill-result")
    assert not any(k.endswith("-error") for k in page.notes)
    assert "error-summary" not in response.text
    assert "Attached: <strong>scan.pdf</strong>" in response.text


def test_prefill_refusals_are_shown_beside_the_prefill_field(
    web_analyst: WebClient, session, vendor_id, upload_dir
):
    cases = [
        (None, 422, "Choose the PDF to read."),
        (b"just text", 415, "Only PDF files are accepted"),
        (b"%PDF-1.7\nnot really a pdf", 422, "The file is not a readable PDF."),
    ]
    for pdf, status, words in cases:
        response = post_multipart(web_analyst, _prefill(vendor_id), {}, pdf=pdf)
        assert response.status_code == status
        assert words in unescape(FormValues(response.text).note("prefill-file-error"))
    assert fresh_count(session, Evidence) == 0


def test_prefill_of_a_soc3_report_fills_the_soc3_form(web_analyst: WebClient, vendor_id):
    response = post_multipart(
        web_analyst, _prefill(vendor_id, "soc3_report"), {}, pdf=soc3_pdf().pdf
    )
    page = FormValues(response.text)
    assert page.values["auditor"] == "Hale & Moss LLP"
    assert {"tsc-availability"} <= page.checked and "tsc-confidentiality" not in page.checked


def test_words_from_the_pdf_and_its_name_are_escaped(web_analyst: WebClient, vendor_id):
    spec = IsoSpec(name="evil", body="<b>Evil</b> Certification Ltd")
    sample = iso_certificate(spec)
    url = _prefill(vendor_id, "iso27001_certificate")
    response = post_multipart(web_analyst, url, {}, pdf=sample.pdf, filename="<img src=x>.pdf")
    assert response.status_code == 200
    assert "<b>Evil" not in response.text and "<img src=x>" not in response.text
    assert "&lt;b&gt;Evil&lt;/b&gt; Certification Ltd" in response.text
    notes = FormValues(response.text).notes.values()
    assert any("<b>Evil</b> Certification Ltd" in note for note in notes)  # shown as words


def test_the_prefilled_form_labels_every_control_and_has_no_inline_script(
    web_analyst: WebClient, vendor_id
):
    for kind, pdf in (("soc2_report", soc2_pdf().pdf), ("iso27001_certificate", iso_pdf().pdf)):
        html = post_multipart(web_analyst, _prefill(vendor_id, kind), {}, pdf=pdf).text
        page = _Page()
        page.feed(html)
        assert page.controls and all(c.get("id") in page.labels for c in page.controls), kind
        assert all(s.get("src", "").startswith("/static/") for s in page.scripts)
