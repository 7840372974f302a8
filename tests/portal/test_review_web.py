"""The analysts' pages of evidence requests (SPEC §11 "Review"): asking, following a request,
reviewing what a vendor handed in, the dashboard's count, and what a reader may not do."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from conftest import TEST_TODAY
from factories import soc2_body, vendor_body
from portal.conftest import PDF
from web.support import WebClient, csrf_of, fresh_count, fresh_rows, web_client
from web.test_web_quality import _Page as Page

from app import db
from app.documents.storage import store_pdf_bytes
from app.errors import Gone
from app.models import Evidence, EvidenceRequest, EvidenceSubmission, Vendor
from app.portal import links, mail, service
from app.portal.schemas import RequestCreate, submission_schema

NOW = datetime(2026, 6, 15, 9, tzinfo=UTC)
CONTACT = "security@vendor.example"
SOC2_SENT = {
    "kind": "soc2_report",
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "unqualified",
    "auditor": "Hale & Moss LLP",
    "tsc": ["security"],
    "system": "The Acme payroll platform",
}
ASK = {"kinds": ["soc2_report"], "contact_email": CONTACT, "due_on": "2026-06-29"}


@pytest.fixture
def web_analyst(app) -> Iterator[WebClient]:
    with web_client(app, "analyst") as client:
        yield client


@pytest.fixture
def web_reader(app) -> Iterator[WebClient]:
    with web_client(app, "reader") as client:
        yield client


@pytest.fixture
def vendor(analyst) -> dict:
    """A high-tier vendor whose record names its security contact."""
    body = vendor_body(tier="high", security_contact_email=CONTACT, services="Payroll")
    response = analyst.post("/api/v1/vendors", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def ask_for(vendor_id: int, kinds=("soc2_report",)) -> tuple[int, str]:
    """A request made through the service: its id and its link's token."""
    data = RequestCreate(
        kinds=list(kinds), contact_email=CONTACT, due_on=TEST_TODAY + timedelta(14)
    )
    with db.session_scope() as s:
        request = service.create_request(
            session=s, vendor_id=vendor_id, data=data, actor="ana", today=TEST_TODAY, now=NOW
        )
        return request.id, links.token_for(request)


def hand_in(token: str, fields: dict = SOC2_SENT) -> int:
    """What the vendor's contact hands in through the portal, with a PDF: the submission's id."""
    kind = fields["kind"]
    data = submission_schema(kind).model_validate(fields)
    with db.session_scope() as s:
        request = service.open_link(session=s, token=token, today=TEST_TODAY)
        return service.submit(
            session=s,
            request=request,
            kind=kind,
            fields=service.check_submission(kind, data, TEST_TODAY),
            document=store_pdf_bytes(PDF),
            document_name="soc2.pdf",
            today=TEST_TODAY,
            now=NOW,
        ).id


@pytest.fixture
def pending(vendor) -> dict:
    """A request of the vendor answered with a SOC 2 report waiting for review."""
    request_id, token = ask_for(vendor["id"])
    return {"request_id": request_id, "token": token, "submission_id": hand_in(token)}


