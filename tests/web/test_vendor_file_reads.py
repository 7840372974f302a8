"""The vendor page's reads give exactly what the ORM gives: same values, same types.

On PostgreSQL the four reads travel as one statement of JSON arrays (one round trip), whose
dates, UTC timestamps and JSON columns are converted back from their JSON text; on SQLite
they run as four statements. Either way, each record must equal the ORM object field for
field and type for type, in the page's order.
"""

from datetime import UTC, datetime

import anyio
import pytest
from sqlmodel import select
from web.support import api_post, log_evidence

from app.db import get_engine, read_records_together, reads_in_process
from app.models import AuditEntry, Evidence, Vendor, Waiver
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


def _orm_file(session, vendor_id: int) -> tuple:
    def all_of(model, *order):
        return list(
            session.exec(select(model).where(model.vendor_id == vendor_id).order_by(*order))
        )

    return (
        session.get(Vendor, vendor_id),
        all_of(Evidence, Evidence.received_on.desc(), Evidence.id.desc()),
        all_of(Waiver, Waiver.id.desc()),
        all_of(AuditEntry, AuditEntry.id.desc()),
    )


def _same(record: tuple, row) -> None:
    for field, value in record._asdict().items():
        if field == "has_waivers":  # read with the vendor, not a column (checked below)
            continue
        expected = getattr(row, field)
        assert value == expected, field
        assert type(value) is type(expected), field
        if isinstance(value, datetime):
            assert value.tzinfo is not None and value.utcoffset() == UTC.utcoffset(None), field


def test_the_vendor_file_is_what_the_orm_reads(full_vendor, session, monkeypatch):
    # PostgreSQL writes timestamps into JSON in the session's zone: they must come back UTC
    monkeypatch.setenv("PGTZ", "America/New_York")
    get_engine().dispose()  # and its reader's pool: the reads connect again, in that zone
    found = _vendor_file(full_vendor)
    vendor, evidence, waivers, history = _orm_file(session, full_vendor)

    _same(found.vendor, vendor)
    assert found.vendor.has_waivers is True
    assert [e.id for e in found.evidence] == [e.id for e in evidence]  # newest first
    assert len(evidence) == 4 and len(waivers) == 2 and len(history) >= 9
    for pairs in ((found.evidence, evidence), (found.waivers, waivers), (found.history, history)):
        assert len(pairs[0]) == len(pairs[1])
        for record, row in zip(*pairs, strict=True):
            _same(record, row)


def test_the_history_is_the_latest_entries_newest_first(full_vendor, session):
    found = _vendor_file(full_vendor, history_limit=3)
    latest = _orm_file(session, full_vendor)[3][:3]
    assert [e.id for e in found.history] == [e.id for e in latest]


def test_a_vendor_with_no_records_reads_as_empty_lists(analyst):
    vendor = api_post(analyst, "/api/v1/vendors", vendor_body())
    found = _vendor_file(vendor["id"])
    assert (found.evidence, found.waivers) == ([], [])
    assert found.vendor.has_waivers is False
    assert [e.action for e in found.history] == ["create"]


def test_an_unknown_vendor_is_not_found(database_url):
    with pytest.raises(queries.NotFound):
        _vendor_file(987_654)


@pytest.mark.skipif(
    "not __import__('os').environ.get('VETTED_TEST_DATABASE_URL')",
    reason="the one-statement JSON read is PostgreSQL's",
)
def test_on_postgresql_one_json_statement_reads_what_four_statements_read(full_vendor):
    assert not reads_in_process() and get_engine().dialect.name == "postgresql"
    params = {"vendor_id": full_vendor, "limit": 50}
    as_json = anyio.run(
        queries.read_json_records, queries._VENDOR_FILE_AS_JSON, params, queries._FILE_SHAPES
    )
    reads = [(shape, params) for shape in queries._FILE_SHAPES]
    one_by_one = anyio.run(read_records_together, reads)
    assert as_json == one_by_one
    assert [[type(v) for v in r] for rs in as_json for r in rs] == [
        [type(v) for v in r] for rs in one_by_one for r in rs
    ]
