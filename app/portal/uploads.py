"""The portal's multipart forms: the PDF in `document`, read from the stream under the upload
cap (as the analysts' forms are), a refused upload reported beside the file field.

The CSRF check is not made here: it is bound to the link (`links.csrf_ok`), which the page
checks once the form is read. A PDF read by "Read the PDF" (or sent with a form that was
refused) travels with the form by handle, kept for `portal:{request id}`, so that the vendor
need not send it again.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request

from app.documents.upload import FILE_FIELD, ReceivedForm, receive_pdf_form
from app.documents.web_uploads import (
    REFUSALS,
    KeptDocument,
    Posted,
    carried_document,
    carry,
)
from app.errors import Invalid
from app.models import EvidenceRequest

DOCUMENT_FIELD = "document"
GONE = "The PDF read earlier can no longer be sent (it was read over a day ago): choose it again."


def owner_of(request: EvidenceRequest) -> str:
    """Whose PDFs a link's forms carry: the request's, never an analyst's."""
    return f"portal:{request.id}"


def refusal_field(posted: Posted) -> str:
    """The field a refused upload is about: the document, unless a text field was too long."""
    exc = posted.refusal
    if isinstance(exc, Invalid) and exc.field in posted.data and exc.field != FILE_FIELD:
        return exc.field
    return DOCUMENT_FIELD


@asynccontextmanager
async def portal_form(request: Request) -> AsyncIterator[Posted]:
    """The multipart form posted to a portal link, the PDF (if any) staged; an upload refused
    while it arrived is in `refusal`, with the fields sent before it."""
    partial, entered = ReceivedForm(), False
    try:
        async with receive_pdf_form(
            request, file_field=DOCUMENT_FIELD, required=False, partial=partial
        ) as received:
            entered = True
            yield Posted(FormData(received.pairs), received.file, received.filename)
            return
    except REFUSALS as exc:
        if entered:
            raise
        refusal = exc
    yield Posted(FormData(partial.pairs), refusal=refusal)


def carried(
    *, session: Session, posted: Posted, ask: EvidenceRequest, now: datetime
) -> KeptDocument | None:
    """The PDF the form's hidden handle names (kept for this link); Invalid on the document
    field when the handle names none of this link's."""
    try:
        return carried_document(session=session, posted=posted, owner=owner_of(ask), now=now)
    except Invalid as exc:
        raise Invalid(DOCUMENT_FIELD, GONE) from exc


def kept(
    *, session: Session, document: KeptDocument | None, ask: EvidenceRequest, now: datetime
) -> KeptDocument | None:
    """`document` remembered for the link's forms (committed), so the page can carry it."""
    if document is None:
        return None
    return carry(session=session, document=document, owner=owner_of(ask), now=now)