def text_of(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def opens(token: str) -> bool:
    """Whether the portal link still opens its request (Gone: it does not)."""
    with db.session_scope(writes=False) as s:
        try:
            service.open_link(session=s, token=token, today=TEST_TODAY)
        except Gone:
            return False
    return True


# --- asking -------------------------------------------------------------------------------------


def test_the_request_form_is_prefilled_from_the_vendors_security_contact(web_analyst, vendor):
    page = web_analyst.get(f"/vendors/{vendor['id']}/requests/new")
    assert page.status_code == 200
    assert f'id="contact_email" name="contact_email" value="{CONTACT}"' in page.text
    due = (TEST_TODAY + timedelta(days=14)).isoformat()
    assert f'name="due_on" value="{due}"' in page.text
    assert 'name="kinds" value="bridge_letter"' in page.text  # every kind may be asked for


def test_bad_input_shows_each_error_beside_its_field_and_writes_nothing(
    web_analyst, vendor, session
):
    url = f"/vendors/{vendor['id']}/requests/new"
    typed = {"contact_email": "not an address", "due_on": "2026-06-29", "message": "Hi <there>"}
    page = web_analyst.submit(url, typed)
    assert page.status_code == 422
    assert 'id="kinds-error"' in page.text and 'id="contact_email-error"' in page.text
    assert 'value="not an address"' in page.text and "Hi &lt;there&gt;" in page.text
    past = web_analyst.submit(url, {**ASK, "due_on": "2026-06-14"})
    assert past.status_code == 422
    assert re.search(r'id="due_on-error">.*Must be today \(2026-06-15\) or later', past.text)
    assert fresh_count(session, EvidenceRequest) == 0


def test_without_smtp_the_link_is_shown_once_and_never_again(web_analyst, vendor, session):
    page = web_analyst.submit(f"/vendors/{vendor['id']}/requests/new", ASK)
    assert page.status_code == 200  # not a redirect: the link stays out of the session cookie
    assert "Nothing was e-mailed" in text_of(page.text)
    (request,) = fresh_rows(session, EvidenceRequest)
    link = links.portal_url(request)
    assert f'value="{link}"' in page.text
    assert link not in page.headers.get("set-cookie", "")
    vendor_page = web_analyst.get(f"/vendors/{vendor['id']}")
    assert links.token_for(request) not in vendor_page.text
    row = text_of(vendor_page.text.split(f'id="request-{request.id}"', 1)[1].split("</tr>")[0])
    assert "SOC 2 report" in row and CONTACT in row and "Open" in row
    assert "Not e-mailed" in row and "0 reminders sent" in row


def test_when_the_email_goes_out_the_analyst_is_sent_back_to_the_vendor(
    web_analyst, vendor, monkeypatch
):
    sent = []
    outcome = mail.EmailOutcome(sent=True, configured=True)
    monkeypatch.setattr(
        mail, "send_request_email", lambda request_id: sent.append(request_id) or outcome
    )
    response = web_analyst.submit(f"/vendors/{vendor['id']}/requests/new", ASK)
    assert (
        response.status_code == 303 and response.headers["location"] == f"/vendors/{vendor['id']}"
    )
    assert sent == [1]
    page = web_analyst.get(response.headers["location"])
    assert f"E-mailed request #1 to {CONTACT}." in page.text
    assert "/portal/" not in page.text


# --- following a request ------------------------------------------------------------------------


def test_the_vendor_page_lists_the_request_and_leads_to_the_pending_review(
    web_analyst, vendor, pending
):
    page = web_analyst.get(f"/vendors/{vendor['id']}")
    words = text_of(page.text)
    assert "Submissions to review (1)" in words and "Evidence requests (1)" in words
    assert f'href="/submissions/{pending["submission_id"]}"' in page.text
    assert "Answered, to review" in words
    review = web_analyst.get(f"/submissions/{pending['submission_id']}")
    assert review.status_code == 200
    assert 'value="Hale &amp; Moss LLP"' in review.text  # the vendor's values, in the form
    assert "The Acme payroll platform" in review.text and "Payroll" in review.text  # scope
    assert 'action="/submissions/1/accept"' in review.text
    document = web_analyst.get(f"/submissions/{pending['submission_id']}/document")
    assert document.status_code == 200 and document.content == PDF
    assert document.headers["content-disposition"].startswith('attachment; filename="soc2.pdf"')


def test_a_new_link_retires_the_old_one_and_cancelling_closes_it(web_analyst, vendor, session):
    request_id, old = ask_for(vendor["id"])
    page = web_analyst.submit(f"/requests/{request_id}/link")
    assert page.status_code == 200 and "the old one no longer opens" in page.text
    new = re.search(r'value="[^"]*/portal/([^"]+)"', page.text).group(1)
    assert not opens(old) and opens(new)
    confirm = web_analyst.get(f"/requests/{request_id}/cancel")
    assert confirm.status_code == 200 and "Cancel the request" in confirm.text
    done = web_analyst.submit(f"/requests/{request_id}/cancel", {"reason": "asked by mistake"})
    assert done.status_code == 303
    assert not opens(new)
    (request,) = fresh_rows(session, EvidenceRequest)
    assert request.cancel_reason == "asked by mistake"
    row = web_analyst.get(f"/vendors/{vendor['id']}").text.split(f'id="request-{request_id}"')[1]
    assert "Cancelled" in row.split("</tr>")[0] and "New link" not in row.split("</tr>")[0]


# --- reviewing ----------------------------------------------------------------------------------


def _status(session, vendor_id: int) -> str:
    session.rollback()
    return session.get(Vendor, vendor_id).status


def test_accepting_with_a_scope_judgement_makes_evidence_once(
    web_analyst, vendor, pending, session
):
    before = _status(session, vendor["id"])
    review = web_analyst.get(f"/submissions/{pending['submission_id']}")
    form = {
        **_form_fields(review.text),
        "scope_covers_services": "yes",
        "csrf_token": csrf_of(review.text),
    }
    accepted = web_analyst.post(
        f"/submissions/{pending['submission_id']}/accept", data=form, follow_redirects=False
    )
    assert accepted.status_code == 303, text_of(accepted.text)
    (evidence,) = fresh_rows(session, Evidence)
    assert evidence.received_on == TEST_TODAY  # the day it was handed in
    assert evidence.scope_covers_services == "yes" and evidence.document_name == "soc2.pdf"
    assert evidence.auditor == "Hale & Moss LLP"
    after = _status(session, vendor["id"])
    assert after != before
    page = web_analyst.get(accepted.headers["location"])
    assert f"Accepted the SOC 2 Type II report as evidence #{evidence.id}." in text_of(page.text)
    assert f"is now {after.capitalize()}" in page.text
    again = web_analyst.post(f"/submissions/{pending['submission_id']}/accept", data=form)
    assert again.status_code == 409
    assert fresh_count(session, Evidence) == 1


def test_a_bad_correction_is_shown_beside_its_field_and_creates_nothing(
    web_analyst, vendor, pending, session
):
    review = web_analyst.get(f"/submissions/{pending['submission_id']}")
    form = {
        **_form_fields(review.text),
        "period_start": "2026-05-01",
        "scope_covers_services": "partly",
    }
    page = web_analyst.submit(f"/submissions/{pending['submission_id']}/accept", form)
    assert page.status_code == 422
    assert re.search(r'id="period_start-error">.*Must be before the period end', page.text)
    assert 'value="2026-05-01"' in page.text and 'value="partly" checked' in page.text
    assert fresh_count(session, Evidence) == 0
    assert fresh_rows(session, EvidenceSubmission)[0].status == "pending"


def test_rejecting_needs_a_reason_and_records_it(web_analyst, vendor, pending, session):
    url = f"/submissions/{pending['submission_id']}/reject"
    refused = web_analyst.submit(url, {"reason": "  "})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    assert fresh_rows(session, EvidenceSubmission)[0].status == "pending"
    done = web_analyst.submit(url, {"reason": "The scan is unreadable"})
    assert done.status_code == 303
    (submission,) = fresh_rows(session, EvidenceSubmission)
    assert submission.status == "rejected" and submission.review_notes == "The scan is unreadable"
    page = web_analyst.get(f"/submissions/{pending['submission_id']}")
    assert "The scan is unreadable" in page.text and "Accept" not in text_of(page.text)
    history = text_of(web_analyst.get(f"/vendors/{vendor['id']}").text).split("History", 1)[1]
    assert "Asked for SOC 2 report through the portal: request #1" in history
    assert "Handed in a SOC 2 report through the portal: submission #1" in history
    assert "Rejected submission #1: The scan is unreadable" in history


def test_the_dashboard_counts_submissions_to_review_and_lists_them(web_analyst, vendor, pending):
    words = text_of(web_analyst.get("/").text)
    assert "1 Submissions to review" in words
    listing = web_analyst.get("/submissions")
    assert listing.status_code == 200
    assert vendor["name"] in listing.text
    assert f'href="/submissions/{pending["submission_id"]}"' in listing.text


def test_a_reader_sees_no_buttons_and_may_not_post(web_reader, vendor, pending, session):
    page = web_reader.get(f"/vendors/{vendor['id']}").text
    for button in ("Request evidence", "New link", "Cancel request", ">Review<"):
        assert button not in page
    review = web_reader.get(f"/submissions/{pending['submission_id']}")
    assert review.status_code == 200 and "Accept" not in text_of(review.text)
    assert web_reader.get(f"/vendors/{vendor['id']}/requests/new").status_code == 403
    submission, request = pending["submission_id"], pending["request_id"]
    posts = {
        f"/vendors/{vendor['id']}/requests/new": ASK,
        f"/requests/{request}/cancel": {},
        f"/requests/{request}/link": {},
        f"/submissions/{submission}/accept": {"scope_covers_services": "yes"},
        f"/submissions/{submission}/reject": {"reason": "no"},
    }
    for url, data in posts.items():
        assert web_reader.submit(url, data).status_code == 403, url
    assert fresh_count(session, Evidence) == 0 and fresh_count(session, EvidenceRequest) == 1
    assert opens(pending["token"])


_INPUT = re.compile(r'<input type="(?:text|date|number)" id="[^"]+" name="([^"]+)" value="([^"]*)"')


def _form_fields(html: str) -> dict:
    """The review form's values as shown (text and date inputs, the select, the checked boxes)."""
    form = html.split('action="/submissions/', 1)[1].split("</form>", 1)[0]
    values: dict = {name: value.replace("&amp;", "&") for name, value in _INPUT.findall(form)}
    values["tsc"] = re.findall(r'name="tsc" value="([^"]+)"\s*checked', form) + ["security"]
    selected = re.search(r'name="opinion".*?<option value="([^"]+)" selected', form, re.S)
    values["opinion"] = selected.group(1)
    values["report_type"] = "type2"
    return values


BRIDGE_SENT = {
    "kind": "bridge_letter",
    "signed_on": "2026-06-01",
    "covers_until": "2026-06-30",
    "report_named": "our FY2026 SOC 2 by Hale & Moss",
}
ISO_SENT = {
    "kind": "iso27001_certificate",
    "standard_version": "2022",
    "certificate_number": "IS 771203",
    "certification_body": "BSI",
    "accreditation_body": "UKAS",
    "issued_on": "2026-01-10",
    "expires_on": "2029-01-09",
    "scope": "Payroll services",
}


def test_a_bridge_letter_is_linked_to_the_report_the_analyst_chooses(
    web_analyst, analyst, vendor, session
):
    report = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body()).json()
    _, token = ask_for(vendor["id"], kinds=("bridge_letter",))
    submission = hand_in(token, BRIDGE_SENT)
    review = web_analyst.get(f"/submissions/{submission}")
    assert "our FY2026 SOC 2 by Hale &amp; Moss" in review.text  # beside the report's choice
    assert 'id="signed_on" name="signed_on" value="2026-06-01"' in review.text
    url = f"/submissions/{submission}/accept"
    letter = {"signed_on": "2026-06-01", "covers_until": "2026-06-30", "soc2_report_id": ""}
    unchosen = web_analyst.submit(url, letter)
    assert unchosen.status_code == 422 and 'id="soc2_report_id-error"' in unchosen.text
    chosen = web_analyst.submit(url, {**letter, "soc2_report_id": str(report["evidence"]["id"])})
    assert chosen.status_code == 303, text_of(chosen.text)
    letter_row = fresh_rows(session, Evidence, kind="bridge_letter")[0]
    assert letter_row.soc2_report_id == report["evidence"]["id"]
    assert letter_row.received_on == TEST_TODAY


