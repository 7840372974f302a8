"""Dates a document cannot have (SPEC §2 v2): refused, naming the date and why; nothing written."""

import pytest
from factories import bridge_body, count, iso_body, soc2_body, vendor_body

from app.models import AuditEntry, Evidence

TODAY = "2026-06-15"  # conftest.TEST_TODAY


@pytest.fixture
def vendor(analyst) -> dict:
    return analyst.post("/api/v1/vendors", json=vendor_body(tier="high")).json()


@pytest.fixture
def report_id(analyst, vendor) -> int:
    """A SOC 2 report of the vendor whose period ends 2026-03-31."""
    return _post(analyst, vendor, soc2_body()).json()["evidence"]["id"]


def _post(client, vendor, body):
    body = {k: v for k, v in body.items() if v is not None}
    return client.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=body)


def soc_body(kind: str, **overrides) -> dict:
    """A SOC 1, 2 or 3 report received 2026-05-01 for the period ended 2026-03-31."""
    if kind == "soc3_report":
        return soc2_body(kind=kind, report_type=None, tsc=None, **overrides)
    return soc2_body(kind=kind, tsc=None if kind == "soc1_report" else ["security"], **overrides)


LATE_PERIOD = {"period_start": "2025-05-03", "period_end": "2026-05-02"}


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (soc2_body(received_on="2026-06-16"), "received_on", f"after today ({TODAY})"),
        *(
            (soc_body(kind, **LATE_PERIOD), "period_end", "received_on (2026-05-01)")
            for kind in ("soc2_report", "soc1_report", "soc3_report")
        ),
        (
            soc2_body(period_start="2199-01-01", period_end="2199-12-31", received_on=None),
            "period_end",
            f"received_on (today, {TODAY}): a report is issued only after its period ends",
        ),
        (soc2_body(issued_on="2026-05-02"), "issued_on", "cannot be received before it is issued"),
        (iso_body(received_on="2026-01-09"), "issued_on", "received_on (2026-01-09)"),
        (
            iso_body(last_surveillance_on="2026-01-21"),
            "last_surveillance_on",
            "surveillance audit that had not happened",
        ),
        (iso_body(issued_on="2026-07-01", received_on=None), "issued_on", f"today, {TODAY}"),
    ],
)
def test_a_report_or_certificate_with_an_impossible_date_is_422(
    analyst, vendor, session, body, field, words
):
    response = _post(analyst, vendor, body)
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", field]
    assert words in error["msg"]
    assert count(session, Evidence) == 0
    assert count(session, AuditEntry, entity="evidence") == 0


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"received_on": "2026-05-31"}, "after received_on (2026-05-31)"),
        ({"signed_on": "2026-03-30", "received_on": "2026-04-02"}, "period end (2026-03-31)"),
    ],
)
def test_a_bridge_letter_with_an_impossible_signing_date_is_422(
    analyst, vendor, report_id, session, overrides, words
):
    response = _post(analyst, vendor, bridge_body(report_id, **overrides))
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "signed_on"] and words in error["msg"]
    assert count(session, Evidence, kind="bridge_letter") == 0


@pytest.mark.parametrize(
    "body",
    [
        soc2_body(issued_on="2026-05-01"),  # issued and received the same day
        soc2_body(period_start="2025-05-02", period_end="2026-05-01"),  # received the day it ended
        iso_body(last_surveillance_on="2025-11-20"),  # audited, then re-issued
        iso_body(issued_on="2026-01-20", last_surveillance_on="2026-01-20"),
    ],
)
def test_dates_on_the_boundary_are_accepted(analyst, vendor, body):
    assert _post(analyst, vendor, body).status_code == 201


def test_a_bridge_letter_signed_the_day_the_period_ended_is_accepted(analyst, vendor, report_id):
    body = bridge_body(report_id, signed_on="2026-03-31", received_on="2026-05-01")
    assert _post(analyst, vendor, body).status_code == 201
