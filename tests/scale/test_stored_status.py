"""What materialising a status stores (the assessment, the evidence expiry, the next review)
is what `evaluate` and `evidence_expiry` say on their own."""

import pytest
from conftest import TEST_TODAY
from perf.generate import bench_engine, generate
from sqlmodel import col, select

from app.models import Vendor
from app.rules import engine
from app.status import service


@pytest.fixture
def vendors(database_url, session) -> list[Vendor]:
    bench = bench_engine(database_url)
    generate(bench, 80, today=TEST_TODAY, seed=5, batch=40, workers=0)
    bench.dispose()
    return list(session.exec(select(Vendor).order_by(col(Vendor.id))))


def test_materialise_stores_what_evaluate_and_evidence_expiry_say(vendors, session):
    policy = service.current_policy()
    for vendor in vendors:
        assessment = service.materialise(session=session, vendor=vendor, today=TEST_TODAY)
        case = service.load_case(session=session, vendor=vendor)
        assert assessment == engine.evaluate(case, policy, as_of=TEST_TODAY)
        assert vendor.evidence_expires_on == service.evidence_expiry(case, today=TEST_TODAY)
        assert vendor.next_review_on == assessment.next_review_on
    assert any(v.evidence_expires_on for v in vendors)


def test_the_daily_pass_stores_the_same(vendors, session):
    later = TEST_TODAY.replace(year=TEST_TODAY.year + 1)
    assert service.refresh_due(session=session, today=later) > 0
    policy = service.current_policy()
    cases = service.load_cases(session=session, vendors=vendors)
    refreshed = [(v, c) for v, c in zip(vendors, cases, strict=True) if v.status_on == later]
    assert refreshed
    for vendor, case in refreshed:
        assert vendor.status == engine.evaluate(case, policy, as_of=later).status
        assert vendor.evidence_expires_on == service.evidence_expiry(case, today=later)
