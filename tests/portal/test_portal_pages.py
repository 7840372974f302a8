"""The vendor portal's pages (SPEC §11): what the vendor sees, handing a document in, reading
a PDF into the form, the links that open nothing, the headers, the rate limit, and the token
kept out of every page, log line and audit entry."""

import logging
import socket
import threading
import time
from datetime import UTC, date, datetime, timedelta

import anyio
import httpx
import pytest
import uvicorn
from documents.bombs import shared_stream_pdf
from factories import vendor_body
from fastapi.testclient import TestClient
from portal.conftest import PDF
from pydantic import TypeAdapter
from sqlmodel import select
from web.docs_support import soc2_recent_pdf
from web.support import make_user, session_cookie

from app import clock, db
from app.auth import sessions
from app.deps import get_today
from app.evidence.schemas import EvidenceCreate
from app.models import AuditEntry, EvidenceSubmission, PortalPost
from app.portal import links, service, throttle
from app.portal.privacy import ACCESS_LOGGER, RedactPortalLinks
from app.portal.schemas import Acceptance, RequestCreate
from app.web.session import COOKIE

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, tzinfo=UTC)
SOC2 = {
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "unqualified",
    "auditor": "Hale & Moss LLP",
    "tsc": "security",
    "exceptions_noted": "0",
}
BOMB = shared_stream_pdf(pages=6, megabytes=4)


def _request(vendor_id: int, kinds=("soc2_report",), message="Please send your latest report."):
    data = RequestCreate(
        kinds=list(kinds),
        contact_email="sec@vendor.example",
        due_on=TODAY + timedelta(days=14),
        message=message,
    )
    with db.session_scope() as s:
        request = service.create_request(
            session=s, vendor_id=vendor_id, data=data, actor="ana@org.example", today=TODAY, now=NOW
        )
        return request.id, links.token_for(request)


def _csrf(request_id: int) -> str:
    with db.session_scope(writes=False) as s:
        return links.csrf_token(s.get(service.EvidenceRequest, request_id))


@pytest.fixture
def portal(app):
    """A browser with no credentials and no cookie."""
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def asked(vendor) -> tuple[int, str]:
    """A request of a SOC 2 report and an ISO certificate: its id and its link's token."""
    return _request(vendor["id"], kinds=("soc2_report", "iso27001_certificate"))


def _post(
    client, token, request_id, fields, *, kind="soc2_report", pdf=PDF, csrf=None, to="submissions"
):
    body = {"csrf_token": csrf if csrf is not None else _csrf(request_id), "kind": kind, **fields}
    files = {
        "document": ("soc2-2026.pdf", pdf, "application/pdf")
        if pdf is not None
        else ("", b"", "application/octet-stream")
    }
    return client.post(f"/portal/{token}/{to}", data=body, files=files, follow_redirects=False)


def _submissions() -> list[EvidenceSubmission]:
    with db.session_scope(writes=False) as s:
        return list(s.exec(select(EvidenceSubmission)))


def test_the_page_shows_the_request(portal, vendor, asked, monkeypatch):
    monkeypatch.setenv("VETTED_ORGANISATION_NAME", "Northwind Bank")
    from app import config

    config.get_settings.cache_clear()
    _, token = asked
    page = portal.get(f"/portal/{token}")
    assert page.status_code == 200
    html = page.text
    for words in (
        "Northwind Bank",
        vendor["name"],
        "Please send your latest report.",
        "SOC 2 report",
        "ISO 27001 certificate",
        "2026-06-29",
    ):
        assert words in html
    assert 'name="csrf_token"' in html and 'name="document"' in html
    for internal in ("scope_covers_services", "soc2_report_id", "received_on", 'name="notes"'):
        assert internal not in html
    assert "Log out" not in html and 'href="/vendors' not in html


