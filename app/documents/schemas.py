"""What the document and extraction routes return."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from app.documents.extract import Extraction
from app.models import Evidence


class DocumentRead(BaseModel):
    """The document attached to an evidence record."""

    evidence_id: int
    name: str
    size: int
    sha256: str
    media_type: str
    uploaded_at: datetime
    download_url: str

    @classmethod
    def of(cls, evidence: Evidence, *, prefix: str = "/api/v1") -> "DocumentRead":
        """The document fields of a record that has one."""
        return cls(
            evidence_id=evidence.id,
            name=evidence.document_name,
            size=evidence.document_size,
            sha256=evidence.document_sha256,
            media_type=evidence.document_media_type,
            uploaded_at=evidence.document_uploaded_at,
            download_url=f"{prefix}/evidence/{evidence.id}/document",
        )


class ProposalRead(BaseModel):
    """A proposed value, the page and words it was read from, and how sure the reading is."""

    value: Any
    page: int
    snippet: str
    confidence: float


class ExtractionRead(BaseModel):
    """Values proposed from a PDF; nothing is saved until an analyst posts the evidence."""

    kind: str | None
    text_found: bool
    message: str | None
    pages: int
    fields: dict[str, ProposalRead]

    @classmethod
    def of(cls, extraction: Extraction) -> "ExtractionRead":
        """The API form of an extraction."""
        return cls(
            kind=extraction.kind,
            text_found=extraction.text_found,
            message=extraction.message,
            pages=extraction.pages,
            fields={
                name: ProposalRead(
                    value=p.value, page=p.page, snippet=p.snippet, confidence=p.confidence
                )
                for name, p in extraction.fields.items()
            },
        )
