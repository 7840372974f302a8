"""`vetted digest send` end to end against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from factories import rows
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import clock
from app.cli import app
from app.config import ROOT
from app.db import session_scope
from app.models import AuditEntry, DigestDelivery, Vendor
from app.vendors.schemas import VendorCreate
from app.vendors.service import create_vendor

AS_OF = "2026-06-15"  # the demo data is loaded as of this day
WEEK = "2026-W25"
TEAM = "tprm@example.com"
SUBJECT = f"Vendor evidence — week {WEEK}: 2 expired, 2 expiring within 30 days"
runner = CliRunner()


def send(*args: str):
    return runner.invoke(app, ["digest", "send", "--as-of", AS_OF, *args], catch_exceptions=False)


def stored(session, model, **where) -> list:
    """The rows as committed now (ends the read session's snapshot first)."""
    session.commit()
    return rows(session, model, **where)


def sent_rows(session) -> list[DigestDelivery]:
    return [r for r in stored(session, DigestDelivery) if r.sent_at is not None]


def test_the_digest_arrives_with_both_parts(smtp_settings, demo, session):
    result = send()
    assert result.exit_code == 0, result.output
    (msg,) = smtp_settings.messages
    assert msg["X-RcptTo"] == TEAM and msg["To"] == TEAM
    assert msg["From"] == "vetted@example.org"
    assert msg["Subject"] == SUBJECT
    message_id = msg["Message-ID"].strip()
    assert message_id.startswith("<") and message_id.endswith("@example.org>")
    assert msg["Date"] and msg["Auto-Submitted"] == "auto-generated"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Brightline HR" in part and "Helio Mail" in part and "Sentinel Backup" in part
    assert "https://vetted.example.org/vendors/" in text and 'href="https://vetted' in html
    (row,) = sent_rows(session)
    assert (row.week, row.recipient, row.message_id) == (WEEK, TEAM, message_id)
    assert len(stored(session, AuditEntry, entity="digest_delivery", action="send")) == 1
    assert f"sent {TEAM}" in " ".join(result.stdout.split())


def test_a_second_run_sends_nothing_and_force_sends_again(smtp_settings, demo, session):
    assert send().exit_code == 0
    again = send()
    assert again.exit_code == 0
    assert "nothing sent" in again.stdout and "--force" in again.stdout
    assert len(smtp_settings.messages) == 1
    forced = send("--force")
    assert forced.exit_code == 0, forced.output
    assert len(smtp_settings.messages) == 2
    (row,) = sent_rows(session)
    assert row.message_id == smtp_settings.messages[1]["Message-ID"].strip()
    assert len(stored(session, AuditEntry, entity="digest_delivery", action="resend")) == 1


def test_owners_get_only_their_vendors_and_nobody_gets_an_empty_one(
    smtp_settings, demo, configure, session
):
    configure(digest_owners="true", digest_to=f"{TEAM}, Priya.Shah@example.com")
    with session_scope() as s:
        quiet = VendorCreate(name="Quiet Co", tier="low", owner_email="quiet@example.com")
        create_vendor(session=s, data=quiet, actor="test", today=clock.today())
    assert send().exit_code == 0
    recipients = sorted(m["X-RcptTo"].lower() for m in smtp_settings.messages)
    assert recipients == [
        "dana.ortiz@example.com",
        "facilities@example.com",
        "priya.shah@example.com",  # named in VETTED_DIGEST_TO: the team's digest, once
        "tom.becker@example.com",
        TEAM,
    ]
    (tom,) = smtp_settings.to("tom.becker@example.com")
    text = tom.get_body(("plain",)).get_content()
    assert "Orbit Analytics" in text and "Vector Security Consulting" in text
    assert "Brightline HR" not in text and "Tally Expenses" not in text
    assert "vendors you own (tom.becker@example.com)" in text
    (priya,) = smtp_settings.to("priya.shah@example.com")
    assert "Tally Expenses" in priya.get_body(("plain",)).get_content()
    assert len(sent_rows(session)) == 5


def test_with_the_server_down_nothing_is_recorded_and_a_later_run_delivers(
    smtp_settings, demo, session
):
    smtp_settings.stop()
    failed = send()
    assert failed.exit_code == 1
    assert f"cannot reach the SMTP server 127.0.0.1:{smtp_settings.port}" in failed.stderr
    assert "Connection refused" in failed.stderr
    assert len(stored(session, DigestDelivery)) == 0
    assert len(stored(session, AuditEntry, entity="digest_delivery")) == 0
    smtp_settings.start()
    assert send().exit_code == 0
    assert [m["X-RcptTo"] for m in smtp_settings.messages] == [TEAM]
    assert len(sent_rows(session)) == 1


def test_a_refused_recipient_fails_with_the_smtp_code_and_is_sent_next_time(
    smtp_settings, demo, configure, session
):
    configure(digest_to=f"{TEAM}, gone@example.com")
    smtp_settings.handler.refuse.add("gone@example.com")
    failed = send()
    assert failed.exit_code == 1
    assert "gone@example.com" in failed.stderr and "550" in failed.stderr
    assert [m["X-RcptTo"] for m in smtp_settings.messages] == [TEAM]
    assert [r.recipient for r in sent_rows(session)] == [TEAM]
    (refused,) = [r for r in stored(session, DigestDelivery) if r.sent_at is None]
    assert refused.recipient == "gone@example.com" and "550" in refused.error
    smtp_settings.handler.refuse.clear()
    retried = send()
    assert retried.exit_code == 0, retried.output
    assert [m["X-RcptTo"] for m in smtp_settings.messages] == [TEAM, "gone@example.com"]


def test_a_claim_left_by_a_crashed_run_is_taken_over_after_an_hour(smtp_settings, demo, session):
    with session_scope() as s:
        s.add(DigestDelivery(week=WEEK, recipient=TEAM, claimed_at=clock.utc_now()))
    busy = send()
    assert busy.exit_code == 0 and "being sent" in busy.stdout
    assert smtp_settings.messages == []
    with session_scope() as s:
        (row,) = rows(s, DigestDelivery)
        row.claimed_at = clock.utc_now() - timedelta(hours=2)
        s.add(row)
    assert send().exit_code == 0
    assert len(smtp_settings.messages) == 1 and len(sent_rows(session)) == 1


def _cli_process(database_url: str, smtp_port: int, owners: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "VETTED_DATABASE_URL": database_url,
        "VETTED_SMTP_HOST": "127.0.0.1",
        "VETTED_SMTP_PORT": str(smtp_port),
        "VETTED_DIGEST_TO": TEAM,
        "VETTED_DIGEST_OWNERS": owners,
    }
    command = [sys.executable, "-c", "from app.cli import app; app()", "digest", "send"]
    return subprocess.Popen(
        [*command, "--as-of", AS_OF],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_runs_started_at_the_same_time_send_once(smtp_settings, demo, database_url, session):
    processes = [_cli_process(database_url, smtp_settings.port, "true") for _ in range(4)]
    results = [(p.wait(timeout=60), *p.communicate()) for p in processes]
    assert all(code == 0 for code, _, _ in results), results
    recipients = [m["X-RcptTo"] for m in smtp_settings.messages]
    assert len(recipients) == 5 and len(set(recipients)) == 5, recipients
    assert len(sent_rows(session)) == 5
    outputs = "".join(out for _, out, _ in results)
    assert outputs.count("sent    ") == 5


def test_send_refuses_to_run_without_smtp_settings(database_url, demo, configure):
    configure(smtp_host="", digest_to=TEAM)
    result = send()
    assert result.exit_code == 1 and "VETTED_SMTP_HOST" in result.stderr


def test_send_refuses_to_run_without_recipients(smtp_settings, demo, configure):
    configure(digest_to="", digest_owners="false")
    result = send()
    assert result.exit_code == 1 and "VETTED_DIGEST_TO" in result.stderr


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "ssl"])
def test_sends_over_tls_with_a_login(tls_server, demo, configure, implicit):
    server = tls_server(implicit=implicit)
    configure(
        smtp_host="127.0.0.1",
        smtp_port=str(server.port),
        smtp_security="ssl" if implicit else "starttls",
        smtp_user="vetted",
        smtp_password="s3cret-relay",
        digest_to=TEAM,
    )
    result = send()
    assert result.exit_code == 0, result.output
    assert [m["X-RcptTo"] for m in server.messages] == [TEAM]


