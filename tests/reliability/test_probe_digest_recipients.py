"""Issue 14, item 7: one bad recipient stopped the digest for everyone after it. Each recipient
is its own delivery: a refused one is recorded (never as sent) and sent again by the next run,
the others go out; an address that needs SMTPUTF8 goes out with it when the server offers it,
and is a refused delivery, saying why, when the server does not.

Against a real SMTP server on 127.0.0.1 (aiosmtpd): recipients in the order the run sends
them — the team, then the owners sorted — with the bad ones before good ones."""

import pytest
from conftest import TEST_TODAY
from digest.conftest import SmtpServer
from factories import soc2_body
from reliability.support import COUNTS, finding_closed
from sqlmodel import select
from typer.testing import CliRunner
from web.support import web_client

from app import config, db
from app.cli import app as cli
from app.models import DigestDelivery

TEAM = "tprm@example.com"
OWNERS = ["ascii.owner@example.com", "drop@example.com", "gone@example.com",
          "jörg@example.com", "later@example.com"]  # fmt: skip
GOOD = [TEAM, "ascii.owner@example.com", "later@example.com"]


class DroppingServer(SmtpServer):
    """Refuses `gone@` with a 550 and closes the connection (421) at `drop@`."""

    def start(self) -> None:
        super().start()
        handler, refuse = self.handler, type(self.handler).handle_RCPT

        async def handle_rcpt(server, session, envelope, address, options):
            if address == "drop@example.com" and "drop" in handler.refuse:
                return "421 4.3.2 Service shutting down, closing transmission channel"
            return await refuse(handler, server, session, envelope, address, options)

        handler.handle_RCPT = handle_rcpt


@pytest.fixture
def owners_with_news(analyst) -> None:
    """A vendor for each owner whose SOC 2 report goes stale within 60 days."""
    for n, owner in enumerate(OWNERS):
        body = {"name": f"Owned {n}", "tier": "high", "owner_email": owner}
        vendor = analyst.post("/api/v1/vendors", json=body)
        assert vendor.status_code == 201, vendor.text
        report = soc2_body(period_start="2024-08-01", period_end="2025-07-31")
        url = f"/api/v1/vendors/{vendor.json()['id']}/evidence"
        assert analyst.post(url, json=report).status_code == 201


def _server(monkeypatch, **options) -> SmtpServer:
    server = DroppingServer(**options)
    server.start()
    values = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "DIGEST_TO": TEAM,
              "DIGEST_OWNERS": "true", "SMTP_FROM": "vetted@example.org"}  # fmt: skip
    for name, value in values.items():
        monkeypatch.setenv(f"VETTED_{name}", value)
    config.get_settings.cache_clear()
    return server


def _send():
    args = ["digest", "send", "--as-of", TEST_TODAY.isoformat()]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def _deliveries() -> dict[str, DigestDelivery]:
    with db.session_scope(writes=False) as session:
        return {row.recipient: row for row in session.exec(select(DigestDelivery))}


def _received(server: SmtpServer) -> list[str]:
    return sorted(m["X-RcptTo"] for m in server.messages)


def test_bad_recipients_are_recorded_and_retried_and_the_others_get_theirs(
    app, owners_with_news, monkeypatch
):
    plain = _server(monkeypatch, enable_SMTPUTF8=False)
    plain.handler.refuse.update({"gone@example.com", "drop"})
    try:
        first = _send()
    finally:
        plain.stop()
    assert first.exit_code == 1
    assert _received(plain) == sorted(GOOD)  # everyone after the bad ones got theirs
    rows = _deliveries()
    assert sorted(r for r, row in rows.items() if row.sent_at) == sorted(GOOD)
    refused = {r: row.error for r, row in rows.items() if row.sent_at is None}
    assert set(refused) == {"drop@example.com", "gone@example.com", "jörg@example.com"}
    assert "550" in refused["gone@example.com"] and "421" in refused["drop@example.com"]
    assert "SMTPUTF8" in refused["jörg@example.com"]
    assert all(rows[r].failed_at is not None for r in refused)
    assert "jörg@example.com needs SMTPUTF8" in first.stderr
    with web_client(app, "reader") as web:
        page = " ".join(web.get("/digest").text.split())
    assert "gone@example.com (refused" in page and "sent again by the next run" in page

    utf8 = _server(monkeypatch, enable_SMTPUTF8=True)  # the next run: a server that offers it
    try:
        second = _send()
    finally:
        utf8.stop()
    assert second.exit_code == 0, second.output
    assert _received(utf8) == ["drop@example.com", "gone@example.com", "jörg@example.com"]
    (letter,) = [m for m in utf8.messages if m["X-RcptTo"] == "jörg@example.com"]
    assert (
        letter["To"] == "jörg@example.com"
        and "Owned 3" in letter.get_body(("plain",)).get_content()
    )
    rows = _deliveries()
    assert all(row.sent_at and row.failed_at is None and row.error is None for row in rows.values())
    COUNTS["digest: refused recipients retried"] += 3
    finding_closed("7 one bad recipient stops the digest")
