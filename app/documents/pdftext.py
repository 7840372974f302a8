"""The text of each page of a PDF, read with pypdf."""

import io
import logging
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader

from app.errors import DomainError

MAX_PAGES = 400  # long SOC 2 reports run to 200 pages; the fields we want are near the front

logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged PDF is answered, not logged


class UnreadablePdf(DomainError):
    """The bytes start like a PDF but pypdf cannot read them (damaged or encrypted)."""

    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__([{"loc": ["body", "file"], "msg": message, "type": "value_error"}])


def _reader(stream: BinaryIO) -> tuple[PdfReader, int]:
    # pypdf parses untrusted bytes and may fail in many ways; each one means "unreadable".
    try:
        reader = PdfReader(stream)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("the PDF is password-protected: upload an unprotected copy")
        return reader, len(reader.pages)
    except UnreadablePdf:
        raise
    except Exception as exc:
        raise UnreadablePdf("the file is not a readable PDF") from exc


def _page_text(reader: PdfReader, index: int) -> str:
    try:
        return reader.pages[index].extract_text() or ""
    except Exception:
        return ""  # one damaged page should not hide the others


def page_texts(source: bytes | Path | str, *, max_pages: int = MAX_PAGES) -> list[str]:
    """The extracted text of each page (at most `max_pages`), "" for a page with none."""
    with ExitStack() as stack:
        if isinstance(source, bytes):
            stream: BinaryIO = io.BytesIO(source)
        else:
            stream = stack.enter_context(Path(source).open("rb"))
        reader, count = _reader(stream)
        return [_page_text(reader, i) for i in range(min(count, max_pages))]
