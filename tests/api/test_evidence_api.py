"""The evidence and waiver API: the kind-discriminated body, retraction, waivers."""

import pytest
from factories import bridge_body, count, iso_body, soc2_body, vendor_body, waiver_body

from app.models import AuditEntry, Evidence, Waiver


@pytest.fixture
def vendor(analyst) -> dict:
    return analyst.post("/api/v1/vendors", json=vendor_body(tier="high")).json()


def _post(client, vendor, body):
    return client.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=body)


def test_iso_certificate_in_place_of_soc2_blocks_the_vendor(analyst, vendor):
    response = _post(analyst, vendor, iso_body())
    assert response.status_code == 201
    body = response.json()
    assert body["evidence"]["kind"] == "iso27001_certificate"
    assert body["status"]["status"] == "blocked"
    flag = body["status"]["flags"][0]
    assert (flag["code"], flag["evidence_id"]) == ("ISO_IN_PLACE_OF_SOC2", body["evidence"]["id"])
    assert "SOC 2" in flag["message"]


def test_clean_soc2_type2_approves_the_vendor(analyst, vendor):
    body = _post(analyst, vendor, soc2_body()).json()
    assert body["status"]["status"] == "approved"
    assert analyst.get(f"/api/v1/vendors/{vendor['id']}").json()["status"] == "approved"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "soc5_report"},
        soc2_body(report_type="type2", period_start=None),
        soc2_body(report_type="type1"),  # a Type I has no period start
        soc2_body(period_start="2026-04-01"),  # after the period end
        soc2_body(issued_on="2026-03-01"),  # before the period end
        soc2_body(tsc=["availability"]),
        soc2_body(tsc=[]),
        soc2_body(opinion="fine"),
        soc2_body(auditor=""),
        soc2_body(exceptions_noted=-1),
        soc2_body(subservice_orgs=[{"name": "AWS", "method": "sideways"}]),
        soc2_body(received_on="2026-06-16"),  # after today
        iso_body(expires_on="2026-01-10"),
        iso_body(standard_version="2005"),
        iso_body(certificate_number=""),
        iso_body(certificate_status="lapsed"),
        {**soc2_body(), "kind": "soc1_report", "tsc": ["security"]},
        {
            "kind": "soc3_report",
            "report_type": "type2",
            "period_end": "2026-03-31",
            "opinion": "unqualified",
            "auditor": "X",
        },
    ],
)
def test_bad_evidence_is_422_and_writes_nothing(analyst, vendor, session, body):
    body = {k: v for k, v in body.items() if v is not None}
    response = _post(analyst, vendor, body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"]
    assert count(session, Evidence) == 0
    assert count(session, AuditEntry, entity="evidence") == 0


def test_the_error_names_the_field(analyst, vendor):
    response = _post(analyst, vendor, soc2_body(period_start="2026-04-01"))
    assert response.json()["detail"][0]["loc"][-1] == "period_start"


def test_bridge_letter_must_point_at_this_vendors_soc2_report(analyst, vendor):
    other = analyst.post("/api/v1/vendors", json=vendor_body()).json()
    theirs = _post(analyst, other, soc2_body()).json()["evidence"]["id"]
    iso_id = _post(analyst, vendor, iso_body()).json()["evidence"]["id"]
    for report_id in (theirs, iso_id, 9999):
        response = _post(analyst, vendor, bridge_body(report_id))
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "soc2_report_id"


def test_bridge_letter_must_cover_past_the_period_end(analyst, vendor):
    report = _post(analyst, vendor, soc2_body()).json()["evidence"]["id"]
    response = _post(analyst, vendor, bridge_body(report, covers_until="2026-03-31"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "covers_until"
    assert _post(analyst, vendor, bridge_body(report)).status_code == 201


def test_list_and_read_evidence(analyst, reader, vendor):
    created = _post(analyst, vendor, soc2_body()).json()["evidence"]
    listed = reader.get(f"/api/v1/vendors/{vendor['id']}/evidence").json()
    assert [e["id"] for e in listed] == [created["id"]]
    one = reader.get(f"/api/v1/evidence/{created['id']}").json()
    assert one["period_end"] == "2026-03-31"
    assert one["retracted"] is False
    assert reader.get("/api/v1/evidence/9999").status_code == 404
    assert reader.get("/api/v1/vendors/9999/evidence").status_code == 404


def test_retract_keeps_the_row_and_reevaluates(analyst, vendor, session):
    created = _post(analyst, vendor, soc2_body()).json()["evidence"]
    path = f"/api/v1/evidence/{created['id']}/retract"
    response = analyst.post(path, json={"reason": "wrong vendor"})
    assert response.status_code == 200
    assert response.json()["retracted"] is True
    assert response.json()["retraction_reason"] == "wrong vendor"
    assert analyst.get(f"/api/v1/vendors/{vendor['id']}").json()["status"] == "blocked"
    assert analyst.post(path, json={"reason": "again"}).status_code == 409
    assert analyst.post(path, json={"reason": ""}).status_code == 422
    assert count(session, Evidence) == 1
    assert count(session, AuditEntry, entity="evidence", action="retract") == 1


def test_retract_unknown_is_404(analyst):
    assert analyst.post("/api/v1/evidence/9999/retract", json={"reason": "x"}).status_code == 404


def test_waiver_lifts_the_block_and_revocation_restores_it(analyst, reader, vendor):
    response = analyst.post(f"/api/v1/vendors/{vendor['id']}/waivers", json=waiver_body())
    assert response.status_code == 201
    waiver = response.json()
    status = reader.get(f"/api/v1/vendors/{vendor['id']}/status").json()
    assert status["status"] == "approved"
    assert status["flags"][0]["waived"] is True
    assert status["flags"][0]["waiver_id"] == waiver["id"]
    assert status["next_review_on"] == "2026-09-02"  # the day after the waiver ends
    listed = reader.get(f"/api/v1/vendors/{vendor['id']}/waivers").json()
    assert [w["id"] for w in listed] == [waiver["id"]]
    revoked = analyst.post(f"/api/v1/waivers/{waiver['id']}/revoke", json={"reason": "no"})
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert reader.get(f"/api/v1/vendors/{vendor['id']}/status").json()["status"] == "blocked"
    assert analyst.post(f"/api/v1/waivers/{waiver['id']}/revoke").status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (waiver_body(code="NOT_A_RULE"), "code"),
        (waiver_body(expires_on="2026-06-01"), "expires_on"),
        (waiver_body(expires_on="2027-06-02"), "expires_on"),
        (waiver_body(reason=""), "reason"),
        (waiver_body(approved_by=""), "approved_by"),
    ],
)
def test_bad_waiver_is_422(analyst, vendor, session, body, field):
    response = analyst.post(f"/api/v1/vendors/{vendor['id']}/waivers", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert count(session, Waiver) == 0


def test_waiver_may_run_exactly_twelve_months(analyst, vendor):
    body = waiver_body(granted_on="2026-02-28", expires_on="2027-02-28")
    assert analyst.post(f"/api/v1/vendors/{vendor['id']}/waivers", json=body).status_code == 201


def test_waiver_for_unknown_vendor_or_revoking_unknown_waiver_is_404(analyst):
    assert analyst.post("/api/v1/vendors/999/waivers", json=waiver_body()).status_code == 404
    assert analyst.post("/api/v1/waivers/999/revoke").status_code == 404
