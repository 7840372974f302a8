"""Waivers bound to a document (SPEC §2 v2): which codes take an evidence_id; what is refused."""

import pytest
from factories import count, iso_body, soc2_body, vendor_body, waiver_body

from app.models import AuditEntry, Waiver
from app.rules.catalog import RULES_BY_CODE
from app.waivers.service import CODES_WITHOUT_DOCUMENT, SUBSTITUTION_CODES


def v2_code(code: str):
    """`code` as a test parameter, skipped until the v2 catalogue has it."""
    missing = code not in RULES_BY_CODE
    return pytest.param(code, marks=pytest.mark.skipif(missing, reason="v2 engine not landed"))


@pytest.fixture
def vendor(analyst) -> dict:
    return analyst.post("/api/v1/vendors", json=vendor_body(tier="high")).json()


def _log(client, vendor: dict, body: dict) -> int:
    response = client.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=body)
    assert response.status_code == 201, response.text
    return response.json()["evidence"]["id"]


@pytest.fixture
def report_id(analyst, vendor) -> int:
    """The vendor's SOC 2 report, with a qualified opinion."""
    return _log(analyst, vendor, soc2_body(opinion="qualified"))


def _grant(client, vendor: dict, body: dict):
    return client.post(f"/api/v1/vendors/{vendor['id']}/waivers", json=body)


def _refused(response, session, field: str, words: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", field] and words in error["msg"]
    assert count(session, Waiver) == 0
    assert count(session, AuditEntry, entity="waiver") == 0


def test_a_document_flag_is_waived_on_its_document(analyst, reader, vendor, report_id):
    response = _grant(analyst, vendor, waiver_body("SOC2_OPINION_QUALIFIED", evidence_id=report_id))
    assert response.status_code == 201, response.text
    waiver = response.json()
    assert waiver["evidence_id"] == report_id
    listed = reader.get(f"/api/v1/vendors/{vendor['id']}/waivers").json()
    assert [w["evidence_id"] for w in listed] == [report_id]
    assert reader.get(f"/api/v1/vendors/{vendor['id']}").json()["waivers"][0]["evidence_id"] == (
        report_id
    )
    status = reader.get(f"/api/v1/vendors/{vendor['id']}/status").json()
    (flag,) = [f for f in status["flags"] if f["code"] == "SOC2_OPINION_QUALIFIED"]
    assert (flag["waived"], flag["waiver_id"]) == (True, waiver["id"])


@pytest.mark.parametrize("code", sorted(CODES_WITHOUT_DOCUMENT))
def test_vendor_level_and_substitution_codes_are_waived_without_a_document(analyst, vendor, code):
    if code not in RULES_BY_CODE:
        pytest.skip("v2 engine not landed")
    response = _grant(analyst, vendor, waiver_body(code))
    assert response.status_code == 201 and response.json()["evidence_id"] is None


def test_a_document_flag_without_its_document_is_refused(analyst, vendor, report_id, session):
    response = _grant(analyst, vendor, waiver_body("SOC2_OPINION_QUALIFIED"))
    _refused(response, session, "evidence_id", "required for SOC2_OPINION_QUALIFIED")


@pytest.mark.parametrize(
    "code",
    ["EVIDENCE_MISSING", *sorted(SUBSTITUTION_CODES), v2_code("TIER_BELOW_DATA_ACCESS")],
)
def test_a_document_on_a_vendor_level_or_substitution_code_is_refused(
    analyst, vendor, report_id, session, code
):
    response = _grant(analyst, vendor, waiver_body(code, evidence_id=report_id))
    _refused(response, session, "evidence_id", f"must be empty for {code}")


@pytest.mark.parametrize(
    "code",
    [
        "SOC2_OPINION_QUALIFIED",
        "ISO_UNACCREDITED",
        "SOC2_TYPE1_ONLY",
        "BRIDGE_LETTER_INVALID",
        v2_code("SCOPE_NOT_COVERED"),
        v2_code("SCOPE_UNCONFIRMED"),
        v2_code("ISO_ISSUER_IS_ACCREDITOR"),
        v2_code("SOC2_REMEDIATION_UNPROVEN"),
    ],
)
def test_every_other_code_needs_a_document(analyst, vendor, session, code):
    _refused(_grant(analyst, vendor, waiver_body(code)), session, "evidence_id", "required")


def test_another_vendors_or_an_unknown_document_is_refused(analyst, vendor, session):
    other = analyst.post("/api/v1/vendors", json=vendor_body()).json()
    theirs = _log(analyst, other, iso_body(accreditation_body=None))
    for evidence_id in (theirs, 9999):
        body = waiver_body("ISO_UNACCREDITED", evidence_id=evidence_id)
        _refused(_grant(analyst, vendor, body), session, "evidence_id", "this vendor's documents")


@pytest.mark.parametrize("evidence_id", [None, 1])
def test_vendor_archived_cannot_be_waived(analyst, vendor, report_id, session, evidence_id):
    body = waiver_body("VENDOR_ARCHIVED", evidence_id=evidence_id)
    _refused(_grant(analyst, vendor, body), session, "code", "VENDOR_ARCHIVED cannot be waived")


def test_an_unknown_code_is_refused(analyst, vendor, report_id, session):
    body = waiver_body("SOC2_OPINION_SHAKY", evidence_id=report_id)
    _refused(_grant(analyst, vendor, body), session, "code", "must be a rule code")


def test_a_waiver_granted_after_today_is_refused(analyst, vendor, session):
    body = waiver_body(granted_on="2026-06-16", expires_on="2026-09-01")
    _refused(_grant(analyst, vendor, body), session, "granted_on", "after today (2026-06-15)")


def test_a_waiver_granted_today_or_before_is_accepted(analyst, vendor):
    for granted_on in ("2026-06-15", "2025-07-01"):
        body = waiver_body(granted_on=granted_on, expires_on="2026-06-30")
        assert _grant(analyst, vendor, body).status_code == 201


@pytest.mark.skipif("SCOPE_NOT_COVERED" not in RULES_BY_CODE, reason="v2 engine not landed")
def test_a_waiver_of_one_report_does_not_cover_the_next(analyst, vendor, report_id):
    body = waiver_body("SOC2_OPINION_QUALIFIED", evidence_id=report_id, expires_on="2027-01-31")
    assert _grant(analyst, vendor, body).status_code == 201
    later = soc2_body(opinion="qualified", period_start="2025-06-01", period_end="2026-05-31",
                      received_on="2026-06-10")  # fmt: skip
    newer = _log(analyst, vendor, later)
    flags = analyst.get(f"/api/v1/vendors/{vendor['id']}/status").json()["flags"]
    (flag,) = [f for f in flags if f["code"] == "SOC2_OPINION_QUALIFIED"]
    assert (flag["evidence_id"], flag["waived"]) == (newer, False)