def test_a_submission_round_trip(portal, asked):
    request_id, token = asked
    sent = _post(portal, token, request_id, SOC2)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/portal/{token}?received=soc2_report"
    (submission,) = _submissions()
    assert submission.kind == "soc2_report" and submission.status == "pending"
    assert submission.fields["auditor"] == "Hale & Moss LLP"
    page = portal.get(sent.headers["location"])
    assert "Received: your SOC 2 report" in page.text
    assert "soc2-2026.pdf" in page.text and "Received, under review" in page.text


def test_errors_are_shown_beside_their_fields_with_what_was_typed(portal, asked):
    request_id, token = asked
    fields = {**SOC2, "period_end": "2026-13-40", "auditor": "Typed Auditor"}
    fields.pop("opinion")
    answer = _post(portal, token, request_id, fields)
    assert answer.status_code == 422
    assert 'id="soc2_report-period_end-error"' in answer.text
    assert 'id="soc2_report-opinion-error"' in answer.text
    assert 'value="Typed Auditor"' in answer.text
    assert "soc2-2026.pdf" in answer.text  # the PDF kept, carried by handle
    assert _submissions() == []


def test_the_pdf_kept_by_a_refused_form_is_sent_by_its_handle(portal, asked):
    request_id, token = asked
    refused = _post(portal, token, request_id, {**SOC2, "auditor": ""})
    handle = refused.text.split('name="document_handle" value="')[1].split('"')[0]
    body = {**SOC2, "document_handle": handle, "document_name": "soc2-2026.pdf"}
    sent = _post(portal, token, request_id, body, pdf=None)
    assert sent.status_code == 303
    assert _submissions()[0].document_name == "soc2-2026.pdf"


def test_a_missing_document_is_an_error_beside_the_file_field(portal, asked):
    request_id, token = asked
    answer = _post(portal, token, request_id, SOC2, pdf=None)
    assert answer.status_code == 422
    assert 'id="soc2_report-document-error"' in answer.text
    assert _submissions() == []


def test_a_kind_not_asked_and_a_field_of_the_analysts_are_refused(portal, asked):
    request_id, token = asked
    assert _post(portal, token, request_id, {}, kind="bridge_letter").status_code == 422
    judged = _post(portal, token, request_id, {**SOC2, "scope_covers_services": "yes"})
    assert judged.status_code == 422
    assert "scope_covers_services" in judged.text
    assert _submissions() == []


@pytest.mark.parametrize("csrf", ["", "forged"])
def test_a_post_without_the_links_csrf_token_is_forbidden(portal, asked, csrf):
    request_id, token = asked
    answer = _post(portal, token, request_id, SOC2, csrf=csrf)
    assert answer.status_code == 403
    assert token not in answer.text
    assert _submissions() == []


def test_closed_and_unknown_links(portal, vendor, app):
    request_id, token = _request(vendor["id"])
    with db.session_scope() as s:
        service.rotate_link(session=s, request_id=request_id, actor="ana", today=TODAY)
    replaced = portal.get(f"/portal/{token}")
    assert replaced.status_code == 410 and "replaced" in replaced.text
    assert "ana@org.example" in replaced.text  # whom to ask

    cancelled_id, cancelled = _request(vendor["id"])
    with db.session_scope() as s:
        service.cancel_request(
            session=s, request_id=cancelled_id, reason="", actor="ana", now=NOW, today=TODAY
        )
    assert portal.get(f"/portal/{cancelled}").status_code == 410

    _, later = _request(vendor["id"])
    app.dependency_overrides[get_today] = lambda: TODAY + timedelta(days=60)
    expired = portal.get(f"/portal/{later}")
    assert expired.status_code == 410 and "expired" in expired.text

    unknown = f"{request_id}.{'A' * 43}"
    missing = portal.get(f"/portal/{unknown}")
    assert missing.status_code == 404
    for answer, used in ((replaced, token), (expired, later), (missing, unknown)):
        assert used not in answer.text and used.split(".")[1] not in answer.text
    posted = _post(portal, token, request_id, SOC2)
    assert posted.status_code == 410 and token not in posted.text


BOUNDARY = "portal-test-boundary"


