"""Evidence requests and submissions (SPEC §11): ask, hand in, accept or reject, cancel.

Services flush and never commit; `today` and `now` are passed in. A request's status is
derived, never stored, so a link is expired the day after `expires_on` whether or not any
daily pass has run.
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from app.audit.service import change, create, record, snapshot
from app.documents.service import attach_document
from app.documents.storage import StoredFile, stored_file
from app.errors import Conflict, Gone, Invalid, NotFound
from app.evidence.dates import check_document_dates
from app.evidence.kinds import KINDS, SCOPE_KINDS
from app.evidence.schemas import EvidenceCreate
from app.evidence.service import create_evidence
from app.models import Evidence, EvidenceRequest, EvidenceSubmission, RequestEmail
from app.records import get_request, get_submission, get_vendor, open_vendor
from app.rules.engine import Assessment

from . import links
from .schemas import (
    DUE_GRACE_DAYS,
    LINK_DAYS,
    NOT_THE_VENDORS,
    Acceptance,
    RequestCreate,
    RequestRead,
)

LIVE = ("open", "submitted")  # the statuses in which the portal takes submissions
EMAIL = re.compile(r"[^@\s:]+@[^@\s:]+\.[^@\s:]+")  # a web user's name: their address
SECRET_COLUMNS = {"link_nonce", "retired_nonces"}  # never in the audit log
AUDITED_COLUMNS = set(EvidenceRequest.model_fields) - SECRET_COLUMNS
PORTAL_ACTOR = "vendor via portal (request {id})"


def request_status(
    request: EvidenceRequest, submissions: Iterable[EvidenceSubmission], today: date
) -> str:
    """The request's status, in SPEC §11's order: cancelled, closed, expired, submitted, open."""
    if request.cancelled_at is not None:
        return "cancelled"
    by_kind: dict[str, set[str]] = {kind: set() for kind in request.kinds}
    for s in submissions:
        by_kind.setdefault(s.kind, set()).add(s.status)
    if all("accepted" in by_kind[kind] for kind in request.kinds):
        return "closed"
    if today > request.expires_on:
        return "expired"
    if all(by_kind[kind] & {"accepted", "pending"} for kind in request.kinds):
        return "submitted"
    return "open"


def submissions_of(session: Session, request_ids: Sequence[int]) -> dict[int, list]:
    """Each request's submissions, oldest first."""
    found: dict[int, list[EvidenceSubmission]] = {i: [] for i in request_ids}
    if not request_ids:
        return found
    query = select(EvidenceSubmission).where(col(EvidenceSubmission.request_id).in_(request_ids))
    for s in session.exec(query.order_by(col(EvidenceSubmission.id))):
        found[s.request_id].append(s)
    return found


def status_of(session: Session, request: EvidenceRequest, today: date) -> str:
    """One request's status today."""
    return request_status(request, submissions_of(session, [request.id])[request.id], today)


def _audited(request: EvidenceRequest) -> dict:
    return snapshot(request, AUDITED_COLUMNS)


def default_expiry(due_on: date, today: date) -> date:
    """The link's default end: 30 days after the due date, at most 90 days from today."""
    return min(due_on + timedelta(days=DUE_GRACE_DAYS), today + timedelta(days=LINK_DAYS))


def create_request(
    *, session: Session, vendor_id: int, data: RequestCreate, actor: str, today: date, now: datetime
) -> EvidenceRequest:
    """Ask a vendor for evidence; the link is made now (e-mailing it is app/portal/mail.py's).
    409 while the vendor is archived."""
    open_vendor(session=session, vendor_id=vendor_id)
    last_day = today + timedelta(days=LINK_DAYS)
    if data.due_on < today:
        raise Invalid("due_on", f"must be today ({today.isoformat()}) or later")
    if data.due_on > last_day:
        raise Invalid("due_on", f"must be within {LINK_DAYS} days ({last_day}): links end then")
    expires_on = data.expires_on or default_expiry(data.due_on, today)
    if expires_on > last_day:
        raise Invalid("expires_on", f"must be within {LINK_DAYS} days of today ({last_day})")
    request = EvidenceRequest(
        vendor_id=vendor_id,
        kinds=list(data.kinds),
        contact_email=data.contact_email,
        message=data.message,
        due_on=data.due_on,
        expires_on=expires_on,
        link_nonce=links.new_nonce(),
        created_at=now,
        created_by=actor,
    )
    session.add(request)
    session.flush()
    record(session=session, actor=actor, action="create", row=request, after=_audited(request))
    return request


