"""The digest's "Evidence requests overdue" (SPEC §11): the requests still open after their
due date — from the day after it — in the team's digest, the owner's, the API and the e-mail."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select
from typer.testing import CliRunner

from app.cli import app
from app.config import get_settings
from app.db import session_scope
from app.digest.job import send_digest
from app.models import Vendor
from app.portal import service
from app.portal.schemas import RequestCreate

from .conftest import DEMO_DAY, TEAM

ASKED_ON = DEMO_DAY - timedelta(days=20)
runner = CliRunner()


def _ask(vendor: str, due_on: date, contact: str = "security@orbit.example") -> int:
    with session_scope() as session:
        vendor_id = session.exec(select(Vendor.id).where(Vendor.name == vendor)).one()
        data = RequestCreate(kinds=["iso27001_certificate"], contact_email=contact, due_on=due_on)
        request = service.create_request(
            session=session,
            vendor_id=vendor_id,
            data=data,
            actor="ana",
            today=ASKED_ON,
            now=datetime(2026, 5, 26, 9, tzinfo=UTC),
        )
        return request.id


def _cancel(request_id: int) -> None:
    with session_scope() as session:
        service.cancel_request(
            session=session,
            request_id=request_id,
            reason="",
            actor="ana",
            now=datetime(2026, 6, 1, tzinfo=UTC),
            today=DEMO_DAY,
        )


def _preview(*args: str, as_of: date = DEMO_DAY) -> str:
    result = runner.invoke(app, ["digest", "preview", "--as-of", as_of.isoformat(), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_request_is_overdue_from_the_day_after_its_due_date(demo, reader) -> None:
    overdue = _ask("Orbit Analytics", DEMO_DAY - timedelta(days=1))
    _ask("Brightline HR", DEMO_DAY, contact="it@brightline.example")  # due today: not yet
    _cancel(_ask("Ledgerly", DEMO_DAY - timedelta(days=5), contact="sec@ledgerly.example"))
    data = reader.get("/api/v1/digest/preview", params={"as_of": DEMO_DAY.isoformat()}).json()
    [row] = data["requests_overdue"]
    assert row["request_id"] == overdue and row["vendor"]["name"] == "Orbit Analytics"
    assert (row["due_on"], row["days"]) == ("2026-06-14", 1)
    assert (row["documents"], row["contact"]) == (
        ["ISO 27001 certificate"],
        "security@orbit.example",
    )
    text = _preview()
    assert "EVIDENCE REQUESTS OVERDUE (1)" in text
    assert f"Orbit Analytics [medium] — evidence request #{overdue}: ISO 27001 certificate" in text
    assert "due 2026-06-14, 1 day overdue; contact security@orbit.example" in text
    assert "brightline.example" not in text and "ledgerly.example" not in text
    assert "No evidence request is overdue." in _preview(as_of=DEMO_DAY - timedelta(days=1))


def test_the_owner_digest_lists_only_the_owner_s_requests(demo) -> None:
    _ask("Orbit Analytics", DEMO_DAY - timedelta(days=3))  # tom.becker's
    assert "evidence request #" in _preview("--owner", "tom.becker@example.com")
    theirs = _preview("--owner", "priya.shah@example.com")
    assert "EVIDENCE REQUESTS OVERDUE (0)" in theirs and "orbit.example" not in theirs


def test_the_sent_digest_has_the_section(demo, smtp_settings) -> None:
    _ask("Orbit Analytics", DEMO_DAY - timedelta(days=8))
    report = send_digest(as_of=DEMO_DAY, settings=get_settings(), today=DEMO_DAY)
    assert report.count("sent") == 1
    [message] = smtp_settings.to(TEAM)
    assert "8 days overdue" in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Evidence requests overdue (1)" in html and "security@orbit.example" in html