async def _streamed(fields: dict, size: int):
    """A multipart body as a server hands it over, in 64 KB chunks: the fields, then a PDF
    part of `size` bytes."""
    for name, value in fields.items():
        part = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        yield f"{part}{value}\r\n".encode()
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="document"; '
        'filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
    )
    yield head.encode()
    for _ in range(size // (64 * 1024)):
        yield b"0" * 64 * 1024
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _post_streamed(app, url: str, fields: dict, size: int) -> httpx.Response:
    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            headers = {
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Content-Length": str(size + 4096),
            }
            return await http.post(url, content=_streamed(fields, size), headers=headers)

    return anyio.run(post)


def test_a_26_mb_upload_is_refused_with_413_and_nothing_stored(app, asked, upload_dir):
    request_id, token = asked
    fields = {"csrf_token": _csrf(request_id), "kind": "soc2_report", **SOC2}
    answer = _post_streamed(app, f"/portal/{token}/submissions", fields, 26 * 1024 * 1024)
    assert answer.status_code == 413
    assert 'id="soc2_report-document-error"' in answer.text
    assert "larger than 25 MB" in answer.text
    assert 'value="Hale &amp; Moss LLP"' in answer.text  # what was typed, kept
    assert _submissions() == []
    assert not any(p.is_file() for p in upload_dir.rglob("*"))


def test_a_file_that_is_not_a_pdf_is_refused_with_415(portal, asked):
    request_id, token = asked
    answer = _post(portal, token, request_id, SOC2, pdf=b"GIF89a not a pdf")
    assert answer.status_code == 415
    assert _submissions() == []


def test_reading_the_pdf_fills_the_form_and_carries_the_pdf(portal, asked):
    request_id, token = asked
    read = _post(portal, token, request_id, {}, pdf=soc2_recent_pdf().pdf, to="extract")
    assert read.status_code == 200
    assert 'value="Hale &amp; Moss LLP"' in read.text
    assert 'id="soc2_report-read-result"' in read.text
    handle = read.text.split('name="document_handle" value="')[1].split('"')[0]
    body = {**SOC2, "document_handle": handle, "document_name": "soc2-2026.pdf"}
    assert _post(portal, token, request_id, body, pdf=None).status_code == 303
    assert _submissions()[0].document_name == "soc2-2026.pdf"


def test_a_hostile_pdf_is_answered_within_seconds(portal, asked):
    request_id, token = asked
    started = time.monotonic()
    answer = _post(portal, token, request_id, {}, pdf=BOMB, to="extract")
    assert time.monotonic() - started < 10
    assert answer.status_code == 422
    assert 'id="soc2_report-document-error"' in answer.text
    assert "too large or complex" in answer.text


def test_the_portal_of_one_vendor_shows_nothing_of_another(portal, analyst, vendor):
    other = analyst.post("/api/v1/vendors", json=vendor_body(name="Zeta Other Ltd")).json()
    other_id, other_token = _request(other["id"])
    _post(portal, other_token, other_id, SOC2, pdf=PDF)
    analyst.post(
        f"/api/v1/vendors/{other['id']}/evidence",
        json={
            "kind": "iso27001_certificate",
            "standard_version": "2022",
            "certificate_number": "ZETA-CERT-9",
            "certification_body": "BSI",
            "issued_on": "2025-01-10",
            "expires_on": "2028-01-09",
        },
    )
    _, token = _request(vendor["id"])
    html = portal.get(f"/portal/{token}").text
    assert vendor["name"] in html
    for theirs in ("Zeta Other Ltd", "soc2-2026.pdf", "ZETA-CERT-9"):
        assert theirs not in html


def test_headers_and_no_cookie(portal, asked, analyst):
    request_id, token = asked
    responses = [
        portal.get(f"/portal/{token}"),
        _post(portal, token, request_id, SOC2),
        portal.get(f"/portal/{request_id}.{'B' * 43}"),
        _post(portal, token, request_id, SOC2, csrf="no"),
    ]
    for answer in responses:
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "set-cookie" not in answer.headers
    assert not portal.cookies


def test_posts_over_the_limit_answer_429(portal, asked, monkeypatch):
    monkeypatch.setattr(throttle, "PER_LINK", 2)
    request_id, token = asked
    for to in ("extract", "submissions"):  # both count, refused or not
        assert _post(portal, token, request_id, SOC2, csrf="x", to=to).status_code == 403
    assert _post(portal, token, request_id, {}, to="extract").status_code == 429
    answer = _post(portal, token, request_id, SOC2)
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    assert token not in answer.text
    assert _submissions() == []


def test_posts_over_the_address_limit_answer_429(portal, vendor, monkeypatch):
    monkeypatch.setattr(throttle, "PER_CLIENT", 2)
    links_made = [_request(vendor["id"]) for _ in range(3)]
    codes = [_post(portal, t, i, SOC2).status_code for i, t in links_made]
    assert codes == [303, 303, 429]


def test_prune_deletes_the_posts_older_than_the_window(vendor):
    request_id, _ = _request(vendor["id"])
    with db.session_scope() as s:
        for minutes in (1, 14, 16, 60):
            at = NOW - timedelta(minutes=minutes)
            s.add(PortalPost(request_id=request_id, client="203.0.113.9", at=at))
    with db.session_scope() as s:
        assert throttle.prune(NOW, session=s) == 2
    with db.session_scope(writes=False) as s:
        left = sorted(p.at for p in s.exec(select(PortalPost)))
    assert left == [NOW - timedelta(minutes=14), NOW - timedelta(minutes=1)]


def test_the_access_log_filter_redacts_the_token(app):
    assert any(isinstance(f, RedactPortalLinks) for f in logging.getLogger(ACCESS_LOGGER).filters)
    token = f"12.{'C' * 43}"
    record = logging.LogRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5000", "POST", f"/portal/{token}/submissions?x=1", "1.1", 303),
        None,
    )
    assert RedactPortalLinks().filter(record)
    line = record.getMessage()
    assert token not in line and "/portal/[link]/submissions" in line