def cancel_request(
    *, session: Session, request_id: int, reason: str, actor: str, now: datetime, today: date
) -> EvidenceRequest:
    """Withdraw a request: its link answers 410 and its pending submissions are rejected."""
    request = get_request(session=session, request_id=request_id, for_update=True)
    status = status_of(session, request, today)
    if status in ("cancelled", "closed"):
        raise Conflict(f"request {request_id} is {status}: there is nothing to cancel")
    cancel = {"cancelled_at": now, "cancelled_by": actor, "cancel_reason": reason or None}
    change(
        session=session,
        row=request,
        changes=cancel,
        actor=actor,
        action="cancel",
        columns=AUDITED_COLUMNS,
    )
    why = "the request was cancelled" + (f": {reason}" if reason else "")
    for submission in _pending(session, request.id):
        _review(session, submission, "rejected", why, actor, now)
    return request


def cancel_for_vendor(
    *, session: Session, vendor_id: int, reason: str, actor: str, now: datetime, today: date
) -> int:
    """Cancel every request of a vendor that is not over (archiving does); how many."""
    query = select(EvidenceRequest).where(
        EvidenceRequest.vendor_id == vendor_id, col(EvidenceRequest.cancelled_at).is_(None)
    )
    cancelled = 0
    for request in session.exec(query).all():
        if status_of(session, request, today) != "closed":
            cancel_request(
                session=session,
                request_id=request.id,
                reason=reason,
                actor=actor,
                now=now,
                today=today,
            )
            cancelled += 1
    return cancelled


def rotate_link(*, session: Session, request_id: int, actor: str, today: date) -> EvidenceRequest:
    """A new link for the request; the old one then answers 410."""
    request = get_request(session=session, request_id=request_id, for_update=True)
    status = status_of(session, request, today)
    if status == "cancelled":
        raise Conflict(f"request {request_id} is cancelled: it has no link to replace")
    request.retired_nonces = [*request.retired_nonces, request.link_nonce]
    request.link_nonce = links.new_nonce()
    session.add(request)
    session.flush()
    record(session=session, actor=actor, action="new_link", row=request, after=_audited(request))
    return request


def open_link(*, session: Session, token: str, today: date) -> EvidenceRequest:
    """The request a portal token opens: NotFound for an unknown one, Gone for a replaced,
    cancelled or expired one. The errors never repeat the token, and every token costs the same
    reads and comparisons, so a 404 and a 410 take the same time."""
    request_id = links.request_id_of(token) or 0
    request = session.get(EvidenceRequest, request_id) if request_id else None
    handed_in = submissions_of(session, [request_id])[request_id]
    state = links.link_state(token, request)
    if state is links.LinkState.NONE or request is None:
        raise NotFound("there is no such link")
    if state is links.LinkState.RETIRED:
        raise Gone("this link has been replaced by a newer one")
    status = request_status(request, handed_in, today)
    if status in ("cancelled", "expired"):
        raise Gone(f"this request is {status}")
    return request


def _pending(session: Session, request_id: int, kind: str | None = None) -> list:
    query = select(EvidenceSubmission).where(
        EvidenceSubmission.request_id == request_id, EvidenceSubmission.status == "pending"
    )
    if kind is not None:
        query = query.where(EvidenceSubmission.kind == kind)
    return list(session.exec(query))


def _review(
    session: Session,
    submission: EvidenceSubmission,
    status: str,
    notes: str | None,
    actor: str,
    now: datetime,
    **more: Any,
) -> None:
    changes = {"status": status, "reviewed_at": now, "reviewed_by": actor, "review_notes": notes}
    change(session=session, row=submission, changes=changes | more, actor=actor, action=status)


