"""Grant a waiver for one of the vendor's current flags, and revoke it, through the forms."""

from html import unescape

import pytest
from factories import soc2_body
from web.support import WebClient, fresh_count, fresh_rows

from app.models import AuditEntry, Vendor, Waiver

GOOD = {
    "flag": "EVIDENCE_MISSING",
    "reason": "Signed before onboarding; report due in Q3",
    "approved_by": "Morgan Lee",
    "expires_on": "2026-09-30",
}


@pytest.fixture
def vendor_id(web_analyst: WebClient) -> int:
    """A high-tier vendor with nothing on file: blocked by EVIDENCE_MISSING."""
    response = web_analyst.submit("/vendors/new", {"name": "Late Docs Ltd", "tier": "high"})
    return int(response.headers["location"].rsplit("/", 1)[1])


def _error(html: str, field: str) -> str:
    assert f'id="{field}-error"' in html, f"no error beside {field}"
    return unescape(html.split(f'id="{field}-error">')[1].split("</p>")[0])


def test_the_form_offers_the_vendors_current_flags(web_analyst: WebClient, vendor_id):
    page = web_analyst.get(f"/vendors/{vendor_id}/waivers/new?code=EVIDENCE_MISSING").text
    assert '<option value="EVIDENCE_MISSING" selected>Required evidence missing' in page
    assert 'name="granted_on" value="2026-06-15"' in page
    assert "2027-06-15 for one granted today" in page
    assert "ISO_EXPIRED" not in page  # not a flag of this vendor


def test_granting_a_waiver_approves_the_vendor_and_marks_the_flag(
    web_analyst: WebClient, session, vendor_id
):
    response = web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", GOOD)
    assert response.status_code == 303
    waiver = fresh_rows(session, Waiver)[0]
    assert (waiver.code, waiver.granted_on.isoformat(), waiver.created_by) == (
        "EVIDENCE_MISSING",
        "2026-06-15",
        "analyst@example.com",
    )
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert "Granted waiver #1 for EVIDENCE_MISSING. Late Docs Ltd is now Approved." in page
    assert 'class="flag severity-block waived"' in page
    assert fresh_rows(session, Vendor)[0].status == "approved"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"flag": "ISO_EXPIRED"}, "flag", "Choose one of this vendor's current flags."),
        ({"flag": "EVIDENCE_MISSING@7"}, "flag", "Choose one of this vendor's current flags."),
        ({"flag": ""}, "flag", "Required."),
        ({"reason": ""}, "reason", "Required."),
        ({"approved_by": ""}, "approved_by", "Required."),
        ({"expires_on": ""}, "expires_on", "Required."),
        (
            {"expires_on": "2027-06-16"},
            "expires_on",
            "A waiver runs at most 12 months: 2027-06-15 at the latest.",
        ),
        ({"expires_on": "2026-06-15"}, "expires_on", "Must be after granted_on (2026-06-15)."),
        ({"granted_on": "15 June"}, "granted_on", "YYYY-MM-DD"),
        (
            {"granted_on": "2026-06-16"},
            "granted_on",
            "Must not be after today (2026-06-15): a risk is accepted when it is, not in advance.",
        ),
    ],
)
def test_waiver_errors_are_shown_beside_the_field_and_nothing_is_written(
    web_analyst: WebClient, session, vendor_id, changes, field, message
):
    response = web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", {**GOOD, **changes})
    assert response.status_code == 422
    assert message.replace("granted_on", "the grant date") in _error(response.text, field)
    assert "Morgan Lee" in response.text or changes.get("approved_by") == ""
    assert fresh_count(session, Waiver) == 0
    assert fresh_count(session, AuditEntry, entity="waiver") == 0


