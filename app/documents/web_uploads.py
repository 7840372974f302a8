"""Forms that may carry a PDF: read from the request stream under the upload cap, CSRF-checked,
and a refused upload (too large, not a PDF) reported beside the file field, not as an error page.

The evidence forms post multipart with an optional `file`; a PDF read by "Prefill from PDF" (or
sent with a form that was refused) is stored and travels with the form as two hidden fields:
a handle signed for the user who sent it, valid for a day, and its name (see
app/documents/prefill_uploads.py). It is attached when the record is saved without being sent
again; a bare digest is not a handle, and another user's handle names nothing.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request

from app.documents import prefill_uploads
from app.documents.pdftext import UnreadablePdf
from app.documents.service import clean_filename
from app.documents.storage import StagedPdf, StoredFile, TooLarge, UnsupportedMedia
from app.documents.upload import FILE_FIELD, MalformedForm, ReceivedForm, receive_pdf_form
from app.errors import DomainError, Invalid
from app.web.deps import require_csrf
from app.web.forms import tidy

HANDLE_FIELD = "document_handle"
NAME_FIELD = "document_name"
REFUSALS = (TooLarge, UnsupportedMedia, MalformedForm, Invalid)
GONE = (
    "the PDF read earlier can no longer be attached (it was read over a day ago, or not by "
    "you): choose the file again"
)
_ADVICE = {
    413: "Choose a smaller PDF, or leave the file out.",
    415: "Choose the PDF itself (a scan saved as PDF is fine).",
}


def refusal_message(exc: DomainError) -> str:
    """Why an upload was refused, in a sentence, with what to do instead."""
    if isinstance(exc, Invalid):
        text = exc.message
    elif isinstance(exc, UnreadablePdf):
        text = exc.detail[0]["msg"]
    else:
        text = str(exc.detail)
    return " ".join(filter(None, (tidy(text), _ADVICE.get(exc.status_code))))


@dataclass
class Posted:
    """A posted form: its text fields, the PDF sent with it, or why the PDF was refused."""

    data: FormData
    file: StagedPdf | None = None
    filename: str = ""
    refusal: DomainError | None = None

    @property
    def refusal_field(self) -> str:
        """The field the refusal is about (the file, unless a text field was too long)."""
        exc = self.refusal
        return exc.field if isinstance(exc, Invalid) and exc.field in self.data else FILE_FIELD


def _is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


@asynccontextmanager
async def posted_form(request: Request) -> AsyncIterator[Posted]:
    """The form posted (multipart with an optional PDF in `file`, or a plain form), once its CSRF
    token is confirmed. An upload refused while it arrived is reported in `refusal`, with the
    fields sent before it; the PDF is deleted when the block ends unless it was promoted."""
    if not _is_multipart(request):
        data = await request.form()
        require_csrf(request, data)
        yield Posted(data)
        return
    partial, entered = ReceivedForm(), False
    try:
        async with receive_pdf_form(request, required=False, partial=partial) as received:
            entered = True
            posted = Posted(FormData(received.pairs), received.file, received.filename)
            require_csrf(request, posted.data)
            yield posted
            return
    except REFUSALS as exc:
        if entered:
            raise
        refusal = exc
    posted = Posted(FormData(partial.pairs), refusal=refusal)
    require_csrf(request, posted.data)
    yield posted


@dataclass(frozen=True)
class KeptDocument:
    """A stored PDF going with a form, the name to give it, and the handle the form carries
    ("" until it is remembered for the form)."""

    stored: StoredFile
    name: str
    handle: str = ""


def keep_document(posted: Posted) -> KeptDocument | None:
    """The PDF sent with the form, stored now (file work only: call it outside transactions)."""
    if posted.file is None:
        return None
    return KeptDocument(posted.file.promote(), clean_filename(posted.filename))


def carried_document(
    *, session: Session, posted: Posted, owner: str, now: datetime
) -> KeptDocument | None:
    """The stored PDF the form's hidden handle names; None when it names none. Invalid when the
    handle is not one this user was given within the day (forged, another user's, a bare
    digest, too old) or its PDF has gone."""
    handle = posted.data.get(HANDLE_FIELD)
    if not isinstance(handle, str) or not handle:
        return None
    stored = prefill_uploads.resolve(session=session, handle=handle, owner=owner, now=now)
    if stored is None:
        raise Invalid(FILE_FIELD, GONE)
    name = posted.data.get(NAME_FIELD)
    return KeptDocument(stored, clean_filename(name if isinstance(name, str) else None), handle)


def carry(*, session: Session, document: KeptDocument, owner: str, now: datetime) -> KeptDocument:
    """`document` with a handle for the form to carry: remembered for `owner` (and committed,
    so that it outlives the request's outcome) unless it has one already."""
    if document.handle:
        return document
    handle = prefill_uploads.remember(session=session, stored=document.stored, owner=owner, now=now)
    session.commit()
    return replace(document, handle=handle)
