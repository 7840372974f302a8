"""The evidence-request API (SPEC §11): ask, list, cancel, replace a link, and review what
the vendor handed in — accept (it becomes evidence) or reject."""

from datetime import UTC, datetime, timedelta

import pytest
from conftest import TEST_TODAY
from factories import rows, soc2_body
from portal.conftest import PDF

from app import db
from app.documents.storage import store_pdf_bytes
from app.errors import Gone
from app.models import AuditEntry
from app.portal import api as requests_api
from app.portal import service
from app.portal.mail import EmailOutcome
from app.portal.schemas import submission_schema

NOW = datetime(2026, 6, 15, 9, tzinfo=UTC)
DUE = (TEST_TODAY + timedelta(days=14)).isoformat()
SOC2_SENT = {k: v for k, v in soc2_body().items() if k != "received_on"}
BRIDGE_SENT = {"kind": "bridge_letter", "signed_on": "2026-06-01", "covers_until": "2026-08-31"}
API = "/api/v1"


def _ask(client, vendor_id: int, kinds=("soc2_report",), **more):
    body = {"kinds": list(kinds), "contact_email": "sec@vendor.example", "due_on": DUE, **more}
    return client.post(f"{API}/vendors/{vendor_id}/requests", json=body)


def _token(answer) -> str:
    return answer.json()["request"]["portal_url"].rsplit("/", 1)[1]


def _hand_in(token: str, fields: dict = SOC2_SENT) -> int:
    """The vendor hands in a document through the portal's service."""
    kind = fields["kind"]
    with db.session_scope() as s:
        request = service.open_link(session=s, token=token, today=TEST_TODAY)
        checked = service.check_submission(
            kind, submission_schema(kind).model_validate(fields), TEST_TODAY
        )
        return service.submit(
            session=s,
            request=request,
            kind=kind,
            fields=checked,
            document=store_pdf_bytes(PDF),
            document_name="report.pdf",
            today=TEST_TODAY,
            now=NOW,
        ).id


@pytest.fixture
def asked(analyst, vendor) -> tuple[int, str]:
    """An open request for a SOC 2 report: its id and its link's token."""
    answer = _ask(analyst, vendor["id"])
    assert answer.status_code == 201, answer.text
    return answer.json()["request"]["id"], _token(answer)


def test_a_request_is_created_with_its_link(analyst, vendor) -> None:
    answer = _ask(analyst, vendor["id"], message="For the annual review")
    assert answer.status_code == 201
    request = answer.json()["request"]
    assert request["status"] == "open"
    assert request["portal_url"].startswith("http") and "/portal/" in request["portal_url"]
    assert request["link_emailed"] is False  # no SMTP host in the tests
    assert request["expires_on"] == (TEST_TODAY + timedelta(days=44)).isoformat()
    assert request["created_by"] == "token:test-analyst"


def test_the_link_is_emailed_only_once_the_request_is_saved(analyst, vendor, monkeypatch) -> None:
    mailed = []

    def send(*, request_id: int) -> EmailOutcome:
        with db.session_scope(writes=False) as s:  # another session sees the request
            mailed.append(s.get(service.EvidenceRequest, request_id).link_nonce)
        return EmailOutcome(sent=True, configured=True)

    monkeypatch.setattr(requests_api, "send_request_email", send)
    answer = _ask(analyst, vendor["id"])
    assert answer.json()["request"]["link_emailed"] is True
    relinked = analyst.post(f"{API}/requests/{answer.json()['request']['id']}/link")
    assert relinked.json()["request"]["link_emailed"] is True
    assert len(mailed) == 2 and mailed[0] != mailed[1]  # the new link went out


def test_only_analysts_ask_and_readers_list(anonymous, reader, analyst, vendor) -> None:
    assert _ask(anonymous, vendor["id"]).status_code == 401
    assert _ask(reader, vendor["id"]).status_code == 403
    assert _ask(analyst, 999_999).status_code == 404
    assert anonymous.get(f"{API}/requests").status_code == 401
    assert reader.get(f"{API}/requests").status_code == 200
    assert reader.get(f"{API}/vendors/999999/requests").status_code == 404


@pytest.mark.parametrize(
    ("more", "field"),
    [
        ({"due_on": (TEST_TODAY - timedelta(days=1)).isoformat()}, "due_on"),
        ({"expires_on": (TEST_TODAY + timedelta(days=91)).isoformat()}, "expires_on"),
        ({"kinds": ["soc9_report"]}, "kinds"),
        ({"kinds": []}, "kinds"),
        ({"contact_email": "not an address"}, "contact_email"),
    ],
)
def test_bad_fields_are_422_naming_the_field(analyst, vendor, more, field) -> None:
    answer = _ask(analyst, vendor["id"], **more)
    assert answer.status_code == 422
    assert field in [e["loc"][1] for e in answer.json()["detail"]]


