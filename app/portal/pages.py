"""The vendor portal (SPEC §11): the pages a vendor's contact opens with the link alone.

`GET /portal/{token}` shows the request and a form per kind asked; posting a form hands the
document in (303 back to the page, which says it was received); "Read the PDF" fills a
form in from the PDF. Every post is counted against the link's and the address's rate limit,
and carries the link's CSRF token. An unknown link answers 404, a replaced, cancelled or
expired one 410, both from the same template after the same work; no page, error or log line
repeats the token.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import clock
from app.auth.client import client_address
from app.db import SessionDep
from app.deps import Today
from app.documents.service import extract_proposals
from app.documents.web_uploads import KeptDocument, Posted, keep_document, refusal_message
from app.errors import DomainError, Gone, Invalid, NotFound, TooMany
from app.evidence.kinds import KINDS
from app.evidence.prefill_web import fill
from app.evidence.web import schema_input
from app.models import EvidenceRequest
from app.web.forms import FORM_ERROR, FormState, submit, tidy
from app.web.templating import see_other

from . import links, service, throttle
from .schemas import NOT_THE_VENDORS, submission_schema
from .uploads import DOCUMENT_FIELD, carried, kept, portal_form, refusal_field
from .view import (
    CLOSED,
    PAGE,
    KindForm,
    PageState,
    form_inputs,
    list_inputs,
    page_context,
    portal_render,
    starting_form,
)

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=200)]
NOT_ASKED = "This request does not ask for that kind of document."
ATTACH = "Attach the PDF of the document."
CHOOSE = "Choose the PDF to read."
BY_HAND = "This document is filled in by hand: there is nothing to read it with."
NO_SUCH_LINK = "This link does not open anything. Check that the whole link was copied."
FORBIDDEN = (
    "The form was not accepted: it was not sent from this page, or the link has changed "
    "since the page was opened. Open the link from the e-mail again and send the form once more."
)


@dataclass
class Visit:
    """A request to a portal link, on a day."""

    request: Request
    token: Token
    session: SessionDep
    today: Today

    def open(self) -> EvidenceRequest:
        """The request the link opens (NotFound, Gone)."""
        return service.open_link(session=self.session, token=self.token, today=self.today)

    def closed(self, exc: DomainError) -> Response:
        """The page saying the link opens nothing (404), or no longer (410), and whom to ask."""
        contact = None
        if isinstance(exc, Gone):  # a genuine link: its request is in the session already
            ask = self.session.get(EvidenceRequest, links.request_id_of(self.token))
            contact = service.asked_by(ask) if ask is not None else None
        message = tidy(str(exc.detail)) if isinstance(exc, Gone) else NO_SUCH_LINK
        context = {"status": exc.status_code, "message": message, "contact": contact}
        return portal_render(self.request, CLOSED, context, exc.status_code)

    def refused(self, status: int, message: str, retry_after: int | None = None) -> Response:
        """A post refused as a whole (403, 429), saying why, without the page or its data."""
        context = {"status": status, "message": message, "contact": None}
        response = portal_render(self.request, CLOSED, context, status)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    def page(self, ask: EvidenceRequest, state: PageState, status: int = 200) -> Response:
        """The portal page; with an error status, whatever the post wrote is discarded."""
        if status >= 400:
            self.session.rollback()
        context = page_context(session=self.session, ask=ask, today=self.today, state=state)
        return portal_render(self.request, PAGE, context, status)

    def admit(self) -> EvidenceRequest | Response:
        """The request a post may go to, its post counted (and committed, whatever comes of
        it); or the answer that refuses it: 404, 410, 429."""
        try:
            ask = self.open()
            client = client_address(self.request)
            throttle.note_post(
                session=self.session, request_id=ask.id, client=client, now=clock.utc_now()
            )
        except (NotFound, Gone) as exc:
            return self.closed(exc)
        except TooMany as exc:
            self.session.rollback()
            return self.refused(429, str(exc.detail), exc.retry_after)
        self.session.commit()  # the count stands; the PDF is stored outside any transaction
        return ask


AVisit = Annotated[Visit, Depends()]


@router.get("/portal/{token}")
def portal_page(visit: AVisit, received: str | None = None):
    """The organisation's request, what was received, and a form for each kind asked."""
    try:
        ask = visit.open()
    except (NotFound, Gone) as exc:
        return visit.closed(exc)
    notice = None
    if received in ask.kinds:
        notice = f"Received: your {KINDS[received].label}. Thank you."
    return visit.page(ask, PageState(notice=notice))


@router.post("/portal/{token}/submissions")
async def hand_in(visit: AVisit):
    """Hand in one kind's document and fields; 303 back to the page."""
    admitted = await run_in_threadpool(visit.admit)
    if isinstance(admitted, Response):
        return admitted
    async with portal_form(visit.request) as posted:
        return await run_in_threadpool(_hand_in, visit, admitted, posted)


@router.post("/portal/{token}/extract")
async def read_pdf(visit: AVisit):
    """One kind's form filled in from the PDF sent (read with the bounded reader); the PDF is
    kept for the form, which carries it. Hands nothing in."""
    admitted = await run_in_threadpool(visit.admit)
    if isinstance(admitted, Response):
        return admitted
    async with portal_form(visit.request) as posted:
        return await run_in_threadpool(_read_pdf, visit, admitted, posted)


