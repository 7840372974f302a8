"""Issue 14, item 12: a PDF kept by "Prefill from PDF" is attached only through the signed
handle its form carries, only by the user it was read for, only within a day; the daily pass
(and `vetted refresh`) deletes the kept PDFs no record took within a day, and no other file.

Before the fix the form carried the PDF's SHA-256: anyone who knew a digest could attach that
stored PDF to a record of theirs, and prefill uploads were never deleted."""

import hashlib
import os
import time
from datetime import timedelta

import pytest
from conftest import TEST_TODAY
from factories import soc2_body, vendor_body
from reliability.support import COUNTS, pdf_bytes
from sqlmodel import select
from typer.testing import CliRunner
from web.docs_support import FormValues, post_multipart
from web.support import WebClient, make_user, sign_in

from app import clock, config, db
from app.cli import app as cli
from app.documents.prefill_uploads import HOLD, SLACK, sweep
from app.models import Evidence, PrefillUpload, User
from app.status.daily import run_daily

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
GONE = "can no longer be attached"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(tmp_path / "uploads"))
    config.get_settings.cache_clear()
    yield tmp_path / "uploads"
    config.get_settings.cache_clear()


@pytest.fixture
def vendor_id(analyst) -> int:
    return analyst.post("/api/v1/vendors", json=vendor_body(tier="high")).json()["id"]


@pytest.fixture
def alice(app):
    with WebClient(app) as client:
        sign_in(client, make_user("alice@example.com", "analyst"))
        yield client


@pytest.fixture
def mallory(app):
    with WebClient(app) as client:
        sign_in(client, make_user("mallory@example.com", "analyst"))
        yield client


def _prefill(client, vendor_id: int, pdf: bytes) -> str:
    """Read `pdf` on the SOC 2 form; the handle the page carries."""
    url = f"/vendors/{vendor_id}/evidence/soc2_report/prefill"
    response = post_multipart(client, url, {}, pdf=pdf)
    assert response.status_code == 200, response.text[-500:]
    return FormValues(response.text).hidden["document_handle"]


def _save(client, vendor_id: int, **hidden: str):
    url = f"/vendors/{vendor_id}/evidence/soc2_report/new"
    return post_multipart(client, url, {**SOC2_FORM, "document_name": "r.pdf", **hidden})


def _documents() -> set[str | None]:
    with db.session_scope(writes=False) as session:
        return {e.document_sha256 for e in session.exec(select(Evidence))}


def _stored(upload_dir) -> set[str]:
    return {p.name for p in upload_dir.glob("??/*") if p.is_file()}


def test_a_kept_pdf_is_attached_only_by_the_user_it_was_read_for(alice, mallory, vendor_id):
    secret = pdf_bytes("SOC 2 Type II report of Confidential Corp")
    sha = hashlib.sha256(secret).hexdigest()
    handle = _prefill(alice, vendor_id, secret)
    assert sha not in handle
    for attempt in (
        {"document_sha256": sha},  # the digest, as the form used to carry it
        {"document_handle": sha},
        {"document_handle": handle},  # alice's handle, sent by mallory
        {"document_handle": handle[:-2] + ("AA" if handle[-2:] != "AA" else "BB")},
    ):
        response = _save(mallory, vendor_id, **attempt)
        if "document_handle" in attempt:
            assert response.status_code == 422, attempt
            assert GONE in FormValues(response.text).note("file-error")
    assert sha not in _documents()
    assert _save(alice, vendor_id, document_handle=handle).status_code == 303
    assert sha in _documents()
    COUNTS["probe findings closed"] += 1


def _sign_in_again(client: WebClient) -> None:
    with db.session_scope() as session:
        user = session.exec(select(User).where(User.email == "alice@example.com")).one()
        session.expunge(user)
    sign_in(client, user)


def test_a_handle_is_honoured_for_a_day(alice, vendor_id, monkeypatch):
    handle = _prefill(alice, vendor_id, pdf_bytes())
    later = clock.utc_now() + HOLD + timedelta(seconds=1)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    _sign_in_again(alice)  # a web session lasts 12 hours: log in anew, a day later
    response = _save(alice, vendor_id, document_handle=handle)
    assert response.status_code == 422
    assert GONE in FormValues(response.text).note("file-error")
    assert _documents() == set()  # nothing saved


def test_the_daily_pass_deletes_kept_pdfs_no_record_took_within_a_day(
    alice, analyst, vendor_id, upload_dir
):
    left = pdf_bytes("Left behind")
    taken = pdf_bytes("Attached with the form")
    shared = pdf_bytes("Also uploaded through the API")
    _prefill(alice, vendor_id, left)
    handle = _prefill(alice, vendor_id, taken)
    assert _save(alice, vendor_id, document_handle=handle).status_code == 303
    _prefill(alice, vendor_id, shared)
    evidence = analyst.post(f"/api/v1/vendors/{vendor_id}/evidence", json=soc2_body()).json()
    files = {"file": ("r.pdf", shared, "application/pdf")}
    analyst.post(f"/api/v1/evidence/{evidence['evidence']['id']}/document", files=files)
    everything = {hashlib.sha256(pdf).hexdigest() for pdf in (left, taken, shared)}
    assert _stored(upload_dir) == everything

    now = clock.utc_now()
    run_daily(day=TEST_TODAY, now=now + timedelta(hours=23))
    assert _stored(upload_dir) == everything
    run_daily(day=TEST_TODAY, force=True, now=now + HOLD + SLACK + timedelta(minutes=1))
    assert _stored(upload_dir) == everything - {hashlib.sha256(left).hexdigest()}
    with db.session_scope(writes=False) as session:
        assert session.exec(select(PrefillUpload)).all() == []


def test_vetted_refresh_runs_the_same_sweep(alice, vendor_id, upload_dir, monkeypatch):
    _prefill(alice, vendor_id, pdf_bytes("Left behind"))
    later = clock.utc_now() + HOLD + SLACK + timedelta(minutes=1)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    result = CliRunner().invoke(cli, ["refresh", "--as-of", TEST_TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert _stored(upload_dir) == set()


def test_the_sweep_spares_a_file_stored_again_after_its_cutoff(alice, vendor_id, upload_dir):
    _prefill(alice, vendor_id, pdf_bytes("Stored again meanwhile"))
    (path,) = (p for p in upload_dir.glob("??/*") if p.is_file())
    now = clock.utc_now() + HOLD + SLACK + timedelta(minutes=1)
    touched = time.time() + 3600  # as StagedPdf.promote touches the bytes it finds stored
    os.utime(path, (touched, touched))
    assert sweep(now=now) == 0
    assert path.is_file() and not list(upload_dir.glob("??/*.sweep"))
