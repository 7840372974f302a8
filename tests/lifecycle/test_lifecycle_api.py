"""Reviews, archive and reactivate, the contract's decision and the list filters (SPEC §12)."""

from datetime import date, timedelta

import pytest
from conftest import TEST_TODAY
from factories import rows, soc2_body, vendor_body, waiver_body

from app.models import AuditEntry, EvidenceRequest

CHECKS = {"data_returned_or_deleted": "yes", "access_removed": "not_applicable"}


def _create(client, **overrides) -> dict:
    response = client.post("/api/v1/vendors", json=vendor_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def _status(client, vendor_id: int, as_of: date | None = None) -> dict:
    query = f"?as_of={as_of.isoformat()}" if as_of else ""
    response = client.get(f"/api/v1/vendors/{vendor_id}/status{query}")
    assert response.status_code == 200, response.text
    return response.json()


def _review(client, vendor_id: int, outcome: str = "approved", on: date = TEST_TODAY):
    body = {"reviewed_on": on.isoformat(), "outcome": outcome, "notes": "read the report"}
    return client.post(f"/api/v1/vendors/{vendor_id}/reviews", json=body)


def _archive(client, vendor_id: int):
    body = {"reason": "contract ended", "checks": CHECKS}
    return client.post(f"/api/v1/vendors/{vendor_id}/archive", json=body)


def test_a_new_vendor_is_onboarding_with_its_review_due_the_day_it_was_created(analyst):
    vendor = _create(analyst)
    assert vendor["lifecycle"] == "onboarding"
    assert vendor["review_due_on"] == TEST_TODAY.isoformat()
    assert (vendor["notice_days"], vendor["auto_renews"], vendor["renewal_term_months"]) == (
        0,
        False,
        12,
    )
    status = _status(analyst, vendor["id"])
    assert (status["lifecycle"], status["decision"]) == ("onboarding", None)
    assert status["review_due_on"] == TEST_TODAY.isoformat()


def test_an_accepted_review_makes_an_onboarding_vendor_active_and_sets_the_next_due_date(
    analyst, reader
):
    vendor = _create(analyst, tier="medium")
    before = _status(analyst, vendor["id"])
    response = _review(analyst, vendor["id"], "approved_with_conditions", date(2026, 1, 31))
    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "approved_with_conditions"
    after = _status(analyst, vendor["id"])
    assert after["lifecycle"] == "active"
    assert after["review_due_on"] == "2028-01-31"  # medium: every 24 months
    assert (after["status"], after["flags"]) == (before["status"], before["flags"])
    listed = reader.get(f"/api/v1/vendors/{vendor['id']}/reviews").json()
    assert [r["reviewed_on"] for r in listed] == ["2026-01-31"]


def test_a_rejected_review_leaves_the_lifecycle_as_it_is(analyst, session):
    vendor = _create(analyst, tier="low")
    assert _review(analyst, vendor["id"], "rejected", date(2025, 2, 28)).status_code == 201
    status = _status(analyst, vendor["id"])
    assert status["lifecycle"] == "onboarding"
    assert status["review_due_on"] == "2028-02-29"  # low: 36 months; a month's end stays one
    assert rows(session, AuditEntry, entity="vendor_review")


def test_a_review_in_the_future_is_refused(analyst):
    vendor = _create(analyst)
    response = _review(analyst, vendor["id"], on=TEST_TODAY + timedelta(days=1))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reviewed_on"]


def test_lifecycle_is_set_by_hand_only_to_active_or_offboarding(analyst):
    vendor = _create(analyst)
    url = f"/api/v1/vendors/{vendor['id']}"
    assert analyst.patch(url, json={"lifecycle": "archived"}).status_code == 409
    assert analyst.patch(url, json={"lifecycle": "active"}).json()["lifecycle"] == "active"
    assert analyst.patch(url, json={"lifecycle": "onboarding"}).status_code == 409
    assert analyst.patch(url, json={"lifecycle": "offboarding"}).json()["lifecycle"] == (
        "offboarding"
    )
    created = analyst.post("/api/v1/vendors", json=vendor_body(lifecycle="active"))
    assert created.json()["lifecycle"] == "active"
    refused = analyst.post("/api/v1/vendors", json=vendor_body(lifecycle="archived"))
    assert refused.status_code == 409


def test_archive_and_reactivate_round_trip_with_the_audit_log(analyst, reader, session):
    vendor = _create(analyst)
    request = analyst.post(
        f"/api/v1/vendors/{vendor['id']}/requests",
        json={
            "kinds": ["soc2_report"],
            "contact_email": "sec@vendor.example",
            "due_on": (TEST_TODAY + timedelta(days=14)).isoformat(),
        },
    )
    assert request.status_code == 201, request.text
    archived = _archive(analyst, vendor["id"])
    assert archived.status_code == 200, archived.text
    assert archived.json()["lifecycle"] == "archived"
    assert archived.json()["offboarding_checks"] == CHECKS
    status = _status(reader, vendor["id"])
    assert status["status"] == "blocked"
    assert [f["code"] for f in status["flags"]] == ["VENDOR_ARCHIVED"]
    assert (status["lifecycle"], status["next_review_on"], status["review_due_on"]) == (
        "archived",
        None,
        None,
    )
    assert _archive(analyst, vendor["id"]).status_code == 409
    back = analyst.post(f"/api/v1/vendors/{vendor['id']}/reactivate")
    assert back.status_code == 200, back.text
    assert (back.json()["lifecycle"], back.json()["archive_reason"]) == ("active", None)
    assert analyst.post(f"/api/v1/vendors/{vendor['id']}/reactivate").status_code == 409
    assert _status(reader, vendor["id"])["flags"][0]["code"] != "VENDOR_ARCHIVED"
    entries = rows(session, AuditEntry, entity="vendor", entity_id=vendor["id"])
    archive = next(e for e in entries if e.action == "archive")
    assert archive.after["archive_reason"] == "contract ended"
    assert archive.after["offboarding_checks"] == CHECKS
    assert archive.before["lifecycle"] == "onboarding"
    assert [e.action for e in entries][-2:] == ["archive", "reactivate"]
    (row,) = rows(session, EvidenceRequest, vendor_id=vendor["id"])
    assert row.cancelled_at is not None  # archiving cancelled the open request


def test_writes_for_an_archived_vendor_answer_409_until_it_is_reactivated(analyst):
    vendor = _create(analyst)
    assert _archive(analyst, vendor["id"]).status_code == 200
    base = f"/api/v1/vendors/{vendor['id']}"
    request = {"kinds": ["soc2_report"], "contact_email": "s@v.example", "due_on": "2026-07-01"}
    assert analyst.post(f"{base}/evidence", json=soc2_body()).status_code == 409
    assert analyst.post(f"{base}/waivers", json=waiver_body()).status_code == 409
    assert analyst.post(f"{base}/requests", json=request).status_code == 409
    assert _review(analyst, vendor["id"]).status_code == 409
    assert analyst.get(f"{base}/evidence").status_code == 200  # still readable
    assert analyst.post(f"{base}/reactivate").status_code == 200
    assert analyst.post(f"{base}/evidence", json=soc2_body()).status_code == 201


def test_archived_vendors_leave_the_default_list_and_a_filter_shows_them(analyst, reader):
    kept, gone = _create(analyst), _create(analyst)
    _archive(analyst, gone["id"])
    ids = [v["id"] for v in reader.get("/api/v1/vendors").json()["items"]]
    assert kept["id"] in ids and gone["id"] not in ids
    archived = reader.get("/api/v1/vendors?lifecycle=archived").json()["items"]
    assert [v["id"] for v in archived] == [gone["id"]]


def test_the_review_filter_includes_overdue_reviews(analyst, reader):
    due_now = _create(analyst)
    later = _create(analyst)
    _review(analyst, later["id"])  # high: due in 12 months
    found = reader.get("/api/v1/vendors?review_due_within_days=30").json()["items"]
    assert [v["id"] for v in found if v["id"] in (due_now["id"], later["id"])] == [due_now["id"]]
    found = reader.get("/api/v1/vendors?review_due_within_days=366").json()["items"]
    assert {later["id"], due_now["id"]} <= {v["id"] for v in found}


@pytest.mark.parametrize(
    ("contract", "decision"),
    [
        (
            {"contract_end_on": "2026-09-30", "notice_days": 30},
            {"on": "2026-08-31", "contract_end_on": "2026-09-30", "missed": False},
        ),
        (  # a notice period longer than what is left
            {"contract_end_on": "2026-07-01", "notice_days": 60},
            {"on": "2026-05-02", "contract_end_on": "2026-07-01", "missed": True},
        ),
        (  # auto-renewed from a month's end: computed from the original date
            {"contract_end_on": "2024-02-29", "auto_renews": True, "renewal_term_months": 12},
            {"on": "2027-02-28", "contract_end_on": "2027-02-28", "missed": False},
        ),
        ({"contract_end_on": "2026-06-14"}, None),  # ended without renewal
    ],
)
def test_the_status_object_carries_the_renewal_decision(analyst, contract, decision):
    vendor = _create(analyst, **contract)
    shown = _status(analyst, vendor["id"])["decision"]
    if decision is None:
        assert shown is None
        return
    assert {k: shown[k] for k in decision} == decision
    assert shown["status"] == "blocked"  # nothing on file
    assert [f["code"] for f in shown["flags"]] == ["EVIDENCE_MISSING"]


def test_the_decision_foresees_a_report_going_stale_before_the_decision_date(analyst, reader):
    vendor = _create(analyst, contract_end_on="2027-06-30", notice_days=90)
    report = soc2_body(scope_covers_services="yes")
    assert analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=report).status_code == 201
    status = _status(reader, vendor["id"])
    assert status["status"] != "blocked"
    decision = status["decision"]
    assert (decision["on"], decision["status"]) == ("2027-04-01", "blocked")
    assert "SOC2_STALE" in [f["code"] for f in decision["flags"]]
    found = reader.get("/api/v1/vendors?decision_within_days=300").json()["items"]
    assert vendor["id"] in [v["id"] for v in found]
    found = reader.get("/api/v1/vendors?decision_within_days=200").json()["items"]
    assert vendor["id"] not in [v["id"] for v in found]


def test_the_vendor_page_history_names_the_review_and_the_archiving(analyst, session):
    from app.vendors.views import summary

    vendor = _create(analyst)
    _review(analyst, vendor["id"], "approved_with_conditions")
    _archive(analyst, vendor["id"])
    analyst.post(f"/api/v1/vendors/{vendor['id']}/reactivate")
    entries = rows(session, AuditEntry, vendor_id=vendor["id"])
    words = [summary(e) for e in entries]
    assert f"Recorded a review on {TEST_TODAY}: Approved with conditions" in words
    assert "Archived the vendor: contract ended" in words
    assert words[-1] == "Reactivated the vendor"
