"""The scope judgement (SPEC §2 v2): PATCH /evidence/{id}, and its reset when services change."""

import pytest
from conftest import TEST_TODAY
from factories import bridge_body, count, iso_body, rows, soc2_body, vendor_body

from app import db
from app.errors import Invalid
from app.evidence.service import judge_scope
from app.models import AuditEntry, Evidence, Vendor
from app.rules.catalog import RULES_BY_CODE

V2_ENGINE = pytest.mark.skipif(
    "SCOPE_NOT_COVERED" not in RULES_BY_CODE, reason="the v2 rules engine has not landed yet"
)


@pytest.fixture
def vendor(analyst) -> dict:
    body = vendor_body(tier="critical", services="Payroll processing")
    return analyst.post("/api/v1/vendors", json=body).json()


def _log(client, vendor: dict, body: dict) -> int:
    response = client.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=body)
    assert response.status_code == 201, response.text
    return response.json()["evidence"]["id"]


def _judge(client, evidence_id: int, value):
    return client.patch(f"/api/v1/evidence/{evidence_id}", json={"scope_covers_services": value})


PRETEND = {"code": "PRETEND", "severity": "block", "message": "", "evidence_id": None,
           "waived": False, "waiver_id": None}  # fmt: skip


def _pretend(vendor_id: int) -> None:
    """Overwrite the stored assessment, so that only a re-evaluation puts it right."""
    with db.session_scope() as s:
        row = s.get(Vendor, vendor_id)
        row.status, row.flags = "pretend", [PRETEND]
        s.add(row)


def _re_evaluated(session, vendor_id: int) -> bool:
    session.expire_all()
    row = session.get(Vendor, vendor_id)
    return row.status != "pretend" and PRETEND not in row.flags


@pytest.mark.parametrize("body", [soc2_body(), iso_body()])
def test_a_judgement_is_stored_audited_and_the_vendor_re_evaluated(
    analyst, reader, vendor, session, body
):
    evidence_id = _log(analyst, vendor, body)
    _pretend(vendor["id"])
    response = _judge(analyst, evidence_id, "partly")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["evidence"]["scope_covers_services"] == "partly"
    assert answer["status"] == reader.get(f"/api/v1/vendors/{vendor['id']}/status").json()
    assert _re_evaluated(session, vendor["id"])
    assert rows(session, Vendor)[0].status == answer["status"]["status"]
    (entry,) = rows(session, AuditEntry, entity="evidence", action="judge_scope")
    assert (entry.entity_id, entry.vendor_id) == (evidence_id, vendor["id"])
    assert (entry.before["scope_covers_services"], entry.after["scope_covers_services"]) == (
        None,
        "partly",
    )
    got = reader.get(f"/api/v1/evidence/{evidence_id}").json()
    assert got["scope_covers_services"] == "partly"


def test_null_clears_a_judgement_and_the_same_judgement_twice_is_recorded_once(
    analyst, vendor, session
):
    evidence_id = _log(analyst, vendor, soc2_body())
    assert _judge(analyst, evidence_id, "no").status_code == 200
    assert _judge(analyst, evidence_id, "no").status_code == 200
    cleared = _judge(analyst, evidence_id, None)
    assert (
        cleared.status_code == 200 and cleared.json()["evidence"]["scope_covers_services"] is None
    )
    entries = rows(session, AuditEntry, entity="evidence", action="judge_scope")
    assert [e.after["scope_covers_services"] for e in entries] == ["no", None]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"scope_covers_services": "mostly"},
        {"scope_covers_services": "yes", "notes": "more"},
        {"scope": "yes"},
    ],
)
def test_the_body_is_the_judgement_alone(analyst, vendor, session, body):
    evidence_id = _log(analyst, vendor, soc2_body())
    response = analyst.patch(f"/api/v1/evidence/{evidence_id}", json=body)
    assert response.status_code == 422
    assert count(session, AuditEntry, action="judge_scope") == 0


@pytest.mark.parametrize("kind", ["bridge_letter", "soc1_report", "soc3_report"])
def test_a_document_without_a_scope_to_judge_is_422_naming_the_field(
    analyst, vendor, session, kind
):
    if kind == "bridge_letter":
        body = bridge_body(_log(analyst, vendor, soc2_body()))
    else:
        body = soc2_body(
            kind=kind, tsc=None, report_type="type2" if kind == "soc1_report" else None
        )
    evidence_id = _log(analyst, vendor, {k: v for k, v in body.items() if v is not None})
    response = _judge(analyst, evidence_id, "yes")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "scope_covers_services"]
    assert rows(session, Evidence)[-1].scope_covers_services is None


