"""The request and submission services (SPEC §11): the status order, superseding, cancelling,
accepting once, and what a link opens."""

from datetime import UTC, date, datetime, timedelta

import pytest
from portal.conftest import PDF
from pydantic import TypeAdapter

from app import db
from app.documents.storage import store_pdf_bytes
from app.errors import Conflict, Gone, Invalid, NotFound
from app.evidence.schemas import EvidenceCreate
from app.models import Evidence, EvidenceSubmission
from app.portal import links, service
from app.portal.schemas import Acceptance, RequestCreate, submission_schema

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, tzinfo=UTC)
SOC2_SENT = {
    "kind": "soc2_report",
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "unqualified",
    "auditor": "Hale & Moss LLP",
    "tsc": ["security"],
}


def _request(vendor_id: int, kinds=("soc2_report",), due=TODAY + timedelta(days=14), **more):
    data = RequestCreate(kinds=list(kinds), contact_email="sec@vendor.example", due_on=due, **more)
    with db.session_scope() as s:
        request = service.create_request(
            session=s, vendor_id=vendor_id, data=data, actor="ana", today=TODAY, now=NOW
        )
        return request.id, links.token_for(request)


def _submit(token: str, fields=SOC2_SENT, today=TODAY) -> int:
    kind = fields["kind"]
    data = submission_schema(kind).model_validate(fields)
    with db.session_scope() as s:
        request = service.open_link(session=s, token=token, today=today)
        checked = service.check_submission(kind, data, today)
        submission = service.submit(
            session=s,
            request=request,
            kind=kind,
            fields=checked,
            document=store_pdf_bytes(PDF),
            document_name="soc2.pdf",
            today=today,
            now=NOW,
        )
        return submission.id


def _status(request_id: int, today=TODAY) -> str:
    with db.session_scope(writes=False) as s:
        request = s.get(service.EvidenceRequest, request_id)
        return service.status_of(s, request, today)


def test_default_expiry_is_30_days_after_due_within_90(vendor) -> None:
    assert service.default_expiry(TODAY + timedelta(days=14), TODAY) == TODAY + timedelta(days=44)
    assert service.default_expiry(TODAY + timedelta(days=80), TODAY) == TODAY + timedelta(days=90)


def test_a_due_date_in_the_past_is_refused(vendor) -> None:
    with pytest.raises(Invalid) as refused:
        _request(vendor["id"], due=TODAY - timedelta(days=1))
    assert refused.value.field == "due_on"


def test_status_goes_open_submitted_closed(vendor) -> None:
    request_id, token = _request(vendor["id"])
    assert _status(request_id) == "open"
    submission_id = _submit(token)
    assert _status(request_id) == "submitted"
    with db.session_scope() as s:
        submission = s.get(EvidenceSubmission, submission_id)
        values = service.acceptance_input(submission, Acceptance(scope_covers_services="yes"))
        data = TypeAdapter(EvidenceCreate).validate_python(values)
        evidence, _ = service.accept(
            session=s, submission_id=submission_id, data=data, actor="ana", today=TODAY, now=NOW
        )
        evidence_id = evidence.id
    assert _status(request_id) == "closed"
    with db.session_scope(writes=False) as s:
        evidence = s.get(Evidence, evidence_id)
        assert evidence.received_on == TODAY
        assert evidence.scope_covers_services == "yes"
        assert evidence.document_name == "soc2.pdf"


def test_expired_the_day_after_expires_on_and_pending_still_reviewable(vendor) -> None:
    request_id, token = _request(vendor["id"], kinds=("soc2_report", "iso27001_certificate"))
    submission_id = _submit(token)
    with db.session_scope(writes=False) as s:
        expires_on = s.get(service.EvidenceRequest, request_id).expires_on
    assert _status(request_id, expires_on) == "open"
    assert _status(request_id, expires_on + timedelta(days=1)) == "expired"
    with pytest.raises(Gone), db.session_scope() as s:
        service.open_link(session=s, token=token, today=expires_on + timedelta(days=1))
    with db.session_scope() as s:
        service.reject(session=s, submission_id=submission_id, reason="blurred", actor="a", now=NOW)


