"""Propose evidence field values from a document's text: pure text in, proposals out.

Every proposal names the page and the words it came from and carries a confidence:
about 0.9 for an exact, labelled phrase ("Valid until: 9 January 2029"), 0.7–0.8 for a
phrase in its usual place (the firm signing the opinion), 0.5–0.6 for weaker cues
(counting "exception noted" in test tables; a type inferred from the period's wording).
Nothing is invented: a field the text does not state is left out, and nothing counts until
an analyst has checked the values and saved the record.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.documents.extract_kind import detect_kind
from app.documents.proposals import Proposal, form_value
from app.documents.textscan import Page, make_pages
from app.evidence.kinds import KINDS

__all__ = ["Extraction", "Proposal", "form_value", "propose"]

NO_TEXT = "no text found — enter the values by hand"
NOT_RECOGNISED = (
    "this does not read like a SOC report or an ISO/IEC 27001 certificate — "
    "enter the values by hand"
)
MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class Extraction:
    """What the document appears to be and the values it states."""

    kind: str | None
    fields: dict[str, Proposal] = field(default_factory=dict)
    text_found: bool = True
    message: str | None = None
    pages: int = 0

    def values(self) -> dict[str, Any]:
        """The proposed values alone, e.g. to prefill a form."""
        return {name: p.value for name, p in self.fields.items()}


def _has_text(pages: Sequence[Page]) -> bool:
    return sum(ch.isalnum() for p in pages for ch in p.flat) >= MIN_TEXT_CHARS


def propose(texts: Sequence[str]) -> Extraction:
    """Read the pages' texts and propose the fields of the evidence they document."""
    pages = make_pages(texts)
    if not _has_text(pages):
        return Extraction(kind=None, text_found=False, message=NO_TEXT, pages=len(pages))
    kind = detect_kind(pages)
    if kind is None:
        return Extraction(kind=None, message=NOT_RECOGNISED, pages=len(pages))
    fields = KINDS[kind.value].read_pdf(pages, kind.value)
    return Extraction(kind=kind.value, fields={"kind": kind, **fields}, pages=len(pages))