def test_an_iso_certificate_is_reviewed_on_its_own_form(web_analyst, vendor, session):
    _, token = ask_for(vendor["id"], kinds=("iso27001_certificate",))
    submission = hand_in(token, ISO_SENT)
    review = web_analyst.get(f"/submissions/{submission}")
    assert 'value="IS 771203"' in review.text and "Payroll services" in review.text
    form = {k: v for k, v in ISO_SENT.items() if k != "kind"} | {"certificate_status": "active"}
    accepted = web_analyst.submit(f"/submissions/{submission}/accept", form)
    assert accepted.status_code == 303, text_of(accepted.text)
    (certificate,) = fresh_rows(session, Evidence)
    assert certificate.scope_covers_services is None  # "Not judged yet" is an answer too
    assert certificate.certificate_number == "IS 771203"


def test_every_input_of_the_review_pages_has_a_label(web_analyst, vendor, pending):
    created = web_analyst.submit(f"/vendors/{vendor['id']}/requests/new", ASK)
    pages = {"the link shown once": created.text}
    for url in (
        f"/vendors/{vendor['id']}",
        f"/vendors/{vendor['id']}/requests/new",
        f"/requests/{pending['request_id']}/cancel",
        f"/submissions/{pending['submission_id']}",
        "/submissions",
        "/",
    ):
        pages[url] = web_analyst.get(url).text
    for url, html in pages.items():
        page = Page()
        page.feed(html)
        unlabelled = [c for c in page.controls if c.get("id") not in page.labels]
        assert unlabelled == [], url
