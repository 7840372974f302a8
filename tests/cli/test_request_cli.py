"""`vetted request create|list|cancel`: evidence requests from the command line."""

from datetime import timedelta

import pytest
from factories import count, rows, vendor_body
from typer.testing import CliRunner

from app import db
from app.cli import app
from app.cli_options import today
from app.models import AuditEntry, EvidenceRequest
from app.vendors.schemas import VendorCreate
from app.vendors.service import create_vendor

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _due(days: int = 14) -> str:
    return (today() + timedelta(days=days)).isoformat()


def _vendor(**fields) -> dict:
    with db.session_scope() as s:
        data = VendorCreate.model_validate(vendor_body(**fields))
        vendor = create_vendor(session=s, data=data, actor="t", today=today())
        return {"id": vendor.id, "name": vendor.name}


@pytest.fixture
def vendor(database_url) -> dict:
    return _vendor(name="Acme Cloud", security_contact_email="security@acme.example")


def _create(*more: str):
    return run("request", "create", "--vendor", "Acme Cloud", "--kind", "soc2_report", *more)


def test_create_prints_the_link_and_defaults_the_contact(vendor, session) -> None:
    result = _create("--kind", "bridge_letter", "--due", _due(), "--message", "Annual review")
    assert result.exit_code == 0, result.output
    (request,) = rows(session, EvidenceRequest)
    assert f"request {request.id} open" in result.stdout
    assert "/portal/" in result.stdout
    assert "not e-mailed (no SMTP host configured)" in result.stdout
    assert request.contact_email == "security@acme.example"
    assert request.kinds == ["soc2_report", "bridge_letter"]
    assert request.created_by == "cli" and request.message == "Annual review"
    assert [e.actor for e in rows(session, AuditEntry, entity_id=request.id, action="create")]


def test_create_by_id_with_a_contact(vendor, session) -> None:
    result = run(
        "request", "create", "--vendor", str(vendor["id"]), "--kind", "iso27001_certificate",
        "--due", _due(), "--contact", "ciso@acme.example",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert rows(session, EvidenceRequest)[0].contact_email == "ciso@acme.example"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--due", "2001-01-01"], "due_on"),
        (["--due", _due(120)], "due_on"),
        (["--due", _due(), "--contact", "not an address"], "contact_email"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(vendor, session, args, message) -> None:
    result = _create(*args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert count(session, EvidenceRequest) == 0


def test_create_needs_a_vendor_a_contact_and_a_known_kind(database_url, session) -> None:
    _vendor(name="Quiet Ltd")
    missing = run(
        "request", "create", "--vendor", "Nobody", "--kind", "soc2_report", "--due", _due()
    )
    assert missing.exit_code == 1 and "'Nobody'" in missing.stderr
    quiet = run(
        "request", "create", "--vendor", "Quiet Ltd", "--kind", "soc2_report", "--due", _due()
    )
    assert quiet.exit_code == 1 and "--contact" in quiet.stderr
    odd = run("request", "create", "--vendor", "Quiet Ltd", "--kind", "soc9", "--due", _due())
    assert odd.exit_code == 2
    bad_day = run(
        "request", "create", "--vendor", "Quiet Ltd", "--kind", "soc2_report", "--due", "soon"
    )
    assert bad_day.exit_code == 2 and "not a date" in bad_day.output
    assert count(session, EvidenceRequest) == 0


def test_list_and_cancel(vendor, session) -> None:
    _create("--due", _due())
    other = _vendor(name="Beta Bank", security_contact_email="sec@beta.example")
    run("request", "create", "--vendor", "Beta Bank", "--kind", "soc2_report", "--due", _due())
    first, second = (r.id for r in rows(session, EvidenceRequest))
    listed = run("request", "list").stdout.splitlines()
    assert listed[0].split()[:3] == ["id", "vendor", "status"]
    assert [line.split()[0] for line in listed[1:]] == [str(second), str(first)]
    assert "Acme Cloud" in listed[2] and "open" in listed[2]
    cancelled = run("request", "cancel", str(first), "--reason", "asked twice")
    assert cancelled.exit_code == 0 and f"cancelled request {first}" in cancelled.stdout
    by_status = run("request", "list", "--status", "cancelled").stdout.splitlines()
    assert [line.split()[0] for line in by_status[1:]] == [str(first)]
    by_vendor = run("request", "list", "--vendor", str(other["id"])).stdout.splitlines()
    assert [line.split()[0] for line in by_vendor[1:]] == [str(second)]
    again = run("request", "cancel", str(first))
    assert again.exit_code == 1 and "cancelled" in again.stderr
    assert run("request", "cancel", "9999").exit_code == 1
    assert run("request", "list", "--vendor", "Nobody").exit_code == 1
    assert run("request", "list", "--status", "lost").exit_code == 2
    session.commit()
    assert rows(session, EvidenceRequest, id=first)[0].cancel_reason == "asked twice"
