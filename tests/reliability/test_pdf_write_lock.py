"""Issue 14, item 3: no PDF is read, hashed or stored inside a database transaction. While
one request's PDF is slow to read (or to store), another request's write completes at once:
on SQLite a transaction held open across that work would make every writer (and every login)
wait for it.

The slow step is made slow on purpose (a sleep in the reader, or in the store's fsync), so
the test holds on any machine: before the fix the web prefill held SQLite's write lock for the
whole read, and the evidence form for the whole store."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from factories import soc2_body, vendor_body
from reliability.support import COUNTS, pdf_bytes
from web.docs_support import post_multipart
from web.support import web_client

from app import config
from app.documents import service, storage

SLOW_SECONDS = 2.0
WRITE_BOUND_SECONDS = 1.0
SOC2_FORM = {
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "unqualified",
    "auditor": "Hale & Moss LLP",
    "tsc": ["security"],
    "exceptions_noted": "0",
    "received_on": "2026-05-01",
}


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(tmp_path / "uploads"))
    config.get_settings.cache_clear()
    yield tmp_path / "uploads"
    config.get_settings.cache_clear()


@pytest.fixture
def slow(monkeypatch):
    """Make the PDF reader or the store's fsync slow; `slow.started` is set when it begins."""
    started = threading.Event()

    def patch(target, name: str) -> None:
        real = getattr(target, name)

        def slowly(*args, **kwargs):
            started.set()
            time.sleep(SLOW_SECONDS)
            return real(*args, **kwargs)

        monkeypatch.setattr(target, name, slowly)

    patch.started = started
    return patch


def _web_prefill(web, vendor_id: int, evidence_id: int):
    url = f"/vendors/{vendor_id}/evidence/soc2_report/prefill"
    return post_multipart(web, url, {}, pdf=pdf_bytes())


def _web_new_record(web, vendor_id: int, evidence_id: int):
    url = f"/vendors/{vendor_id}/evidence/soc2_report/new"
    return post_multipart(web, url, SOC2_FORM, pdf=pdf_bytes())


def _api_extract(web, vendor_id: int, evidence_id: int):
    files = {"file": ("report.pdf", pdf_bytes(), "application/pdf")}
    return web.api.post(f"/api/v1/vendors/{vendor_id}/evidence/extract", files=files)


def _api_upload(web, vendor_id: int, evidence_id: int):
    files = {"file": ("report.pdf", pdf_bytes(), "application/pdf")}
    return web.api.post(f"/api/v1/evidence/{evidence_id}/document", files=files)


SLOW_PATHS = [
    pytest.param(_web_prefill, service, "page_texts", 200, id="web prefill reads"),
    pytest.param(_web_new_record, storage, "_fsync_dir", 303, id="web evidence form stores"),
    pytest.param(_api_extract, service, "page_texts", 200, id="api extract reads"),
    pytest.param(_api_upload, storage, "_fsync_dir", 200, id="api upload stores"),
]


@pytest.mark.parametrize(("send", "target", "name", "status"), SLOW_PATHS)
def test_a_write_does_not_wait_for_a_slow_pdf(app, analyst, slow, send, target, name, status):
    vendor = analyst.post("/api/v1/vendors", json=vendor_body(tier="high")).json()
    evidence = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body()).json()
    slow(target, name)
    with web_client(app, "analyst") as web, ThreadPoolExecutor(1) as pool:
        web.api = analyst
        pending = pool.submit(send, web, vendor["id"], evidence["evidence"]["id"])
        assert slow.started.wait(10), "the slow step never began"
        began = time.monotonic()
        created = analyst.post("/api/v1/vendors", json=vendor_body(name="Written Meanwhile"))
        waited = time.monotonic() - began
        slow_response = pending.result(timeout=30)
    assert created.status_code == 201, created.text
    assert slow_response.status_code == status, slow_response.text[-500:]
    assert waited < WRITE_BOUND_SECONDS, f"the write waited {waited:.2f} s for the PDF"
    if send is _web_prefill:
        COUNTS["probe findings closed"] += 1