def test_the_audit_log_never_holds_the_token(portal, asked):
    request_id, token = asked
    _post(portal, token, request_id, {}, pdf=soc2_recent_pdf().pdf, to="extract")
    assert _post(portal, token, request_id, SOC2).status_code == 303
    with db.session_scope(writes=False) as s:
        entries = list(s.exec(select(AuditEntry)))
    assert entries
    mac = token.split(".")[1]
    for entry in entries:
        assert mac not in repr(entry.model_dump())


def _accept(submission_id: int) -> None:
    with db.session_scope() as s:
        submission = s.get(EvidenceSubmission, submission_id)
        values = service.acceptance_input(submission, Acceptance(scope_covers_services="yes"))
        data = TypeAdapter(EvidenceCreate).validate_python(values)
        service.accept(
            session=s, submission_id=submission_id, data=data, actor="ana", today=TODAY, now=NOW
        )


def test_rejected_and_accepted_submissions_in_the_vendors_words(portal, vendor):
    request_id, token = _request(vendor["id"])
    _post(portal, token, request_id, SOC2)
    (first,) = _submissions()
    with db.session_scope() as s:
        service.reject(
            session=s, submission_id=first.id, reason="The PDF is unsigned.", actor="a", now=NOW
        )
    page = portal.get(f"/portal/{token}").text
    assert "Not accepted — The PDF is unsigned." in page
    _post(portal, token, request_id, SOC2)
    _accept(_submissions()[-1].id)
    page = portal.get(f"/portal/{token}")
    assert page.status_code == 200
    assert "Accepted" in page.text and "nothing more is needed" in page.text
    assert 'name="document"' not in page.text  # nothing more to send
    late = _post(portal, token, request_id, SOC2)
    assert late.status_code == 410 and token not in late.text.split("<main", 1)[1]
    assert len(_submissions()) == 2