def test_lists_carry_no_link_and_filter_by_status(reader, analyst, vendor, asked) -> None:
    request_id, _ = asked
    cancelled = _ask(analyst, vendor["id"]).json()["request"]["id"]
    assert analyst.post(f"{API}/requests/{cancelled}/cancel").status_code == 200
    listed = reader.get(f"{API}/vendors/{vendor['id']}/requests").json()
    assert [r["id"] for r in listed] == [cancelled, request_id]
    assert all(r["portal_url"] is None for r in listed)
    open_ones = reader.get(f"{API}/requests", params={"status": "open"}).json()
    assert [r["id"] for r in open_ones] == [request_id]
    gone = reader.get(f"{API}/requests", params={"status": "cancelled"}).json()
    assert [r["id"] for r in gone] == [cancelled]
    refused = reader.get(f"{API}/requests", params={"status": "lost"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "status"]


def test_cancelling_rejects_pending_and_twice_is_409(reader, analyst, asked) -> None:
    request_id, token = asked
    submission_id = _hand_in(token)
    assert reader.post(f"{API}/requests/{request_id}/cancel").status_code == 403
    answer = analyst.post(f"{API}/requests/{request_id}/cancel", json={"reason": "vendor left"})
    assert answer.status_code == 200
    assert answer.json()["status"] == "cancelled"
    submissions = reader.get(f"{API}/requests/{request_id}/submissions").json()
    assert [(s["id"], s["status"]) for s in submissions] == [(submission_id, "rejected")]
    assert "vendor left" in submissions[0]["review_notes"]
    assert analyst.post(f"{API}/requests/{request_id}/cancel").status_code == 409
    assert analyst.post(f"{API}/requests/999999/cancel").status_code == 404


def test_a_new_link_retires_the_old(analyst, reader, asked) -> None:
    request_id, old = asked
    assert reader.post(f"{API}/requests/{request_id}/link").status_code == 403
    answer = analyst.post(f"{API}/requests/{request_id}/link")
    assert answer.status_code == 201
    new = _token(answer)
    assert new != old
    with db.session_scope() as s:
        assert service.open_link(session=s, token=new, today=TEST_TODAY).id == request_id
        with pytest.raises(Gone):
            service.open_link(session=s, token=old, today=TEST_TODAY)
    analyst.post(f"{API}/requests/{request_id}/cancel")
    assert analyst.post(f"{API}/requests/{request_id}/link").status_code == 409


def test_submissions_are_listed_and_their_pdf_downloaded(reader, asked) -> None:
    request_id, token = asked
    submission_id = _hand_in(token)
    listed = reader.get(f"{API}/requests/{request_id}/submissions").json()
    assert listed[0]["document"]["name"] == "report.pdf"
    assert listed[0]["document"]["size"] == len(PDF)
    assert listed[0]["fields"]["auditor"] == "Hale & Moss LLP"
    pending = reader.get(f"{API}/submissions", params={"status": "pending"}).json()
    assert [s["id"] for s in pending] == [submission_id]
    document = reader.get(f"{API}/submissions/{submission_id}/document")
    assert document.status_code == 200 and document.content == PDF
    assert document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"].startswith("attachment;")
    assert reader.get(f"{API}/submissions/999999/document").status_code == 404
    assert reader.get(f"{API}/requests/999999/submissions").status_code == 404


def test_accepting_makes_evidence_and_changes_the_status(reader, analyst, vendor, asked) -> None:
    request_id, token = asked
    before = reader.get(f"{API}/vendors/{vendor['id']}/status").json()
    submission_id = _hand_in(token)
    accept = {"scope_covers_services": "yes"}
    assert reader.post(f"{API}/submissions/{submission_id}/accept", json=accept).status_code == 403
    answer = analyst.post(f"{API}/submissions/{submission_id}/accept", json=accept)
    assert answer.status_code == 201, answer.text
    evidence, status = answer.json()["evidence"], answer.json()["status"]
    assert evidence["received_on"] == TEST_TODAY.isoformat()  # the day it was handed in
    assert evidence["scope_covers_services"] == "yes"
    assert status["vendor_id"] == vendor["id"]
    assert status != before and "EVIDENCE_MISSING" not in {f["code"] for f in status["flags"]}
    document = reader.get(f"{API}/evidence/{evidence['id']}/document")
    assert document.status_code == 200 and document.content == PDF
    again = analyst.post(f"{API}/submissions/{submission_id}/accept", json=accept)
    assert again.status_code == 409
    request = reader.get(f"{API}/requests/{request_id}/submissions").json()[0]
    assert (request["status"], request["evidence_id"]) == ("accepted", evidence["id"])
    assert reader.get(f"{API}/requests", params={"status": "closed"}).json()[0]["id"] == request_id


def test_an_unjudged_scope_is_accepted_and_flagged(analyst, asked) -> None:
    submission_id = _hand_in(asked[1])
    answer = analyst.post(f"{API}/submissions/{submission_id}/accept", json={})
    assert answer.status_code == 201
    assert answer.json()["evidence"]["scope_covers_services"] is None
    assert answer.json()["status"]["flags"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"fields": {"opinion": "glowing"}}, ["body", "fields", "opinion"]),
        ({"fields": {"period_start": "2026-05-01"}}, ["body", "fields", "period_start"]),
        ({"fields": {"auditor": ""}}, ["body", "fields", "auditor"]),
        ({"fields": {"colour": "blue"}}, ["body", "fields", "colour"]),
        ({"fields": {"received_on": "2026-06-01"}}, ["body", "received_on"]),
        ({"scope_covers_services": "mostly"}, ["body", "scope_covers_services"]),
    ],
)
def test_bad_corrections_are_422_naming_the_field(analyst, asked, body, loc) -> None:
    submission_id = _hand_in(asked[1])
    answer = analyst.post(f"{API}/submissions/{submission_id}/accept", json=body)
    assert answer.status_code == 422, answer.text
    assert loc in [e["loc"] for e in answer.json()["detail"]]
    pending = analyst.get(f"{API}/submissions", params={"status": "pending"}).json()
    assert [s["id"] for s in pending] == [submission_id]  # nothing changed


