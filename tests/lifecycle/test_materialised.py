"""The row's review due date and renewal decision stay true as days pass (app/status)."""

from datetime import date, timedelta

from conftest import TEST_TODAY
from factories import soc2_body, vendor_body

from app import db
from app.evidence import service as evidence_service
from app.evidence.schemas import Soc2ReportCreate
from app.models import Vendor
from app.status.service import evaluated_status, load_case, refresh_due, stored_status
from app.vendors import lifecycle
from app.vendors.schemas import ArchiveRequest, VendorCreate
from app.vendors.service import create_vendor

CHECKS = {"data_returned_or_deleted": "no", "access_removed": "yes"}


def _vendor(**fields) -> int:
    with db.session_scope() as s:
        data = VendorCreate.model_validate(vendor_body(**fields))
        vendor_id = create_vendor(session=s, data=data, actor="t", today=TEST_TODAY).id
        evidence_service.create_evidence(
            session=s, vendor_id=vendor_id, data=Soc2ReportCreate(**soc2_body()),
            actor="t", today=TEST_TODAY,
        )  # fmt: skip
        return vendor_id


def _row(vendor_id: int) -> Vendor:
    with db.session_scope() as s:
        vendor = s.get(Vendor, vendor_id)
        s.expunge(vendor)
        return vendor


def _evaluated(vendor_id: int, as_of: date):
    with db.session_scope() as s:
        vendor = s.get(Vendor, vendor_id)
        return evaluated_status(vendor, load_case(session=s, vendor=vendor), as_of=as_of)


def test_the_stored_status_and_decision_agree_with_evaluating_until_refresh_on(database_url):
    vendor_id = _vendor(contract_end_on="2026-08-31", notice_days=45)
    row = _row(vendor_id)
    assert row.decision_on == date(2026, 7, 17)
    assert row.refresh_on <= row.decision_on + timedelta(days=1)
    for day in (TEST_TODAY, row.refresh_on - timedelta(days=1)):
        assert stored_status(row, as_of=day) == _evaluated(vendor_id, day)


def test_the_daily_pass_brings_a_vendor_back_when_its_decision_date_passes(database_url):
    vendor_id = _vendor(contract_end_on="2026-08-31", notice_days=45)
    with db.session_scope() as s:
        refresh_due(session=s, today=date(2026, 7, 18))
    row = _row(vendor_id)
    assert (row.decision_on, row.decision["missed"]) == (date(2026, 7, 17), True)
    assert row.decision_status == row.status  # a missed decision is judged on the day
    with db.session_scope() as s:
        refresh_due(session=s, today=date(2026, 9, 1))  # the contract has ended
    row = _row(vendor_id)
    assert (row.decision_on, row.decision, row.decision_status) == (None, None, None)


def test_an_auto_renewing_contract_rolls_over_in_the_daily_pass(database_url):
    vendor_id = _vendor(contract_end_on="2026-06-30", auto_renews=True, renewal_term_months=12)
    with db.session_scope() as s:
        refresh_due(session=s, today=date(2026, 7, 1))
    row = _row(vendor_id)
    assert row.decision["contract_end_on"] == "2027-06-30"
    assert row.decision_on == date(2027, 6, 30)


def test_an_archived_vendor_leaves_the_daily_pass(database_url):
    vendor_id = _vendor(contract_end_on="2026-08-31")
    with db.session_scope() as s:
        lifecycle.archive_vendor(
            session=s, vendor_id=vendor_id, data=ArchiveRequest(reason="gone", checks=CHECKS),
            actor="t", today=TEST_TODAY,
        )  # fmt: skip
    row = _row(vendor_id)
    assert (row.refresh_on, row.next_review_on, row.review_due_on, row.decision) == (
        None, None, None, None,
    )  # fmt: skip
    with db.session_scope() as s:
        assert refresh_due(session=s, today=date(2027, 1, 1)) == 0


def test_an_archived_vendor_leaves_the_digest(database_url):
    from app.digest.job import evaluated_vendors

    kept, gone = _vendor(), _vendor()
    with db.session_scope() as s:
        lifecycle.archive_vendor(
            session=s, vendor_id=gone, data=ArchiveRequest(reason="gone", checks=CHECKS),
            actor="t", today=TEST_TODAY,
        )  # fmt: skip
    with db.session_scope(writes=False) as s:
        ids = [v.info.id for v in evaluated_vendors(session=s, as_of=TEST_TODAY)]
    assert kept in ids and gone not in ids