def test_the_service_refuses_a_value_no_form_offers(analyst, vendor, session):
    evidence_id = _log(analyst, vendor, soc2_body())
    with db.session_scope() as s, pytest.raises(Invalid) as refused:
        judge_scope(session=s, evidence_id=evidence_id, value="maybe", actor="t", today=TEST_TODAY)
    assert refused.value.field == "scope_covers_services"
    assert count(session, AuditEntry, action="judge_scope") == 0


def test_a_retracted_record_is_409(analyst, vendor, session):
    evidence_id = _log(analyst, vendor, iso_body())
    analyst.post(f"/api/v1/evidence/{evidence_id}/retract", json={"reason": "wrong vendor"})
    assert _judge(analyst, evidence_id, "yes").status_code == 409
    assert count(session, AuditEntry, action="judge_scope") == 0


def test_readers_cannot_judge_and_unknown_records_are_404(analyst, reader, vendor, session):
    evidence_id = _log(analyst, vendor, soc2_body())
    assert _judge(reader, evidence_id, "yes").status_code == 403
    assert rows(session, Evidence)[0].scope_covers_services is None
    assert _judge(analyst, 9999, "yes").status_code == 404


def test_a_judgement_can_be_given_when_the_document_is_logged(analyst, vendor, session):
    _log(analyst, vendor, soc2_body(scope_covers_services="yes"))
    _log(analyst, vendor, iso_body(scope_covers_services="no"))
    assert [e.scope_covers_services for e in rows(session, Evidence)] == ["yes", "no"]
    bridge = bridge_body(rows(session, Evidence)[0].id, scope_covers_services="yes")
    response = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=bridge)
    assert response.status_code == 422


# --- the vendor's services change -------------------------------------------------------------


def _judged(analyst, vendor) -> list[int]:
    report, certificate = _log(analyst, vendor, soc2_body()), _log(analyst, vendor, iso_body())
    for evidence_id, value in ((report, "yes"), (certificate, "partly")):
        assert _judge(analyst, evidence_id, value).status_code == 200
    return [report, certificate]


def test_new_services_reset_every_judgement_audited_and_re_evaluate(analyst, vendor, session):
    judged = _judged(analyst, vendor)
    unjudged = _log(analyst, vendor, soc2_body(period_end="2026-02-28", period_start="2025-03-01"))
    _pretend(vendor["id"])
    body = {"services": "Payroll and benefits administration"}
    response = analyst.patch(f"/api/v1/vendors/{vendor['id']}", json=body)
    assert response.status_code == 200
    assert [e.scope_covers_services for e in rows(session, Evidence)] == [None, None, None]
    resets = rows(session, AuditEntry, entity="evidence", action="scope_reset")
    assert [e.entity_id for e in resets] == judged and unjudged not in judged
    assert [e.before["scope_covers_services"] for e in resets] == ["yes", "partly"]
    assert all(e.after["scope_covers_services"] is None for e in resets)
    assert _re_evaluated(session, vendor["id"])


def test_other_changes_keep_the_judgements(analyst, vendor, session):
    _judged(analyst, vendor)
    body = {"tier": "high", "services": "Payroll processing"}  # the same services
    assert analyst.patch(f"/api/v1/vendors/{vendor['id']}", json=body).status_code == 200
    assert [e.scope_covers_services for e in rows(session, Evidence)] == ["yes", "partly"]
    assert count(session, AuditEntry, action="scope_reset") == 0


def test_only_that_vendors_judgements_are_reset(analyst, vendor, session):
    other = analyst.post("/api/v1/vendors", json=vendor_body(services="Hosting")).json()
    theirs = _log(analyst, other, soc2_body(scope_covers_services="yes"))
    _judged(analyst, vendor)
    analyst.patch(f"/api/v1/vendors/{vendor['id']}", json={"services": "Benefits"})
    assert session.get(Evidence, theirs).scope_covers_services == "yes"


@V2_ENGINE
def test_a_report_judged_out_of_scope_blocks_a_critical_vendor(analyst, vendor):
    evidence_id = _log(analyst, vendor, soc2_body())
    status = _judge(analyst, evidence_id, "no").json()["status"]
    assert status["status"] == "blocked"
    assert ("SCOPE_NOT_COVERED", evidence_id) in {
        (f["code"], f["evidence_id"]) for f in status["flags"]
    }
