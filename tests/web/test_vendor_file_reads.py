"""What the vendor page reads: the vendor, its evidence and waivers newest first, its latest
audit entries, timestamps in UTC."""

from datetime import UTC

import anyio
import pytest
from web.support import api_post, log_evidence

from app.vendors import queries
from tests.factories import bridge_body, iso_body, soc2_body, vendor_body, waiver_body


@pytest.fixture
def full_vendor(analyst) -> int:
    """A vendor with every kind of record: edited, every evidence kind (one retracted, with
    subservice organisations and criteria), a waiver revoked and one in force."""
    vendor = api_post(analyst, "/api/v1/vendors", vendor_body(required_tsc=["security"]))
    vendor_id = vendor["id"]
    base = f"/api/v1/vendors/{vendor_id}"
    analyst.patch(base, json={"tier": "critical", "services": "Payroll — “EU” ünïcode"})
    subservice = [{"name": "AWS", "method": "carve_out"}]
    report = log_evidence(
        analyst,
        vendor_id,
        soc2_body(subservice_orgs=subservice, cuecs=True, scope_covers_services="partly"),
    )
    log_evidence(analyst, vendor_id, bridge_body(report["id"]))
    log_evidence(analyst, vendor_id, iso_body(received_on="2026-05-01"))
    wrong = log_evidence(analyst, vendor_id, iso_body(notes="another company's"))
    api_post(analyst, f"/api/v1/evidence/{wrong['id']}/retract", {"reason": "Wrong vendor"})
    bound = waiver_body("SOC2_TYPE1_ONLY", evidence_id=report["id"])
    revoked = api_post(analyst, f"{base}/waivers", bound)
    api_post(analyst, f"/api/v1/waivers/{revoked['id']}/revoke", {"reason": "No longer needed"})
    api_post(analyst, f"{base}/waivers", waiver_body())
    return vendor["id"]


def _vendor_file(vendor_id: int, history_limit: int = 50) -> queries.VendorFile:
    return anyio.run(lambda: queries.vendor_file(vendor_id, history_limit=history_limit))


def test_the_vendor_file_holds_every_record_newest_first(full_vendor):
    found = _vendor_file(full_vendor)
    assert found.vendor.id == full_vendor and found.vendor.tier == "critical"
    assert len(found.evidence) == 4 and len(found.waivers) == 2 and len(found.history) >= 9
    received = [(e.received_on, e.id) for e in found.evidence]
    assert received == sorted(received, reverse=True)
    assert [w.id for w in found.waivers] == sorted((w.id for w in found.waivers), reverse=True)
    assert [e.id for e in found.history] == sorted((e.id for e in found.history), reverse=True)
    (report,) = [e for e in found.evidence if e.kind == "soc2_report"]
    assert report.subservice_orgs == [{"name": "AWS", "method": "carve_out"}]
    for entry in found.history:
        assert entry.at.utcoffset() == UTC.utcoffset(None)


def test_the_history_is_the_latest_entries_newest_first(full_vendor):
    latest = _vendor_file(full_vendor).history[:3]
    assert [e.id for e in _vendor_file(full_vendor, history_limit=3).history] == [
        e.id for e in latest
    ]


def test_a_vendor_with_no_records_reads_as_empty_lists(analyst):
    vendor = api_post(analyst, "/api/v1/vendors", vendor_body())
    found = _vendor_file(vendor["id"])
    assert (found.evidence, found.waivers) == ([], [])
    assert [e.action for e in found.history] == ["create"]


def test_an_unknown_vendor_is_not_found(database_url):
    with pytest.raises(queries.NotFound):
        _vendor_file(987_654)
