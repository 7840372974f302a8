"""The API of evidence requests and submissions (SPEC §11): ask a vendor for evidence, list
and cancel requests, replace a link, and review what the vendor handed in."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from app import clock
from app.api_common import READ_ERRORS, WRITE_ERRORS, RequestId, SubmissionId, VendorId
from app.auth.deps import Analyst, Reader
from app.db import SessionDep
from app.deps import Today
from app.documents.api import DOWNLOAD_HEADERS
from app.documents.service import content_disposition
from app.evidence.api import EvidenceCreated
from app.evidence.schemas import EvidenceCreate, EvidenceRead
from app.models import EvidenceRequest, EvidenceSubmission
from app.records import get_vendor
from app.status.service import stored_status

from . import service
from .mail import send_request_email
from .schemas import (
    Acceptance,
    Cancellation,
    DocumentRead,
    Rejection,
    RequestCreate,
    RequestCreated,
    RequestRead,
    RequestStatus,
    SubmissionRead,
    SubmissionStatus,
)

router = APIRouter(tags=["evidence requests"])

EVIDENCE_INPUT = TypeAdapter(EvidenceCreate)
# What the analyst sets beside the corrected fields: its errors are located at body.<name>.
JUDGED = {"scope_covers_services", "soc2_report_id"}
PDF_ANSWER = {200: {"content": {"application/pdf": {}}, "description": "The PDF"}}


def _emailed(session: Session, request: EvidenceRequest, today: date) -> RequestCreated:
    """Commit the request, then e-mail its link (the mailer opens its own transactions, and
    a link must never go out for a request that was not saved); the answer carries the link."""
    status = service.status_of(session, request, today)
    sent = service.emails_sent(session, [request.id])[request.id]
    session.commit()
    if status in service.LIVE:
        outcome = send_request_email(request_id=request.id)
        key = service.current_link_email(request)
        sent = {**sent, key: sent.get(key, 0) + int(outcome.sent)}
    read = service.request_read(request, status, sent, with_link=True)
    return RequestCreated(request=read)


def _request_reads(session: Session, found: list[tuple[EvidenceRequest, str]]) -> list:
    sent = service.emails_sent(session, [r.id for r, _ in found])
    return [service.request_read(r, status, sent[r.id]) for r, status in found]


def _submission_read(submission: EvidenceSubmission) -> SubmissionRead:
    document = DocumentRead(
        name=submission.document_name,
        size=submission.document_size,
        sha256=submission.document_sha256,
    )
    return SubmissionRead(**submission.model_dump(), document=document)


@router.post(
    "/vendors/{vendor_id}/requests",
    response_model=RequestCreated,
    status_code=201,
    responses=WRITE_ERRORS,
)
def create_request(
    vendor_id: VendorId,
    data: Annotated[RequestCreate, Body()],
    session: SessionDep,
    principal: Analyst,
    today: Today,
) -> RequestCreated:
    """Ask the vendor for evidence: the answer carries the portal link, shown this once; it is
    e-mailed to `contact_email` when SMTP is configured (`link_emailed` says whether)."""
    request = service.create_request(
        session=session,
        vendor_id=vendor_id,
        data=data,
        actor=principal.name,
        today=today,
        now=clock.utc_now(),
    )
    return _emailed(session, request, today)


@router.get(
    "/vendors/{vendor_id}/requests", response_model=list[RequestRead], responses=READ_ERRORS
)
def list_vendor_requests(
    vendor_id: VendorId, session: SessionDep, _: Reader, today: Today
) -> list[RequestRead]:
    """The vendor's requests with their status today, newest first (no links)."""
    found = service.find_requests(session=session, today=today, vendor_id=vendor_id)
    return _request_reads(session, found)


@router.get("/requests", response_model=list[RequestRead], responses=READ_ERRORS)
def list_requests(
    session: SessionDep,
    _: Reader,
    today: Today,
    status: Annotated[
        RequestStatus | None, Query(description="Only requests in this status")
    ] = None,
) -> list[RequestRead]:
    """Every vendor's requests with their status today, newest first (no links)."""
    found = service.find_requests(session=session, today=today, status=status)
    return _request_reads(session, found)


@router.post("/requests/{request_id}/cancel", response_model=RequestRead, responses=WRITE_ERRORS)
def cancel_request(
    request_id: RequestId,
    session: SessionDep,
    principal: Analyst,
    today: Today,
    data: Annotated[Cancellation | None, Body()] = None,
) -> RequestRead:
    """Withdraw a request: its link answers 410 and its pending submissions are rejected with
    the reason. 409 when it is cancelled already or closed."""
    request = service.cancel_request(
        session=session,
        request_id=request_id,
        reason=(data or Cancellation()).reason,
        actor=principal.name,
        now=clock.utc_now(),
        today=today,
    )
    return _request_reads(session, [(request, "cancelled")])[0]


