"""The text of each page of a PDF, read with bounded work: the one PDF reader of the app.

A PDF is a program of sorts: a few kilobytes can unpack to megabytes of text operators that
pypdf then parses page by page (an 8 KB file kept a worker busy for a minute and took 347 MB).
So pypdf never runs in the server's process: `page_texts` starts a small child
(`pdfchild.py`, with `python -I`) that limits its own CPU time and address space and refuses
a document whose page contents decompress past the caps before parsing any of it, and waits
for it at most `Limits.seconds`. A PDF that needs more is refused with 422 ("too large or
complex"), a child that crashed or ran out of memory or time likewise; the server's memory and
its threads are never held for longer than the deadline. At most `SLOTS` children run at once
per server process: the rest wait their turn within the same deadline.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.errors import DomainError

MAX_PAGES = 400  # long SOC 2 reports run to 200 pages; the fields we want are near the front
MB = 1024 * 1024
CHILD = Path(__file__).with_name("pdfchild.py")
TOO_COMPLEX = "this PDF is too large or complex to read; enter the fields by hand"
SLOTS = max(2, os.cpu_count() or 2)
_slots = threading.BoundedSemaphore(SLOTS)
_TOO_COMPLEX_EXIT = 3  # pdfchild.TOO_COMPLEX_EXIT (the child imports nothing of ours)


@dataclass(frozen=True)
class Limits:
    """How much work one PDF may cost. A dense 200-page report needs about a second, 2 MB of
    page content (10 KB a page) and 60 MB of memory; each limit leaves room several times that.
    Pages of tiny text operators cost about a second per MB: the byte caps refuse at once
    what the deadline would refuse anyway."""

    seconds: float = 6.0  # wall clock, from the request for a slot to the child's answer
    cpu_seconds: int = 5
    memory_bytes: int = 512 * MB  # the child's address space (an idle child maps ~45 MB)
    page_bytes: int = 2 * MB  # one page's content streams, decompressed
    total_bytes: int = 16 * MB  # every page's, a stream shared by n pages counting n times
    stream_bytes: int = 16 * MB  # any one stream, decompressed (pypdf stops decoding there)
    xforms: int = 500  # form XObjects drawn per page (pypdf's default is 5,000)
    text_chars: int = 8_000_000
    max_pages: int = MAX_PAGES


LIMITS = Limits()


class UnreadablePdf(DomainError):
    """The bytes start like a PDF but pypdf cannot read them (damaged or encrypted)."""

    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__([{"loc": ["body", "file"], "msg": message, "type": "value_error"}])


class PdfTooComplex(UnreadablePdf):
    """Reading the PDF would take more time or memory than one document may."""

    def __init__(self) -> None:
        super().__init__(TOO_COMPLEX)


class ReaderBusy(DomainError):
    """Every PDF reader slot stayed busy for the whole deadline."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__("other PDFs are being read just now; try again in a minute")


_ERRORS = {
    "encrypted": "the PDF is password-protected: upload an unprotected copy",
    "unreadable": "the file is not a readable PDF",
}


def _command(source: bytes | Path | str, limits: Limits) -> list[str]:
    args = [sys.executable, "-I", str(CHILD), json.dumps(asdict(limits))]
    return args if isinstance(source, bytes) else [*args, str(Path(source).resolve())]


def _run(source: bytes | Path | str, limits: Limits, seconds: float) -> dict:
    """The child's answer; PdfTooComplex when it ran out of time, CPU or memory."""
    try:
        done = subprocess.run(
            _command(source, limits),
            input=source if isinstance(source, bytes) else b"",
            capture_output=True,
            timeout=max(seconds, 0.1),
            env={},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise PdfTooComplex() from exc
    out_of_bounds = (-signal.SIGXCPU, -signal.SIGKILL, _TOO_COMPLEX_EXIT)
    if done.returncode in out_of_bounds or b"MemoryError" in done.stderr[-2000:]:
        raise PdfTooComplex()
    if done.returncode != 0:
        tail = done.stderr[-2000:].decode("utf-8", "replace")
        raise RuntimeError(f"the PDF reader exited with {done.returncode}: {tail}")
    return json.loads(done.stdout)


def page_texts(source: bytes | Path | str, *, limits: Limits = LIMITS) -> list[str]:
    """The extracted text of each page (at most `limits.max_pages`), "" for a page with none.

    422 (UnreadablePdf) for a damaged or encrypted PDF, 422 (PdfTooComplex) for one that needs
    more than `limits`, 503 (ReaderBusy) when no reader is free within the deadline."""
    started = time.monotonic()
    if not _slots.acquire(timeout=limits.seconds):
        raise ReaderBusy()
    try:
        answer = _run(source, limits, limits.seconds - (time.monotonic() - started))
    finally:
        _slots.release()
    if "error" in answer:
        error = answer["error"]
        raise PdfTooComplex() if error == "too_complex" else UnreadablePdf(_ERRORS[error])
    return answer["pages"]