def test_a_bridge_letter_needs_its_report(analyst, vendor) -> None:
    report = analyst.post(f"{API}/vendors/{vendor['id']}/evidence", json=soc2_body()).json()
    token = _token(_ask(analyst, vendor["id"], kinds=["bridge_letter"]))
    submission_id = _hand_in(token, BRIDGE_SENT)
    url = f"{API}/submissions/{submission_id}/accept"
    refused = analyst.post(url, json={})
    assert refused.status_code == 422
    assert ["body", "soc2_report_id"] in [e["loc"] for e in refused.json()["detail"]]
    answer = analyst.post(url, json={"soc2_report_id": report["evidence"]["id"]})
    assert answer.status_code == 201, answer.text
    assert answer.json()["evidence"]["soc2_report_id"] == report["evidence"]["id"]


def test_rejecting_shows_the_reason_and_once_only(reader, analyst, asked) -> None:
    request_id, token = asked
    submission_id = _hand_in(token)
    url = f"{API}/submissions/{submission_id}/reject"
    assert reader.post(url, json={"reason": "blurred"}).status_code == 403
    assert analyst.post(url, json={"reason": ""}).status_code == 422
    answer = analyst.post(url, json={"reason": "the scan is blurred"})
    assert answer.status_code == 200
    assert answer.json()["status"] == "rejected"
    listed = reader.get(f"{API}/requests/{request_id}/submissions").json()
    assert listed[0]["review_notes"] == "the scan is blurred"
    assert analyst.post(url, json={"reason": "again"}).status_code == 409
    accepted = analyst.post(f"{API}/submissions/{submission_id}/accept", json={})
    assert accepted.status_code == 409
    assert analyst.post(f"{API}/submissions/999999/reject", json={"reason": "x"}).status_code == 404


def test_the_audit_log_has_the_story_and_never_the_link(analyst, session, asked) -> None:
    request_id, token = asked
    new = _token(analyst.post(f"{API}/requests/{request_id}/link"))
    analyst.post(f"{API}/submissions/{_hand_in(new)}/accept", json={})
    entries = rows(session, AuditEntry, entity_id=request_id)
    assert {"create", "new_link"} <= {e.action for e in entries}
    assert {"create", "accepted"} <= {e.action for e in rows(session, AuditEntry)} - {"cancel"}
    request = rows(session, service.EvidenceRequest, id=request_id)[0]
    secrets = {request.link_nonce, *request.retired_nonces}
    secrets |= {t.split(".", 1)[1] for t in (token, new)}
    for entry in rows(session, AuditEntry):
        text = str(entry.model_dump())
        assert not [s for s in secrets if s in text], entry