def check_submission(kind: str, data: BaseModel, today: date) -> dict[str, Any]:
    """The fields of a validated submission, once its dates are possible on the day it
    arrives (the same checks as evidence logged that day)."""
    if kind != "bridge_letter":
        check_document_dates(data=data, received_on=today, today=today)  # type: ignore[arg-type]
    else:
        for field, why in KINDS[kind].not_after_receipt:
            if getattr(data, field) > today:
                raise Invalid(field, f"must not be after today ({today.isoformat()}): {why}")
    return data.model_dump(mode="json", exclude={"kind", *NOT_THE_VENDORS})


def submit(
    *,
    session: Session,
    request: EvidenceRequest,
    kind: str,
    fields: dict[str, Any],
    document: StoredFile,
    document_name: str,
    today: date,
    now: datetime,
) -> EvidenceSubmission:
    """Take what the vendor handed in for one kind (fields already validated by
    `check_submission`): it replaces that kind's pending submission. Not evidence yet."""
    status = status_of(session, request, today)
    if status not in LIVE:
        raise Gone(f"this request is {status}: it takes no more documents")
    if kind not in request.kinds:
        raise Invalid("kind", "this request does not ask for that kind of document")
    actor = PORTAL_ACTOR.format(id=request.id)
    for earlier in _pending(session, request.id, kind):
        _review(session, earlier, "superseded", "a newer submission replaced it", actor, now)
    submission = EvidenceSubmission(
        request_id=request.id,
        vendor_id=request.vendor_id,
        kind=kind,
        fields=fields,
        document_sha256=document.sha256,
        document_name=document_name,
        document_size=document.size,
        submitted_at=now,
        submitted_on=today,
    )
    create(session=session, row=submission, actor=actor)
    return submission


def acceptance_input(submission: EvidenceSubmission, data: Acceptance) -> dict[str, Any]:
    """The evidence a submission becomes: what the vendor sent, the analyst's corrections, the
    scope judgement and (a bridge letter) the report; received the day it was handed in."""
    if "received_on" in data.fields:
        raise Invalid("received_on", "is the day the vendor handed the document in")
    sent = {k: v for k, v in submission.fields.items() if k != "report_named"}
    values = {**sent, **data.fields, "kind": submission.kind}
    values["received_on"] = submission.submitted_on.isoformat()
    if submission.kind in SCOPE_KINDS:
        values["scope_covers_services"] = data.scope_covers_services
    if submission.kind == "bridge_letter":
        values["soc2_report_id"] = data.soc2_report_id
    return values


def reviewable(*, session: Session, submission_id: int) -> EvidenceSubmission:
    """A pending submission, locked for its review: 409 once reviewed."""
    submission = get_submission(session=session, submission_id=submission_id, for_update=True)
    if submission.status != "pending":
        raise Conflict(f"submission {submission_id} is {submission.status}: it was reviewed")
    return submission


def accept(
    *,
    session: Session,
    submission_id: int,
    data: EvidenceCreate,
    actor: str,
    today: date,
    now: datetime,
) -> tuple[Evidence, Assessment]:
    """Make the submission evidence, as the evidence form would, with its PDF attached; the
    vendor is re-evaluated. Once only."""
    submission = reviewable(session=session, submission_id=submission_id)
    if data.kind != submission.kind:
        raise Invalid("kind", f"the submission is a {KINDS[submission.kind].label}")
    if data.received_on != submission.submitted_on:
        raise Invalid("received_on", "is the day the vendor handed the document in")
    evidence, assessment = create_evidence(
        session=session, vendor_id=submission.vendor_id, data=data, actor=actor, today=today
    )
    stored = stored_file(submission.document_sha256)
    if stored is None:
        raise Conflict(f"the PDF of submission {submission_id} is missing from the store")
    attach_document(
        session=session,
        evidence_id=evidence.id,
        stored=stored,
        filename=submission.document_name,
        actor=actor,
    )
    _review(session, submission, "accepted", None, actor, now, evidence_id=evidence.id)
    return evidence, assessment


