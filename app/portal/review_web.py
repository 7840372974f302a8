"""The analysts' pages for evidence requests: ask, follow, review what came in."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from sqlmodel import Session
from starlette.responses import Response

from app import clock
from app.api_common import RequestId, SubmissionId, VendorId
from app.auth.roles import Role, allows
from app.db import SessionDep
from app.deps import Today
from app.documents.api import DOWNLOAD_HEADERS
from app.documents.service import content_disposition
from app.evidence.kinds import KINDS
from app.evidence.web import form_context
from app.models import EvidenceRequest, EvidenceSubmission, Vendor
from app.records import get_request, get_submission, get_vendor
from app.web import labels
from app.web.deps import CsrfForm, WebAnalyst, WebUser
from app.web.forms import FormState, submit
from app.web.respond import archived_refusal, invalid, saved, status_words
from app.web.templating import render

from . import links, mail, service
from .review_views import (
    acceptance_fields,
    corrections,
    pending_submissions,
    submission_form,
)
from .schemas import Acceptance, Cancellation, Rejection, RequestCreate

router = APIRouter(include_in_schema=False)
NEW_REQUEST = "portal/review/new_request.html"
LINK_ONCE = "portal/review/link_once.html"
CANCEL = "portal/review/cancel.html"
REVIEW = "portal/review/submission.html"
REVIEWED = "portal/review/submission_read.html"
REQUEST_FIELDS = ("kinds", "contact_email", "message", "due_on", "expires_on")
DUE_IN_DAYS = 14  # a new request's due date, by default
RETIRED = " The old link no longer opens."


# --- asking for evidence ------------------------------------------------------------------------


def _request_page(
    request: Request, session: Session, vendor: Vendor, form: FormState, status: int = 200
) -> Response:
    context = {"vendor": vendor, "form": form, "kinds": labels.KIND}
    if status >= 400:
        return invalid(request, session, NEW_REQUEST, context, status)
    return render(request, NEW_REQUEST, context)


@router.get("/vendors/{vendor_id}/requests/new")
def new_request(
    request: Request, vendor_id: VendorId, _: WebAnalyst, session: SessionDep, today: Today
):
    """The form to ask the vendor for evidence through a portal link."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    if refused := archived_refusal(request, vendor, "evidence requests"):
        return refused
    due_on = today + timedelta(days=DUE_IN_DAYS)
    values = {"kinds": [], "contact_email": vendor.security_contact_email or ""}
    form = FormState({**values, "message": "", "due_on": due_on.isoformat(), "expires_on": ""})
    return _request_page(request, session, vendor, form)


