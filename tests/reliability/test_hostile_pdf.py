"""Issue 14, item 2: a PDF that unpacks to megabytes of text operators is refused within
seconds, and reading it never grows the server's memory; each bound of the reader (byte caps,
wall clock, CPU time, memory, reader slots) holds on its own; ordinary PDFs still read."""

import ast
import re
import time
from pathlib import Path

import pytest
from documents.bombs import shared_stream_pdf
from factories import vendor_body
from reliability.support import COUNTS, pdf_bytes
from web.docs_support import FormValues, post_multipart
from web.support import web_client

from app import config
from app.config import ROOT
from app.documents import pdftext
from app.documents.pdftext import Limits, PdfTooComplex, ReaderBusy, page_texts

TOO_COMPLEX = "this PDF is too large or complex to read; enter the fields by hand"
# Six pages sharing one 12 KB stream of 4 MB of operators: before the fix, 29 s and 230 MB.
BOMB = shared_stream_pdf(pages=6, megabytes=4)
# One page of 1.5 MB of operators: within the byte caps, about two seconds of pypdf's work.
SLOW = shared_stream_pdf(pages=1, megabytes=1.5)
UNCAPPED = {"page_bytes": 64 << 20, "total_bytes": 64 << 20, "stream_bytes": 64 << 20}


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(tmp_path / "uploads"))
    config.get_settings.cache_clear()
    yield tmp_path / "uploads"
    config.get_settings.cache_clear()


def _peak_rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def _reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from VmRSS


def _extract(client, vendor_id: int, pdf: bytes):
    files = {"file": ("report.pdf", pdf, "application/pdf")}
    return client.post(f"/api/v1/vendors/{vendor_id}/evidence/extract", files=files)


def test_a_pdf_bomb_is_refused_within_seconds_and_the_server_memory_stays_put(analyst):
    vendor = analyst.post("/api/v1/vendors", json=vendor_body()).json()
    _extract(analyst, vendor["id"], pdf_bytes())  # warm up: imports, the first child
    _reset_peak_rss()
    before = _peak_rss_mb()
    started = time.monotonic()
    response = _extract(analyst, vendor["id"], BOMB)
    elapsed = time.monotonic() - started
    grown = _peak_rss_mb() - before
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["msg"] == TOO_COMPLEX
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert elapsed < 5, f"answered after {elapsed:.1f} s"
    assert grown < 40, f"the server's peak memory grew by {grown:.0f} MB"
    COUNTS["probe findings closed"] += 1


def test_the_web_prefill_says_so_beside_the_pdf_field(app):
    with web_client(app, "analyst") as web:
        created = web.submit("/vendors/new", {"name": "Acme Cloud", "tier": "critical"})
        vendor_id = int(created.headers["location"].rsplit("/", 1)[1])
        url = f"/vendors/{vendor_id}/evidence/soc2_report/prefill"
        started = time.monotonic()
        response = post_multipart(web, url, {}, pdf=BOMB)
    assert time.monotonic() - started < 5
    assert response.status_code == 422
    note = FormValues(response.text).note("prefill-file-error")
    assert "This PDF is too large or complex to read; enter the fields by hand." in note


@pytest.mark.parametrize(
    "limits",
    [
        pytest.param(Limits(seconds=1, **UNCAPPED), id="wall clock"),
        pytest.param(Limits(cpu_seconds=1, seconds=30, **UNCAPPED), id="cpu time"),
        pytest.param(Limits(memory_bytes=96 << 20, seconds=30, **UNCAPPED), id="memory"),
        pytest.param(Limits(page_bytes=1 << 20), id="bytes per page"),
        pytest.param(Limits(total_bytes=1 << 20), id="bytes in all"),
        pytest.param(Limits(stream_bytes=1 << 20, **{"page_bytes": 8 << 20}), id="one stream"),
    ],
)
def test_each_bound_holds_on_its_own(limits):
    started = time.monotonic()
    with pytest.raises(PdfTooComplex):
        page_texts(SLOW, limits=limits)
    assert time.monotonic() - started < 10  # CPU seconds take longer on a busy machine


def test_a_pdf_within_every_bound_reads_as_before(tmp_path):
    pdf = pdf_bytes("SOC 2 Type II report of Example Cloud")
    assert page_texts(pdf) == ["SOC 2 Type II report of Example Cloud"]
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    assert page_texts(path) == ["SOC 2 Type II report of Example Cloud"]


def test_damaged_and_password_protected_pdfs_keep_their_own_messages():
    with pytest.raises(pdftext.UnreadablePdf) as damaged:
        page_texts(b"%PDF-1.4\nnot really")
    assert damaged.value.detail[0]["msg"] == "the file is not a readable PDF"
    assert not isinstance(damaged.value, PdfTooComplex)


def test_when_every_reader_is_busy_a_request_waits_its_deadline_then_hears_503(monkeypatch):
    monkeypatch.setattr(pdftext, "_slots", pdftext.threading.BoundedSemaphore(1))
    pdftext._slots.acquire()
    try:
        with pytest.raises(ReaderBusy):
            page_texts(pdf_bytes(), limits=Limits(seconds=0.2))
    finally:
        pdftext._slots.release()
    assert page_texts(pdf_bytes()) == ["SOC 2 Type II report of Example Cloud"]


def test_only_the_bounded_child_imports_pypdf():
    """One reader everywhere: no server module may parse a PDF in its own process."""
    importers = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "pypdf" for name in names):
                importers.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(importers)) == ["app/documents/pdfchild.py"]