def test_a_newer_submission_supersedes_the_pending_one(vendor) -> None:
    _, token = _request(vendor["id"])
    first = _submit(token)
    second = _submit(token)
    with db.session_scope(writes=False) as s:
        assert s.get(EvidenceSubmission, first).status == "superseded"
        assert s.get(EvidenceSubmission, second).status == "pending"


def test_cancelling_rejects_pending_and_the_link_is_gone(vendor) -> None:
    request_id, token = _request(vendor["id"])
    submission_id = _submit(token)
    with db.session_scope() as s:
        service.cancel_request(
            session=s, request_id=request_id, reason="", actor="ana", now=NOW, today=TODAY
        )
    assert _status(request_id) == "cancelled"
    with db.session_scope(writes=False) as s:
        assert s.get(EvidenceSubmission, submission_id).status == "rejected"
    with pytest.raises(Gone), db.session_scope() as s:
        service.open_link(session=s, token=token, today=TODAY)


def test_a_rotated_link_is_gone_and_a_forged_one_unknown(vendor) -> None:
    request_id, old = _request(vendor["id"])
    with db.session_scope() as s:
        new = links.token_for(
            service.rotate_link(session=s, request_id=request_id, actor="a", today=TODAY)
        )
    with db.session_scope() as s:
        assert service.open_link(session=s, token=new, today=TODAY).id == request_id
        with pytest.raises(Gone):
            service.open_link(session=s, token=old, today=TODAY)
        for forged in (new[:-1] + ("A" if new[-1] != "A" else "B"), "999.x", "", f"{request_id}"):
            with pytest.raises(NotFound):
                service.open_link(session=s, token=forged, today=TODAY)


def test_a_submission_is_accepted_once(vendor) -> None:
    _, token = _request(vendor["id"])
    submission_id = _submit(token)
    with db.session_scope() as s:
        service.reject(session=s, submission_id=submission_id, reason="no", actor="a", now=NOW)
    with pytest.raises(Conflict), db.session_scope() as s:
        service.reject(session=s, submission_id=submission_id, reason="no", actor="a", now=NOW)


def test_the_vendor_cannot_send_what_is_not_theirs() -> None:
    fields = service.check_submission(
        "soc2_report", submission_schema("soc2_report").model_validate(SOC2_SENT), TODAY
    )
    assert not {"scope_covers_services", "received_on", "notes"} & set(fields)
    with pytest.raises(Invalid) as refused:
        late = {**SOC2_SENT, "period_end": "2026-06-30", "period_start": "2025-07-01"}
        service.check_submission(
            "soc2_report", submission_schema("soc2_report").model_validate(late), TODAY
        )
    assert refused.value.field == "period_end"


def test_cancel_for_vendor_withdraws_every_request_not_over(vendor) -> None:
    first, _ = _request(vendor["id"])
    second, _ = _request(vendor["id"], kinds=("iso27001_certificate",))
    pending = _submit(_request(vendor["id"])[1])
    with db.session_scope() as s:
        cancelled = service.cancel_for_vendor(
            session=s, vendor_id=vendor["id"], reason="offboarded", actor="a", now=NOW, today=TODAY
        )
    assert cancelled == 3
    assert {_status(first), _status(second)} == {"cancelled"}
    with db.session_scope(writes=False) as s:
        rejected = s.get(EvidenceSubmission, pending)
        assert (rejected.status, rejected.review_notes) == (
            "rejected",
            "the request was cancelled: offboarded",
        )


@pytest.mark.parametrize(
    ("created_by", "shown"),
    [
        ("ana@example.com", "ana@example.com"),
        ("token:procurement-sync", None),
        ("cli", None),
        ("seed", None),
    ],
)
def test_the_vendor_is_told_whom_to_ask_only_by_a_web_users_address(created_by, shown) -> None:
    request = service.EvidenceRequest(
        vendor_id=1, kinds=["soc2_report"], contact_email="c@v.example", due_on=TODAY,
        expires_on=TODAY, link_nonce="n", created_at=NOW, created_by=created_by,
    )  # fmt: skip
    assert service.asked_by(request) == shown