@router.post("/vendors/{vendor_id}/requests/new")
def create_request(
    request: Request,
    vendor_id: VendorId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Make the request and its link, then e-mail the link (or show it once to copy)."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    if refused := archived_refusal(request, vendor, "evidence requests"):
        return refused
    form = FormState.read(posted, REQUEST_FIELDS, lists=("kinds",))
    made = submit(
        form,
        RequestCreate,
        form.data(),
        lambda data: service.create_request(
            session=session,
            vendor_id=vendor.id,
            data=data,
            actor=principal.name,
            today=today,
            now=clock.utc_now(),
        ),
    )
    if made is None:
        return _request_page(request, session, vendor, form, 422)
    return _hand_over_link(request, session, vendor, made, today, new=True)


def _hand_over_link(
    request: Request,
    session: Session,
    vendor: Vendor,
    asked: EvidenceRequest,
    today: date,
    *,
    new: bool,
) -> Response:
    """Commit, then e-mail the link: back to the vendor when it went out; otherwise a page
    (200, never a redirect: the link stays out of the session cookie) showing it once."""
    session.commit()  # the mailer opens transactions of its own
    outcome = mail.send_request_email(request_id=asked.id)  # it never raises: an outcome
    if outcome.sent:
        what = f"request #{asked.id}" if new else f"a new link for request #{asked.id}"
        notice = f"E-mailed {what} to {asked.contact_email}." + ("" if new else RETIRED)
        return saved(request, f"/vendors/{vendor.id}", notice)
    context = {"vendor": vendor, "asked": asked, "outcome": outcome, "new": new, "today": today}
    return render(request, LINK_ONCE, {**context, "portal_url": links.portal_url(asked)})


# --- following a request ------------------------------------------------------------------------


@dataclass
class AboutRequest:
    """An analyst's page or form about one evidence request."""

    request: Request
    request_id: RequestId
    principal: WebAnalyst
    session: SessionDep
    today: Today

    def asked(self) -> tuple[EvidenceRequest, Vendor]:
        """The request and its vendor (NotFound: a 404 page)."""
        asked = get_request(session=self.session, request_id=self.request_id)
        return asked, get_vendor(session=self.session, vendor_id=asked.vendor_id)

    def cancel_page(self, form: FormState, status: int = 200) -> Response:
        """The confirmation, with the request it withdraws."""
        asked, vendor = self.asked()
        state = service.status_of(self.session, asked, self.today)
        context = {"asked": asked, "vendor": vendor, "form": form, "state": state}
        context["today"] = self.today
        if status >= 400:
            return invalid(self.request, self.session, CANCEL, context, status)
        return render(self.request, CANCEL, context)


AboutRequestDep = Annotated[AboutRequest, Depends()]


@router.get("/requests/{request_id}/cancel")
def cancel_form(ask: AboutRequestDep):
    """Confirm withdrawing a request, optionally saying why."""
    return ask.cancel_page(FormState({"reason": ""}))


@router.post("/requests/{request_id}/cancel")
def cancel_request(ask: AboutRequestDep, posted: CsrfForm):
    """Withdraw the request: its link answers 410, its pending submissions are rejected."""
    form = FormState.read(posted, ("reason",))
    done = submit(
        form,
        Cancellation,
        form.data(),
        lambda data: service.cancel_request(
            session=ask.session,
            request_id=ask.request_id,
            reason=data.reason,
            actor=ask.principal.name,
            now=clock.utc_now(),
            today=ask.today,
        ),
    )
    if done is None:
        return ask.cancel_page(form, 422)
    notice = f"Cancelled request #{done.id}: its link no longer opens."
    return saved(ask.request, f"/vendors/{done.vendor_id}", notice)


@router.post("/requests/{request_id}/link")
def new_link(ask: AboutRequestDep, _: CsrfForm):
    """Replace the request's link (the old one answers 410), then e-mail it or show it once."""
    actor = ask.principal.name
    service.rotate_link(
        session=ask.session, request_id=ask.request_id, actor=actor, today=ask.today
    )
    asked, vendor = ask.asked()
    return _hand_over_link(ask.request, ask.session, vendor, asked, ask.today, new=False)


# --- reviewing what came in ---------------------------------------------------------------------


@router.get("/submissions")
def submissions_to_review(request: Request, _: WebUser, session: SessionDep, today: Today):
    """Every submission waiting for an analyst, the oldest first."""
    pending = pending_submissions(session=session)
    return render(request, "portal/review/list.html", {"pending": pending, "today": today})


@dataclass
class AboutSubmission:
    """A page or form about one submission, by a logged-in user."""

    request: Request
    submission_id: SubmissionId
    principal: WebUser
    session: SessionDep
    today: Today

    def submission(self) -> EvidenceSubmission:
        """The submission (NotFound: a 404 page)."""
        return get_submission(session=self.session, submission_id=self.submission_id)

    def page(
        self, form: FormState, rejection: FormState, *, status: int = 200, template: str = REVIEW
    ) -> Response:
        """The review: the kind's evidence form holding what the vendor sent, and a form to
        reject it; with an error status, shown again, whatever the attempt wrote discarded."""
        if status >= 400:
            self.session.rollback()
        submission = self.submission()
        vendor = get_vendor(session=self.session, vendor_id=submission.vendor_id)
        context = form_context(session=self.session, vendor=vendor, kind=submission.kind, form=form)
        asked = get_request(session=self.session, request_id=submission.request_id)
        context |= {"submission": submission, "asked": asked, "rejection": rejection}
        context |= {"report_hint": _report_words(submission), "today": self.today}
        return render(self.request, template, context, status_code=status)


def _report_words(submission: EvidenceSubmission) -> str | None:
    named = submission.fields.get("report_named")
    return f"The vendor says it extends: “{named}”." if named else None


AboutSubmissionDep = Annotated[AboutSubmission, Depends()]


@router.get("/submissions/{submission_id}")
def review_submission(ask: AboutSubmissionDep):
    """What the vendor sent, as the evidence form of its kind, to accept or reject."""
    submission = ask.submission()
    if submission.status != "pending" or not allows(ask.principal.role, Role.analyst):
        return ask.page(FormState(), FormState(), template=REVIEWED)
    return ask.page(submission_form(submission), FormState({"reason": ""}))


@router.get("/submissions/{submission_id}/document")
def submission_document(ask: AboutSubmissionDep) -> FileResponse:
    """The PDF the vendor handed in, as an attachment."""
    stored, name = service.submission_document(session=ask.session, submission_id=ask.submission_id)
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": content_disposition(name)}
    return FileResponse(stored.path, media_type="application/pdf", headers=headers)


@router.post("/submissions/{submission_id}/accept")
def accept_submission(ask: AboutSubmissionDep, principal: WebAnalyst, posted: CsrfForm):
    """Make the submission evidence (as corrected, its scope judged), received the day it was
    handed in, with its PDF; the vendor is re-evaluated."""
    submission = service.reviewable(session=ask.session, submission_id=ask.submission_id)
    form = FormState.read(
        posted, acceptance_fields(submission.kind), KINDS[submission.kind].form_lists
    )
    raw = {
        "fields": corrections(form, submission.kind),
        "scope_covers_services": form.value("scope_covers_services") or None,
        "soc2_report_id": form.values.get("soc2_report_id"),  # "" unchosen: required
    }
    accepted = submit(form, Acceptance, raw, _accepting(ask, submission, form, principal.name))
    if accepted is None:
        return ask.page(form, FormState({"reason": ""}), status=422)
    evidence, _ = accepted
    vendor = get_vendor(session=ask.session, vendor_id=evidence.vendor_id)
    notice = f"Accepted the {labels.title_of(evidence)} as evidence #{evidence.id}. "
    return saved(
        ask.request, f"/vendors/{vendor.id}", notice + status_words(vendor.name, vendor.status)
    )


def _accepting(ask: AboutSubmission, submission: EvidenceSubmission, form: FormState, actor: str):
    """The acceptance, once its corrections are read: validated as the kind's evidence form
    validates (errors beside the fields), then made evidence."""

    def action(acceptance: Acceptance):
        values = service.acceptance_input(submission, acceptance)
        return submit(
            form,
            KINDS[submission.kind].schema,
            values,
            lambda data: service.accept(
                session=ask.session,
                submission_id=submission.id,
                data=data,
                actor=actor,
                today=ask.today,
                now=clock.utc_now(),
            ),
        )

    return action


@router.post("/submissions/{submission_id}/reject")
def reject_submission(ask: AboutSubmissionDep, principal: WebAnalyst, posted: CsrfForm):
    """Turn the submission down, saying why: the vendor reads the reason on the portal."""
    service.reviewable(session=ask.session, submission_id=ask.submission_id)  # 409 once reviewed
    rejection = FormState.read(posted, ("reason",))
    done = submit(
        rejection,
        Rejection,
        rejection.data(),
        lambda data: service.reject(
            session=ask.session,
            submission_id=ask.submission_id,
            reason=data.reason,
            actor=principal.name,
            now=clock.utc_now(),
        ),
    )
    if done is None:
        submission = ask.submission()
        return ask.page(submission_form(submission), rejection, status=422)
    kind = labels.label(done.kind, "kind")
    notice = f"Rejected the {kind} handed in for request #{done.request_id}: the vendor sees why."
    return saved(ask.request, f"/vendors/{done.vendor_id}", notice)