def test_the_access_logger_itself_writes_no_token(app):
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger, keep = logging.getLogger(ACCESS_LOGGER), Keep()
    logger.addHandler(keep)
    level, logger.level = logger.level, logging.INFO
    try:
        token = f"7.{'D' * 43}"
        logger.info(
            '%s - "%s %s HTTP/%s" %d', "203.0.113.9:1", "GET", f"/portal/{token}", "1.1", 200
        )
    finally:
        logger.removeHandler(keep)
        logger.setLevel(level)
    assert lines == ['203.0.113.9:1 - "GET /portal/[link] HTTP/1.1" 200']


def test_uvicorn_serving_the_app_logs_no_token(app, vendor):
    """The filter holds however uvicorn is started: its logging set up, then the app served."""
    _, token = _request(vendor["id"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    keep = Keep()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        logging.getLogger(ACCESS_LOGGER).addHandler(keep)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        assert httpx.get(f"{base}/portal/{token}").status_code == 200
        assert httpx.get(f"{base}/portal/{token}x").status_code == 404
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        logging.getLogger(ACCESS_LOGGER).removeHandler(keep)
    assert len(lines) == 2 and all("/portal/[link]" in line for line in lines)
    assert not any(token.split(".")[1] in line for line in lines)


def test_the_portal_never_sets_a_cookie_even_for_an_ended_analyst_session(app, asked):
    request_id, token = asked
    user = make_user("analyst-on-portal@example.com", "analyst")
    stale = session_cookie(user)
    with db.session_scope() as s:
        sessions.end(session=s, session_id=stale.session_id)  # logged out elsewhere
    value = stale.set_cookie_header(secure=False).split(";")[0].split("=", 1)[1]
    with TestClient(app) as browser:
        browser.cookies.set(COOKIE, value)
        page = browser.get(f"/portal/{token}")
        sent = _post(browser, token, request_id, SOC2)
    assert page.status_code == 200 and sent.status_code == 303
    assert "set-cookie" not in page.headers and "set-cookie" not in sent.headers
    assert "Log out" not in page.text


def test_a_bridge_letter_names_its_report_in_words(portal, vendor):
    request_id, token = _request(vendor["id"], kinds=("bridge_letter",))
    page = portal.get(f"/portal/{token}").text
    for name in ("signed_on", "covers_until", "report_named"):
        assert f'name="{name}"' in page
    assert "soc2_report_id" not in page and "-read" not in page  # filled in by hand
    letter = {"signed_on": "2026-06-01", "covers_until": "2026-06-30", "report_named": "FY25 SOC 2"}
    sent = _post(portal, token, request_id, letter, kind="bridge_letter")
    assert sent.status_code == 303
    assert _submissions()[0].fields["report_named"] == "FY25 SOC 2"
    linked = _post(
        portal, token, request_id, {**letter, "soc2_report_id": "1"}, kind="bridge_letter"
    )
    assert linked.status_code == 422 and "soc2_report_id" in linked.text


def test_other_errors_under_the_portal_are_the_portals_own_pages(portal, asked):
    request_id, token = asked
    answers = {
        404: portal.get(f"/portal/{token}/nothing-here"),
        405: portal.get(f"/portal/{token}/submissions"),
    }
    long_token = portal.get(f"/portal/{'9' * 300}")
    assert long_token.status_code == 404
    for status, answer in answers.items():
        assert answer.status_code == status
        assert "log in" not in answer.text and "dashboard" not in answer.text
        assert token not in answer.text and answer.headers["referrer-policy"] == "no-referrer"


def test_the_daily_pass_forgets_old_portal_posts(vendor):
    from app.portal.reminders import daily_mail

    request_id, _ = _request(vendor["id"])
    now = clock.utc_now()
    with db.session_scope() as s:
        s.add(PortalPost(request_id=request_id, client="203.0.113.9", at=now - timedelta(hours=1)))
        s.add(PortalPost(request_id=request_id, client="203.0.113.9", at=now))
    daily_mail(TODAY)
    with db.session_scope(writes=False) as s:
        assert [p.at for p in s.exec(select(PortalPost))] == [now]