def _kind_posted(visit: Visit, ask: EvidenceRequest, posted: Posted) -> str | Response:
    """The kind the form is for, once its CSRF token is this link's; or the refusal."""
    if not links.csrf_ok(ask, posted.data.get("csrf_token")):
        return visit.refused(403, FORBIDDEN)
    kind = posted.data.get("kind")
    if not isinstance(kind, str) or kind not in ask.kinds:
        return visit.page(ask, PageState(problem=NOT_ASKED), 422)
    return kind


def _read_form(posted: Posted, kind: str) -> FormState:
    """The kind's fields as typed; a field the vendor does not set, sent, is an error."""
    form = FormState.read(posted.data, form_inputs(kind), lists=list_inputs(kind))
    for name in NOT_THE_VENDORS:
        if name in posted.data:
            form.add(FORM_ERROR, f"The field {name} is not yours to set: leave it out.")
    return form


def _document(visit: Visit, ask: EvidenceRequest, posted: Posted) -> KeptDocument | None:
    """The PDF sent with the form (stored now), or the one its handle carries."""
    if posted.refusal is not None:
        return None
    try:
        return keep_document(posted) or carried(
            session=visit.session, posted=posted, ask=ask, now=clock.utc_now()
        )
    except Invalid as exc:
        posted.refusal = exc
        return None


def _hand_in(visit: Visit, ask: EvidenceRequest, posted: Posted) -> Response:
    kind = _kind_posted(visit, ask, posted)
    if isinstance(kind, Response):
        return kind
    form, document = _read_form(posted, kind), _document(visit, ask, posted)
    data = schema_input(form, kind)
    today, schema = visit.today, submission_schema(kind)
    fields = None
    if form.ok:
        fields = submit(form, schema, data, lambda d: service.check_submission(kind, d, today))
    if fields is None or document is None:
        return _not_taken(visit, ask, kind, form, document, posted)
    try:
        service.submit(
            session=visit.session,
            request=ask,
            kind=kind,
            fields=fields,
            document=document.stored,
            document_name=document.name,
            today=today,
            now=clock.utc_now(),
        )
    except Gone as exc:  # closed: every kind was accepted meanwhile
        visit.session.rollback()
        kept(session=visit.session, document=document, ask=ask, now=clock.utc_now())  # swept
        return visit.page(ask, PageState(problem=tidy(str(exc.detail))), exc.status_code)
    return see_other(f"/portal/{visit.token}?received={kind}")


def _not_taken(
    visit: Visit,
    ask: EvidenceRequest,
    kind: str,
    form: FormState,
    document: KeptDocument | None,
    posted: Posted,
) -> Response:
    """The page again with the kind's form as typed and each error beside its field; the PDF
    sent kept, so that it need not be sent again."""
    status = 422
    if posted.refusal is not None:
        form.errors[refusal_field(posted)] = refusal_message(posted.refusal)
        status = posted.refusal.status_code
    elif document is None:
        form.errors[DOCUMENT_FIELD] = ATTACH
    visit.session.rollback()
    document = kept(session=visit.session, document=document, ask=ask, now=clock.utc_now())
    state = PageState(forms={kind: KindForm(form, document)})
    return visit.page(ask, state, status)


def _typed_over_defaults(form: FormState, kind: str) -> FormState:
    """The kind's defaults, with what was typed over them (the PDF's values go over both)."""
    typed = {k: v for k, v in form.values.items() if v not in ("", [])}
    started = starting_form(kind)
    started.values.update(typed)
    started.errors = form.errors
    return started


def _to_read(visit: Visit, ask: EvidenceRequest, posted: Posted) -> KeptDocument | None:
    """The stored PDF a handle names, or None when a PDF was sent; why there is nothing to
    read as an exception (a refused upload, a stale handle, no file)."""
    if posted.refusal is not None:
        raise posted.refusal
    if posted.file is not None:
        return None
    source = carried(session=visit.session, posted=posted, ask=ask, now=clock.utc_now())
    if source is None:
        raise Invalid(DOCUMENT_FIELD, CHOOSE)
    return source


def _read_pdf(visit: Visit, ask: EvidenceRequest, posted: Posted) -> Response:
    kind = _kind_posted(visit, ask, posted)
    if isinstance(kind, Response):
        return kind
    form = FormState.read(posted.data, form_inputs(kind), lists=list_inputs(kind))
    schema_input(form, kind)  # the subservice rows as typed
    form = _typed_over_defaults(form, kind)
    try:
        if KINDS[kind].read_pdf is None:
            raise Invalid(DOCUMENT_FIELD, BY_HAND)
        source = _to_read(visit, ask, posted)
        visit.session.commit()  # no transaction held while the child reads
        extraction = extract_proposals(source.stored.path if source else posted.file.path)
    except DomainError as exc:  # refused, stale, missing, unreadable, too complex, busy
        form.errors[DOCUMENT_FIELD] = refusal_message(exc)
        return visit.page(ask, PageState(forms={kind: KindForm(form)}), exc.status_code)
    document = source or keep_document(posted)  # stored only once it could be read
    document = kept(session=visit.session, document=document, ask=ask, now=clock.utc_now())
    view = fill(form, kind, extraction, document)
    return visit.page(ask, PageState(forms={kind: KindForm(form, document, view)}))