def test_a_waiver_of_a_documents_flag_is_bound_to_that_document(
    web_analyst: WebClient, analyst, session, vendor_id
):
    body = soc2_body(opinion="qualified")
    report = analyst.post(f"/api/v1/vendors/{vendor_id}/evidence", json=body).json()["evidence"]
    key = f"SOC2_OPINION_QUALIFIED@{report['id']}"
    # The vendor page's link to the form carries the flag's document.
    link = f"waivers/new?code=SOC2_OPINION_QUALIFIED&evidence_id={report['id']}"
    assert link in unescape(web_analyst.get(f"/vendors/{vendor_id}").text)
    # Opened from the flag: the form names the document and repeats the flag's words.
    page = web_analyst.get(
        f"/vendors/{vendor_id}/waivers/new?code=SOC2_OPINION_QUALIFIED&evidence_id={report['id']}"
    ).text
    assert f'<option value="{key}" selected>' in page
    assert f"SOC 2 Type II report #{report['id']}" in page
    assert "The auditor qualified the opinion" in unescape(page)
    response = web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", {**GOOD, "flag": key})
    assert response.status_code == 303, response.text
    waiver = fresh_rows(session, Waiver)[0]
    assert (waiver.code, waiver.evidence_id) == ("SOC2_OPINION_QUALIFIED", report["id"])


def test_a_vendor_without_flags_has_nothing_to_waive(web_analyst: WebClient):
    response = web_analyst.submit("/vendors/new", {"name": "Low Risk", "tier": "low"})
    page = web_analyst.get(response.headers["location"] + "/waivers/new").text
    assert "there is nothing to waive" in page and 'name="reason"' not in page


def test_revoking_a_waiver_makes_the_flag_count_again(web_analyst: WebClient, session, vendor_id):
    web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", GOOD)
    assert "Once revoked, the flag counts again" in web_analyst.get("/waivers/1/revoke").text
    response = web_analyst.submit("/waivers/1/revoke", {"reason": "Report never came"})
    assert response.status_code == 303
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert "Revoked waiver #1. Late Docs Ltd is now Blocked." in page
    assert "by analyst@example.com" in page and "Report never came" in page
    assert fresh_rows(session, Waiver)[0].revoke_reason == "Report never came"


def test_revoking_twice_is_explained(web_analyst: WebClient, session, vendor_id):
    web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", GOOD)
    web_analyst.submit("/waivers/1/revoke", {})
    again = web_analyst.submit("/waivers/1/revoke", {"reason": "again"})
    assert again.status_code == 422
    assert "This waiver was revoked" in again.text
    assert fresh_rows(session, Waiver)[0].revoke_reason == ""


def test_a_revocation_reason_is_bounded(web_analyst: WebClient, session, vendor_id):
    web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", GOOD)
    response = web_analyst.submit("/waivers/1/revoke", {"reason": "x" * 2001})
    assert response.status_code == 422
    assert "at most 2000 characters" in _error(response.text, "reason")
    assert fresh_rows(session, Waiver)[0].revoked_at is None


def test_waiver_forms_refuse_readers_and_missing_tokens(
    web_analyst: WebClient, web_reader: WebClient, session, vendor_id
):
    assert web_reader.get(f"/vendors/{vendor_id}/waivers/new").status_code == 403
    assert web_reader.submit(f"/vendors/{vendor_id}/waivers/new", GOOD).status_code == 403
    assert web_analyst.post(f"/vendors/{vendor_id}/waivers/new", data=GOOD).status_code == 403
    assert fresh_count(session, Waiver) == 0
    web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", GOOD)
    assert web_reader.get("/waivers/1/revoke").status_code == 403
    assert web_reader.submit("/waivers/1/revoke", {}).status_code == 403
    assert web_analyst.post("/waivers/1/revoke", data={}).status_code == 403
    assert fresh_rows(session, Waiver)[0].revoked_at is None
    assert web_analyst.get("/waivers/9/revoke").status_code == 404


def test_the_vendor_page_names_the_document_a_waiver_accepts(
    web_analyst: WebClient, analyst, vendor_id
):
    body = soc2_body(opinion="qualified")
    report = analyst.post(f"/api/v1/vendors/{vendor_id}/evidence", json=body).json()["evidence"]
    flag = f"SOC2_OPINION_QUALIFIED@{report['id']}"
    web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", {**GOOD, "flag": flag})
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    row = page.split('id="waiver-1"')[1].split("</tr>")[0]
    assert f'on document <a href="#evidence-{report["id"]}">#{report["id"]}</a>' in row
