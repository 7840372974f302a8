"""Evidence documents over the API: upload and download a record's PDF; propose field values
from a PDF without saving anything.

The two POST routes are `async` and read the multipart body themselves (see upload.py), so the
size cap holds while the bytes arrive; the database work runs in the thread pool. The SQLite
write lock taken by the auth look-up is released before the body is read, so a slow upload
never holds up other writers.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api_common import READ_ERRORS, WRITE_ERRORS, ErrorBody, EvidenceId, VendorId
from app.auth.deps import Analyst, Reader
from app.db import SessionDep
from app.documents import service
from app.documents.schemas import DocumentRead, ExtractionRead
from app.documents.upload import FILE_FIELD, ReceivedForm, receive_pdf_form
from app.records import get_vendor

router = APIRouter(tags=["documents"])

UPLOAD_ERRORS = {
    **WRITE_ERRORS,
    413: {"model": ErrorBody, "description": "Larger than VETTED_MAX_UPLOAD_MB"},
    415: {"model": ErrorBody, "description": "Not a PDF (by its bytes), or not multipart"},
}
EXTRACT_ERRORS = {
    **UPLOAD_ERRORS,
    422: {
        "model": ErrorBody,
        "description": "Damaged, encrypted, or too large or complex to read within the limits",
    },
    503: {"model": ErrorBody, "description": "Every PDF reader stayed busy; retry shortly"},
}
PDF_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD],
                    "properties": {
                        FILE_FIELD: {
                            "type": "string",
                            "format": "binary",
                            "contentMediaType": "application/pdf",
                        }
                    },
                },
                # A PDF by its bytes: anything else is a 415, whatever its part says it is.
                "encoding": {FILE_FIELD: {"contentType": "application/pdf"}},
            }
        },
    }
}
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
    "Cache-Control": "private, no-cache",
}


@asynccontextmanager
async def _pdf_form(
    request: Request, session: Session, check: Callable[[], object]
) -> AsyncIterator[ReceivedForm]:
    """The posted PDF form, once `check` passed (a 404 or 409 before any byte is read) and the
    transaction is ended: the write lock is not held while the bytes arrive."""
    await run_in_threadpool(check)
    await run_in_threadpool(session.commit)
    async with receive_pdf_form(request) as form:
        yield form


def _pdf_post(path: str, model: type, errors: dict):
    """A POST route whose body is a multipart form holding a PDF, documented as such."""
    return router.post(path, response_model=model, responses=errors, openapi_extra=PDF_FORM)


@_pdf_post("/evidence/{evidence_id}/document", DocumentRead, UPLOAD_ERRORS)
async def upload_document(
    evidence_id: EvidenceId, request: Request, session: SessionDep, principal: Analyst
) -> DocumentRead:
    """Attach a PDF (multipart field `file`) to the record, replacing any earlier one."""
    check = partial(service.check_attachable, session=session, evidence_id=evidence_id)
    async with _pdf_form(request, session, check) as form:
        stored = await run_in_threadpool(form.file.promote)
        evidence = await run_in_threadpool(
            service.attach_document,
            session=session,
            evidence_id=evidence_id,
            stored=stored,
            filename=form.filename,
            actor=principal.name,
        )
        await run_in_threadpool(session.commit)
    return DocumentRead.of(evidence)


@router.get(
    "/evidence/{evidence_id}/document",
    response_class=FileResponse,
    responses={**READ_ERRORS, 200: {"content": {"application/pdf": {}}, "description": "The PDF"}},
)
def download_document(evidence_id: EvidenceId, session: SessionDep, _: Reader) -> FileResponse:
    """The record's PDF, as an attachment under its original (sanitised) name."""
    document = service.get_document(session=session, evidence_id=evidence_id)
    disposition = service.content_disposition(document.name)
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": disposition}
    return FileResponse(document.path, media_type=document.media_type, headers=headers)


@_pdf_post("/vendors/{vendor_id}/evidence/extract", ExtractionRead, EXTRACT_ERRORS)
async def extract_fields(
    vendor_id: VendorId, request: Request, session: SessionDep, _: Analyst
) -> ExtractionRead:
    """Propose the evidence fields a PDF states, each with its page, words and confidence.
    Saves nothing: the document and the values count only once an analyst saves a record.
    The PDF is read with bounded work (app.documents.pdftext): one that needs more is 422."""
    check = partial(get_vendor, session=session, vendor_id=vendor_id)
    async with _pdf_form(request, session, check) as form:
        extraction = await run_in_threadpool(service.extract_proposals, form.file.path)
    return ExtractionRead.of(extraction)