def reject(
    *, session: Session, submission_id: int, reason: str, actor: str, now: datetime
) -> EvidenceSubmission:
    """Turn a submission down, saying why (the portal shows the vendor)."""
    submission = reviewable(session=session, submission_id=submission_id)
    _review(session, submission, "rejected", reason, actor, now)
    return submission


def find_requests(
    *, session: Session, today: date, vendor_id: int | None = None, status: str | None = None
) -> list[tuple[EvidenceRequest, str]]:
    """Requests (of one vendor, or all) with their status, newest first; `status` filters."""
    query = select(EvidenceRequest)
    if vendor_id is not None:
        get_vendor(session=session, vendor_id=vendor_id)
        query = query.where(EvidenceRequest.vendor_id == vendor_id)
    requests = list(session.exec(query.order_by(col(EvidenceRequest.id).desc())))
    handed_in = submissions_of(session, [r.id for r in requests])
    found = [(r, request_status(r, handed_in[r.id], today)) for r in requests]
    return [(r, s) for r, s in found if status is None or s == status]


def find_submissions(
    *,
    session: Session,
    request_id: int | None = None,
    status: str | None = None,
    vendor_id: int | None = None,
) -> list[EvidenceSubmission]:
    """Submissions of one request, one vendor or all, oldest first; `status` filters."""
    query = select(EvidenceSubmission)
    if request_id is not None:
        get_request(session=session, request_id=request_id)
        query = query.where(EvidenceSubmission.request_id == request_id)
    if vendor_id is not None:
        query = query.where(EvidenceSubmission.vendor_id == vendor_id)
    if status is not None:
        query = query.where(EvidenceSubmission.status == status)
    return list(session.exec(query.order_by(col(EvidenceSubmission.id))))


def pending_count(session: Session) -> int:
    """Submissions waiting for an analyst (the dashboard's "Submissions to review")."""
    query = select(func.count()).where(EvidenceSubmission.status == "pending")
    return session.exec(query).one()


def emails_sent(session: Session, request_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """How many e-mails of each kind went out, per request: "reminder", and the links'
    e-mails — "request" (the first link) and "link-N" (the N-th replacement)."""
    counts: dict[int, dict[str, int]] = {i: {"request": 0, "reminder": 0} for i in request_ids}
    if not request_ids:
        return counts
    query = (
        select(RequestEmail.request_id, RequestEmail.what, func.count())
        .where(col(RequestEmail.request_id).in_(request_ids), col(RequestEmail.sent_at).isnot(None))
        .group_by(RequestEmail.request_id, RequestEmail.what)
    )
    for request_id, what, n in session.exec(query):
        counts[request_id][what] = n
    return counts


def submission_document(*, session: Session, submission_id: int) -> tuple[StoredFile, str]:
    """The PDF handed in with a submission and its name; NotFound when the store lost it."""
    submission = get_submission(session=session, submission_id=submission_id)
    stored = stored_file(submission.document_sha256)
    if stored is None:
        raise NotFound(f"the PDF of submission {submission_id} is missing from the store")
    return stored, submission.document_name


def asked_by(request: EvidenceRequest) -> str | None:
    """Whom the vendor can write to about the request: the analyst who made it, when they made
    it as a web user (an e-mail address); None for an API token, the CLI or the demo data,
    whose names mean nothing to a vendor."""
    name = request.created_by
    return name if EMAIL.fullmatch(name) else None


def current_link_email(request: EvidenceRequest) -> str:
    """What the e-mail of the request's current link is recorded as (see app/portal/mail.py)."""
    replaced = len(request.retired_nonces)
    return f"link-{replaced}" if replaced else "request"


def request_read(
    request: EvidenceRequest, status: str, sent: dict[str, int], *, with_link: bool = False
) -> RequestRead:
    """The request as the API shows it (`sent`: e-mails out by kind, from `emails_sent`)."""
    return RequestRead(
        **request.model_dump(exclude=SECRET_COLUMNS),
        status=status,
        reminders_sent=sent.get("reminder", 0),
        link_emailed=sent.get(current_link_email(request), 0) > 0,
        portal_url=links.portal_url(request) if with_link else None,
    )
