"""Evidence documents: attach a stored PDF to a record (audit-logged), find it again, and
propose field values from a PDF's text. Services flush and never commit."""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlmodel import Session

from app import clock
from app.audit.service import change
from app.documents.extract import Extraction, propose
from app.documents.pdftext import page_texts
from app.documents.storage import PDF_MEDIA_TYPE, StoredFile, stored_file
from app.errors import Conflict, NotFound
from app.models import Evidence
from app.records import get_evidence

DEFAULT_NAME = "document.pdf"
MAX_NAME = 255
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()+-]+")  # anything else, non-ASCII included


def clean_filename(name: str | None) -> str:
    """The original file name without any directory part or control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    if not base:
        return DEFAULT_NAME
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        keep = MAX_NAME - len(ext) - 1 if dot and len(ext) <= 10 else MAX_NAME
        base = base[:keep] + (f".{ext}" if dot and len(ext) <= 10 else "")
    return base


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 original (RFC 6266 / 5987)."""
    name = clean_filename(name)
    letters = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(ch for ch in letters if unicodedata.category(ch) != "Mn")  # é → e
    ascii_name = _UNSAFE_ASCII.sub("_", ascii_name).strip(" _") or DEFAULT_NAME
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def check_attachable(*, session: Session, evidence_id: int) -> Evidence:
    """The record, if a document may be attached to it: 404 unknown, 409 retracted."""
    evidence = get_evidence(session=session, evidence_id=evidence_id)
    if evidence.retracted_at is not None:
        raise Conflict(f"evidence {evidence_id} is retracted: attach documents to a live record")
    return evidence


def attach_document(
    *, session: Session, evidence_id: int, stored: StoredFile, filename: str | None, actor: str
) -> Evidence:
    """Point the record at a stored PDF (replacing any earlier one) and audit it."""
    evidence = check_attachable(session=session, evidence_id=evidence_id)
    document = {
        "document_sha256": stored.sha256,
        "document_name": clean_filename(filename),
        "document_size": stored.size,
        "document_media_type": PDF_MEDIA_TYPE,
        "document_uploaded_at": clock.utc_now(),
    }
    change(
        session=session,
        row=evidence,
        changes=document,
        actor=actor,
        action="attach_document",
        columns=document,  # the audit shows the document, not the whole record
    )
    session.flush()
    return evidence


@dataclass(frozen=True)
class Document:
    """A record's document, ready to stream: where it is, what to call it, how big it is."""

    path: Path
    name: str
    size: int
    sha256: str
    media_type: str = PDF_MEDIA_TYPE


def get_document(*, session: Session, evidence_id: int) -> Document:
    """The record's stored document; NotFound when it has none (or the store lost it)."""
    evidence = get_evidence(session=session, evidence_id=evidence_id)
    if evidence.document_sha256 is None:
        raise NotFound(f"evidence {evidence_id} has no document")
    stored = stored_file(evidence.document_sha256)
    if stored is None:
        raise NotFound(f"the document of evidence {evidence_id} is missing from the store")
    return Document(
        path=stored.path,
        name=evidence.document_name or DEFAULT_NAME,
        size=stored.size,
        sha256=stored.sha256,
    )


def extract_proposals(source: bytes | Path | str) -> Extraction:
    """Propose evidence field values from a PDF (bytes or a path); saves nothing."""
    return propose(page_texts(source))
