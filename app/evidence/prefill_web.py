"""Prefill from PDF: read a report or certificate and show its evidence form filled in, each
value beside the page, the words and the confidence it was read with.

Only the PDF is stored here, once it could be read (content-addressed; the form carries a handle
to it signed for this user, see app/documents/prefill_uploads.py). The values count once the
analyst has checked them and saved the record through the usual form.
"""

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import clock
from app.documents.extract import Extraction, Proposal
from app.documents.pdftext import ReaderBusy, UnreadablePdf
from app.documents.service import extract_proposals
from app.documents.upload import FILE_FIELD
from app.documents.web_uploads import (
    KeptDocument,
    Posted,
    carried_document,
    carry,
    keep_document,
    posted_form,
    refusal_message,
)
from app.errors import DomainError, Invalid
from app.evidence.kinds import KINDS, EvidenceKind
from app.evidence.web import AboutKind, KindRequest, starting_form
from app.models import Vendor
from app.web.forms import FormState

router = APIRouter(include_in_schema=False)
CHOOSE_A_PDF = "Choose the PDF to read."


@dataclass(frozen=True)
class PrefillView:
    """What reading the PDF gave: how many fields it filled, or why it filled none."""

    kind_here: str  # the form's kind
    filename: str = ""
    pages: int = 0
    filled: int = 0
    kind: Proposal | None = None  # what the PDF reads as, and where it says so
    message: str | None = None  # no text found, or not a report or certificate
    other_kind: str | None = None  # the form the PDF belongs on, when not this one
    error: str | None = None  # why the PDF could not be read

    @staticmethod
    def words(kind: str | None) -> str:
        """`a SOC 2 report`, `an ISO/IEC 27001 certificate`."""
        known = KINDS.get(kind or "")
        return known.words if known else "another kind of document"


def _put(form: FormState, spec: EvidenceKind, name: str, proposal: Proposal) -> None:
    """Fill one field of the form with a proposed value (fields the form lacks are skipped)."""
    if name not in spec.fields:
        return
    value = proposal.value
    if name == "subservice_orgs":
        form.values[name] = [dict(org) for org in value]
    elif name == "cuecs":
        form.values[name] = "on" if value else ""
    elif name == "tsc":
        form.values[name] = sorted({"security", *value})
    else:
        form.values[name] = proposal.form_value
    form.found[name] = proposal


def fill(form: FormState, kind: str, extraction: Extraction, document: KeptDocument) -> PrefillView:
    """Put the extraction's values into `form` when the PDF is of the form's kind."""
    proposed = extraction.fields.get("kind")
    other = proposed.value if proposed and proposed.value != kind else None
    if other is None:
        for name, proposal in extraction.fields.items():
            _put(form, KINDS[kind], name, proposal)
    return PrefillView(
        kind_here=kind,
        filename=document.name,
        pages=extraction.pages,
        filled=len(form.found),
        kind=proposed,
        message=extraction.message,
        other_kind=other,
    )


@router.post("/vendors/{vendor_id}/evidence/{kind}/prefill")
async def prefill_evidence(ask: AboutKind):
    """The evidence form filled in from the PDF sent (or from the stored PDF the hidden handle
    names, when another form passes it on). Saves nothing but the PDF, kept for a day."""
    async with posted_form(ask.request) as posted:
        return await run_in_threadpool(_prefill, ask, posted)


def _prefill(ask: KindRequest, posted: Posted) -> Response:
    vendor, form = ask.vendor(), starting_form(ask.kind, ask.today)
    try:
        source = _pdf_to_read(ask, posted)
    except DomainError as exc:  # a refused upload, a stale handle, no file at all
        return _unread(ask, vendor, form, refusal_message(exc), exc.status_code)
    ask.session.commit()  # end the transaction (SQLite's write lock) before the slow work below
    try:
        extraction = extract_proposals(source.stored.path if source else posted.file.path)
    except (UnreadablePdf, ReaderBusy) as exc:
        return _unread(ask, vendor, form, refusal_message(exc), exc.status_code)
    document = source or keep_document(posted)  # stored only once it could be read
    now = clock.utc_now()
    document = carry(session=ask.session, document=document, owner=ask.principal.name, now=now)
    view = fill(form, ask.kind, extraction, document)
    return ask.page(vendor, form, document=document, prefill=view)


def _pdf_to_read(ask: KindRequest, posted: Posted) -> KeptDocument | None:
    """The stored PDF the hidden handle names, or None when a PDF was sent; the reason
    there is nothing to read as an exception (a refused upload, a stale handle, no file)."""
    if posted.refusal is not None:
        raise posted.refusal
    if posted.file is not None:
        return None
    owner, now = ask.principal.name, clock.utc_now()
    carried = carried_document(session=ask.session, posted=posted, owner=owner, now=now)
    if carried is None:
        raise Invalid(FILE_FIELD, CHOOSE_A_PDF)
    return carried


def _unread(ask: KindRequest, vendor: Vendor, form: FormState, error: str, status: int) -> Response:
    """The empty form again, with why the PDF was not read beside the PDF field."""
    view = PrefillView(kind_here=ask.kind, error=error)
    return ask.page(vendor, form, status=status, prefill=view)