def test_a_wrong_password_fails_cleanly(tls_server, demo, configure, session):
    server = tls_server()
    configure(
        smtp_host="127.0.0.1",
        smtp_port=str(server.port),
        smtp_security="starttls",
        smtp_user="vetted",
        smtp_password="wrong",
        digest_to=TEAM,
    )
    result = send()
    assert result.exit_code == 1 and "SMTP login as vetted refused: 535" in result.stderr
    assert len(stored(session, DigestDelivery)) == 0


def test_serve_sends_the_week_s_digest_by_itself(smtp_settings, demo, configure, session):
    """The weekly trigger in the app's lifespan, due since Monday 00:00 of this week."""
    from app.main import create_app

    configure(digest_weekday="mon", digest_time="00:00")
    with TestClient(create_app()) as client:
        deadline = time.monotonic() + 30
        while not sent_rows(session) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get("/healthz").status_code == 200
    assert [m["X-RcptTo"] for m in smtp_settings.messages] == [TEAM]
    (row,) = sent_rows(session)
    assert row.week == f"{clock.today().isocalendar()[0]}-W{clock.today().isocalendar()[1]:02d}"
    assert stored(session, AuditEntry, entity="digest_delivery")[0].actor == "scheduler"
    assert len(stored(session, Vendor)) == 18
