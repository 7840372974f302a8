"""The request's e-mail and its reminders (SPEC §11), through a real SMTP server (aiosmtpd):
claimed once, refused ones retried, the link that opens the portal, and never the token in a
log line or a stored error."""

import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from digest.conftest import SmtpServer, free_port
from portal.conftest import PDF
from sqlmodel import select

from app import config, db
from app.documents.storage import store_pdf_bytes
from app.models import RequestEmail
from app.portal import links, service
from app.portal.mail import send_request_email
from app.portal.reminders import daily_mail, reminder_day, send_due_reminders
from app.portal.schemas import RequestCreate, submission_schema

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, tzinfo=UTC)
DUE = TODAY + timedelta(days=21)
CONTACT = "sec@vendor.example"
URL = re.compile(r"https://vetted\.example\.org/portal/\S+")


def _configure(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"VETTED_{name.upper()}", value)
    config.get_settings.cache_clear()


@pytest.fixture
def smtp(database_url, monkeypatch) -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1, and the settings pointing at it."""
    server = SmtpServer()
    server.start()
    _configure(
        monkeypatch,
        smtp_host="127.0.0.1",
        smtp_port=str(server.port),
        smtp_security="none",
        smtp_from="vetted@example.org",
        smtp_timeout_seconds="5",
        base_url="https://vetted.example.org",
        organisation_name="Acme Bank",
    )
    yield server
    server.stop()


def _request(vendor_id: int, kinds=("soc2_report",), due=DUE) -> int:
    data = RequestCreate(
        kinds=list(kinds), contact_email=CONTACT, due_on=due, message="Please send the new report"
    )
    with db.session_scope() as s:
        request = service.create_request(
            session=s,
            vendor_id=vendor_id,
            data=data,
            actor="ana@acme.example",
            today=TODAY,
            now=NOW,
        )
        return request.id


def _emails(request_id: int) -> list[RequestEmail]:
    with db.session_scope(writes=False) as s:
        query = select(RequestEmail).where(RequestEmail.request_id == request_id)
        return list(s.exec(query.order_by(RequestEmail.id)))


def _token_of(message) -> str:
    url = URL.search(message.get_body(("plain",)).get_content()).group(0)
    return url.rsplit("/portal/", 1)[1]


def _token(request_id: int) -> str:
    with db.session_scope(writes=False) as s:
        return links.token_for(s.get(service.EvidenceRequest, request_id))


# --- the request's e-mail ----------------------------------------------------------------------


def test_the_request_e_mails_a_link_that_opens_the_portal_once(smtp, vendor) -> None:
    request_id = _request(vendor["id"], kinds=("soc2_report", "iso27001_certificate"))
    outcome = send_request_email(request_id=request_id)
    assert (outcome.sent, outcome.configured, outcome.error) == (True, True, None)
    [message] = smtp.messages
    assert message["To"] == CONTACT and message["X-RcptTo"] == CONTACT
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for words in ("Acme Bank", vendor["name"], "SOC 2 report", "ISO 27001 certificate"):
        assert words in text and words in html.replace("&amp;", "&")
    assert str(DUE) in text and "No account is needed" in text
    assert "Please send the new report" in text
    with db.session_scope(writes=False) as s:
        request = service.open_link(session=s, token=_token_of(message), today=TODAY)
        assert request.id == request_id
        assert f"works until {request.expires_on}" in text
    again = send_request_email(request_id=request_id)
    assert (again.sent, again.configured, again.error) == (False, True, None)
    assert len(smtp.messages) == 1
    [row] = _emails(request_id)
    assert (row.what, row.due_on, row.recipient) == ("request", TODAY, CONTACT)
    assert row.sent_at is not None


def test_without_an_smtp_host_nothing_is_claimed(database_url, vendor, monkeypatch) -> None:
    monkeypatch.delenv("VETTED_SMTP_HOST", raising=False)
    config.get_settings.cache_clear()
    request_id = _request(vendor["id"])
    outcome = send_request_email(request_id=request_id)
    assert (outcome.sent, outcome.configured) == (False, False)
    assert send_due_reminders(today=DUE - timedelta(days=7)) == 0
    assert _emails(request_id) == []


def test_a_refused_e_mail_is_recorded_and_sent_by_a_later_pass(
    smtp, vendor, caplog, monkeypatch
) -> None:
    caplog.set_level(logging.DEBUG)
    request_id = _request(vendor["id"])
    smtp.handler.refuse.add(CONTACT)
    outcome = send_request_email(request_id=request_id)
    assert outcome.sent is False and outcome.configured is True and "550" in outcome.error
    [row] = _emails(request_id)
    assert row.sent_at is None and row.failed_at is not None and "550" in row.error
    smtp.handler.refuse.clear()
    daily_mail(TODAY + timedelta(days=1))
    [message] = smtp.messages
    [row] = _emails(request_id)
    assert row.sent_at is not None and row.error is None
    _assert_no_token(request_id, caplog)


def test_smtp_down_is_an_outcome_not_an_exception(smtp, vendor, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    request_id = _request(vendor["id"])
    smtp.stop()
    outcome = send_request_email(request_id=request_id)
    assert outcome.sent is False and outcome.configured is True
    assert "cannot reach the SMTP server" in outcome.error
    [row] = _emails(request_id)
    assert row.failed_at is not None and row.sent_at is None
    smtp.start()
    assert send_request_email(request_id=request_id).sent is True
    assert len(smtp.messages) == 1
    _assert_no_token(request_id, caplog)


def test_smtp_password_never_in_the_error(smtp, vendor, monkeypatch) -> None:
    _configure(monkeypatch, smtp_port=str(free_port()), smtp_password="hunter2-secret")
    request_id = _request(vendor["id"])
    outcome = send_request_email(request_id=request_id)
    [row] = _emails(request_id)
    assert "hunter2" not in outcome.error and "hunter2" not in row.error


def test_a_new_link_is_e_mailed_too_once(smtp, vendor) -> None:
    request_id = _request(vendor["id"])
    assert send_request_email(request_id=request_id).sent
    with db.session_scope() as s:
        service.rotate_link(session=s, request_id=request_id, actor="ana", today=TODAY)
    assert send_request_email(request_id=request_id).sent
    assert not send_request_email(request_id=request_id).sent
    first, second = smtp.messages
    assert _token_of(first) != _token_of(second) == _token(request_id)
    assert [r.what for r in _emails(request_id)] == ["request", "link-1"]


def test_the_request_says_whether_its_current_link_was_e_mailed(smtp, vendor) -> None:
    request_id = _request(vendor["id"])

    def emailed() -> bool:
        with db.session_scope(writes=False) as s:
            request = s.get(service.EvidenceRequest, request_id)
            sent = service.emails_sent(s, [request_id])[request_id]
            return service.request_read(request, "open", sent).link_emailed

    assert send_request_email(request_id=request_id).sent and emailed()
    with db.session_scope() as s:
        service.rotate_link(session=s, request_id=request_id, actor="ana", today=TODAY)
    assert not emailed()  # the first link's e-mail says nothing of the new link
    assert send_request_email(request_id=request_id).sent and emailed()


def test_a_cancelled_request_is_not_e_mailed(smtp, vendor) -> None:
    request_id = _request(vendor["id"])
    with db.session_scope() as s:
        service.cancel_request(
            session=s, request_id=request_id, reason="", actor="ana", now=NOW, today=TODAY
        )
    assert send_request_email(request_id=request_id).sent is False
    assert smtp.messages == [] and _emails(request_id) == []


# --- reminders ---------------------------------------------------------------------------------


def _reminders(request_id: int) -> list[date]:
    return [r.due_on for r in _emails(request_id) if r.what == "reminder" and r.sent_at]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - timedelta(days=8), None),
        (DUE - timedelta(days=7), DUE - timedelta(days=7)),
        (DUE - timedelta(days=1), DUE - timedelta(days=7)),
        (DUE + timedelta(days=6), DUE - timedelta(days=7)),
        (DUE + timedelta(days=7), DUE + timedelta(days=7)),
        (DUE + timedelta(days=13), DUE + timedelta(days=7)),
        (DUE + timedelta(days=14), DUE + timedelta(days=14)),
    ],
)
def test_the_reminder_schedule(today: date, expected: date | None) -> None:
    assert reminder_day(due_on=DUE, created_on=TODAY, today=today) == expected


def test_no_reminder_scheduled_on_or_before_the_creation_day() -> None:
    assert reminder_day(due_on=DUE, created_on=DUE - timedelta(days=7), today=DUE) is None
    assert reminder_day(due_on=DUE, created_on=DUE - timedelta(days=7), today=DUE + timedelta(7))


def test_reminders_before_due_and_weekly_while_overdue_each_once(smtp, vendor, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    request_id = _request(vendor["id"])
    assert send_due_reminders(today=DUE - timedelta(days=8)) == 0
    assert send_due_reminders(today=DUE - timedelta(days=7)) == 1
    assert send_due_reminders(today=DUE - timedelta(days=7)) == 0
    assert send_due_reminders(today=DUE - timedelta(days=6)) == 0
    assert send_due_reminders(today=DUE + timedelta(days=6)) == 0
    [reminder] = smtp.messages
    assert reminder["Subject"].startswith("Reminder:")
    with db.session_scope(writes=False) as s:
        assert service.open_link(session=s, token=_token_of(reminder), today=TODAY).id
    # the pass missed due + 7: the day after, the weekly overdue reminder goes out, once
    assert send_due_reminders(today=DUE + timedelta(days=8)) == 1
    assert send_due_reminders(today=DUE + timedelta(days=8)) == 0
    assert "was due on" in smtp.messages[-1].get_body(("plain",)).get_content()
    assert _reminders(request_id) == [DUE - timedelta(days=7), DUE + timedelta(days=7)]
    _assert_no_token(request_id, caplog)


def _submit(request_id: int) -> None:
    fields = {
        "kind": "soc2_report",
        "report_type": "type2",
        "period_start": "2025-04-01",
        "period_end": "2026-03-31",
        "opinion": "unqualified",
        "auditor": "Hale & Moss LLP",
        "tsc": ["security"],
    }
    data = submission_schema("soc2_report").model_validate(fields)
    with db.session_scope() as s:
        request = service.open_link(session=s, token=_token(request_id), today=TODAY)
        service.submit(
            session=s,
            request=request,
            kind="soc2_report",
            fields=service.check_submission("soc2_report", data, TODAY),
            document=store_pdf_bytes(PDF),
            document_name="soc2.pdf",
            today=TODAY,
            now=NOW,
        )


def test_no_reminder_for_a_submitted_cancelled_or_expired_request(smtp, vendor) -> None:
    submitted, cancelled = _request(vendor["id"]), _request(vendor["id"])
    _submit(submitted)
    with db.session_scope() as s:
        service.cancel_request(
            session=s, request_id=cancelled, reason="", actor="ana", now=NOW, today=TODAY
        )
        expires_on = s.get(service.EvidenceRequest, submitted).expires_on
    assert send_due_reminders(today=DUE - timedelta(days=7)) == 0
    expired = _request(vendor["id"])
    last_weekly = DUE + timedelta(days=28)  # due + 30 is the link's end: + 28 is its last one
    assert expires_on == DUE + timedelta(days=30)
    assert send_due_reminders(today=expires_on + timedelta(days=1)) == 0
    assert send_due_reminders(today=last_weekly) == 1
    assert _reminders(expired) == [last_weekly]
    assert _reminders(submitted) == _reminders(cancelled) == []


def _assert_no_token(request_id: int, caplog) -> None:
    token = _token(request_id)
    mac = token.split(".", 1)[1]
    for record in caplog.records:
        assert mac not in record.getMessage()
    for row in _emails(request_id):
        assert mac not in (row.error or "")


def test_the_daily_pass_sends_the_reminders_once_a_day(smtp, vendor) -> None:
    from app.main import DAILY_JOBS
    from app.status.daily import run_daily

    request_id = _request(vendor["id"])
    day = DUE - timedelta(days=7)
    assert run_daily(day=day, jobs=DAILY_JOBS) is not None
    assert run_daily(day=day, jobs=DAILY_JOBS) is None  # claimed: another process had it
    assert run_daily(day=day, jobs=DAILY_JOBS, force=True) is not None  # forced: still once
    assert _reminders(request_id) == [day] and len(smtp.messages) == 1


def test_a_claim_whose_process_died_is_taken_over_after_an_hour(smtp, vendor) -> None:
    request_id = _request(vendor["id"])
    claimed_at = datetime.now(UTC) - timedelta(minutes=30)
    with db.session_scope() as s:
        s.add(
            RequestEmail(
                request_id=request_id,
                what="request",
                due_on=TODAY,
                recipient=CONTACT,
                claimed_at=claimed_at,
            )
        )
    daily_mail(TODAY + timedelta(days=1))
    assert send_request_email(request_id=request_id).detail == "being sent by another process"
    with db.session_scope() as s:
        s.exec(select(RequestEmail)).one().claimed_at = claimed_at - timedelta(hours=1)
    daily_mail(TODAY + timedelta(days=1))
    assert len(smtp.messages) == 1 and _emails(request_id)[0].sent_at is not None