@router.post(
    "/requests/{request_id}/link",
    response_model=RequestCreated,
    status_code=201,
    responses=WRITE_ERRORS,
)
def replace_link(
    request_id: RequestId, session: SessionDep, principal: Analyst, today: Today
) -> RequestCreated:
    """A new portal link (e.g. the old one was forwarded too widely): the old link answers 410
    from now on. While the request is open or submitted the new link is e-mailed to its
    contact (when SMTP is configured; `link_emailed` says whether). 409 when cancelled."""
    request = service.rotate_link(
        session=session, request_id=request_id, actor=principal.name, today=today
    )
    return _emailed(session, request, today)


@router.get(
    "/requests/{request_id}/submissions",
    response_model=list[SubmissionRead],
    responses=READ_ERRORS,
)
def list_request_submissions(
    request_id: RequestId, session: SessionDep, _: Reader
) -> list[SubmissionRead]:
    """What the vendor handed in for the request, oldest first, reviewed ones included."""
    found = service.find_submissions(session=session, request_id=request_id)
    return [_submission_read(s) for s in found]


@router.get("/submissions", response_model=list[SubmissionRead], responses=READ_ERRORS)
def list_submissions(
    session: SessionDep,
    _: Reader,
    status: Annotated[
        SubmissionStatus | None, Query(description="Only submissions in this status")
    ] = None,
) -> list[SubmissionRead]:
    """Every vendor's submissions, oldest first; `status=pending`: those awaiting review."""
    return [_submission_read(s) for s in service.find_submissions(session=session, status=status)]


@router.get(
    "/submissions/{submission_id}/document",
    response_class=FileResponse,
    responses={**READ_ERRORS, **PDF_ANSWER},
)
def download_submission_document(
    submission_id: SubmissionId, session: SessionDep, _: Reader
) -> FileResponse:
    """The PDF the vendor handed in, as an attachment under its (sanitised) name."""
    stored, name = service.submission_document(session=session, submission_id=submission_id)
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": content_disposition(name)}
    return FileResponse(stored.path, media_type="application/pdf", headers=headers)


def _evidence_input(submission: EvidenceSubmission, data: Acceptance) -> EvidenceCreate:
    """The evidence record the submission becomes, validated as POST /vendors/{id}/evidence
    validates it; a refusal names the field where the body sent it (or would have)."""
    values = service.acceptance_input(submission, data)
    try:
        return EVIDENCE_INPUT.validate_python(values)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([_located(e, submission.kind) for e in errors]) from None


def _located(error: Any, kind: str) -> dict:
    """A field error of the evidence schema, located in the acceptance's body."""
    loc = list(error["loc"])
    if loc[:1] == [kind]:
        loc = loc[1:]  # the discriminator's tag leads the location
    where = ["body"] if loc and loc[0] in JUDGED else ["body", "fields"]
    return {**error, "loc": [*where, *loc]}


@router.post(
    "/submissions/{submission_id}/accept",
    response_model=EvidenceCreated,
    status_code=201,
    responses=WRITE_ERRORS,
)
def accept_submission(
    submission_id: SubmissionId,
    data: Annotated[Acceptance, Body()],
    session: SessionDep,
    principal: Analyst,
    today: Today,
) -> EvidenceCreated:
    """Make the submission an evidence record (received the day it was handed in, its PDF
    attached), with the analyst's corrections and scope judgement; the vendor is re-evaluated.
    A bridge letter needs the SOC 2 report it bridges (`soc2_report_id`). 409 once reviewed."""
    submission = service.reviewable(session=session, submission_id=submission_id)
    evidence, assessment = service.accept(
        session=session,
        submission_id=submission_id,
        data=_evidence_input(submission, data),
        actor=principal.name,
        today=today,
        now=clock.utc_now(),
    )
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    return EvidenceCreated(
        evidence=EvidenceRead.model_validate(evidence),
        status=stored_status(vendor, as_of=today),
    )


@router.post(
    "/submissions/{submission_id}/reject", response_model=SubmissionRead, responses=WRITE_ERRORS
)
def reject_submission(
    submission_id: SubmissionId, data: Rejection, session: SessionDep, principal: Analyst
) -> SubmissionRead:
    """Turn the submission down; the portal shows the vendor the reason. 409 once reviewed."""
    submission = service.reject(
        session=session,
        submission_id=submission_id,
        reason=data.reason,
        actor=principal.name,
        now=clock.utc_now(),
    )
    return _submission_read(submission)
