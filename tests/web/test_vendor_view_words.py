"""The vendor page's words about a decision: the banner and each document's standing."""

from __future__ import annotations

from datetime import date

from app.models import Evidence
from app.rules.engine import evaluate
from app.rules.facts import case_from_dict
from app.rules.policy import Policy
from app.rules.snapshot import take_snapshot
from app.status.schemas import FlagRead, StatusRead
from app.vendors.views import banner, standing

POLICY = Policy.default()
REPORT = {
    "id": 1,
    "kind": "soc2_report",
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "adverse",
    "auditor": "Hale & Moss LLP",
    "received_on": "2026-04-20",
    "scope_covers_services": "yes",
}
CERTIFICATE = {
    "id": 2,
    "kind": "iso27001_certificate",
    "standard_version": "2022",
    "certificate_number": "C-2",
    "certification_body": "LRQA",
    "accreditation_body": "UKAS",
    "issued_on": "2025-06-01",
    "expires_on": "2027-05-31",
    "last_surveillance_on": "2026-05-20",
    "received_on": "2025-06-02",
    "scope_covers_services": "yes",
}


def _status(case, as_of: date) -> StatusRead:
    result = evaluate(case, POLICY, as_of=as_of)
    flags = [
        FlagRead(
            code=f.code,
            severity=f.severity,
            message=f.message,
            evidence_id=f.evidence_id,
            waived=f.waived,
            waiver_id=f.waiver_id,
        )
        for f in result.flags
    ]
    return StatusRead(
        vendor_id=1,
        name="Acme",
        status=result.status,
        as_of=as_of,
        requirement=result.requirement,
        flags=flags,
        next_review_on=result.next_review_on,
        lifecycle="active",
        review_due_on=None,
        decision=None,
    )


def _record(data: dict) -> Evidence:
    fields = {k: v for k, v in data.items() if k not in ("scope_covers_services",)}
    dated = {
        k: date.fromisoformat(v) if k.endswith(("_on", "_end", "_start")) else v
        for k, v in fields.items()
    }
    return Evidence(vendor_id=1, created_by="test", **dated)


def test_a_finding_shown_at_info_never_reads_nothing_stands_in_the_way() -> None:
    # Low tier: nothing is required, so a volunteered report's qualified opinion is info and
    # the vendor approved — yet the words must not say "nothing stands in the way".
    qualified = {**REPORT, "opinion": "qualified"}
    status = _status(case_from_dict({"tier": "low"}, [qualified], []), date(2026, 6, 1))
    assert status.status == "approved"
    assert any(f.code == "SOC2_OPINION_QUALIFIED" and f.severity == "info" for f in status.flags)
    headline = banner(status, "Acme").headline
    assert "nothing stands in the way" not in headline
    assert "findings" in headline


def test_a_clean_file_still_says_nothing_stands_in_the_way() -> None:
    clean = {**REPORT, "opinion": "unqualified"}
    status = _status(case_from_dict({"tier": "medium"}, [clean], []), date(2026, 6, 1))
    assert status.status == "approved"
    assert "nothing stands in the way" in banner(status, "Acme").headline


def test_a_stale_report_and_an_expired_certificate_are_never_badged_current() -> None:
    case = case_from_dict({"tier": "medium"}, [REPORT, CERTIFICATE], [])
    report, certificate = _record(REPORT), _record(CERTIFICATE)
    last_current = date(2027, 3, 31)
    snap = take_snapshot(case, POLICY, as_of=last_current)
    assert standing(report, snap, last_current) == "current"
    day_after = date(2027, 4, 1)
    assert standing(report, take_snapshot(case, POLICY, as_of=day_after), day_after) == "stale"
    expired = date(2027, 6, 1)
    snap = take_snapshot(case, POLICY, as_of=expired)
    assert standing(certificate, snap, expired) == "expired"
    assert standing(certificate, snap, date(2027, 5, 31)) == "current"
