"""The benchmark's generator stores true statuses, and stored statuses stay true as days pass."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from conftest import TEST_TODAY
from fastapi.testclient import TestClient
from perf.generate import bench_engine, generate
from sqlalchemy import text
from sqlmodel import col, func, select
from typer.testing import CliRunner

from app import config
from app.cli import app as cli
from app.deps import get_today
from app.models import Evidence, JobRun, Vendor
from app.status.daily import claimed_by, run_daily
from app.status.service import due_filter, evidence_expiry, flag_dict, iter_assessments, load_cases

N = 300
LATER = TEST_TODAY + timedelta(days=120)


@pytest.fixture
def generated(database_url):
    """N generated vendors, materialised on TEST_TODAY."""
    engine = bench_engine(database_url)
    stats = generate(engine, N, today=TEST_TODAY, seed=7, batch=100, workers=0)
    engine.dispose()
    return stats


def _vendors(session) -> list[Vendor]:
    session.rollback()  # a fresh snapshot: the app wrote in other transactions
    return list(session.exec(select(Vendor).order_by(col(Vendor.id))))


def _blocked(client) -> set[int]:
    response = client.get("/api/v1/vendors", params={"status": "blocked", "limit": 500})
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def _lapsed(session) -> int:
    session.rollback()
    return session.exec(select(func.count()).where(due_filter(LATER))).one()


def test_every_generated_vendor_stores_what_evaluate_gives(generated, session):
    vendors = _vendors(session)
    assert len(vendors) == N == generated.vendors
    pairs = list(iter_assessments(session=session, vendors=vendors, as_of=TEST_TODAY))
    cases = load_cases(session=session, vendors=vendors)
    for (vendor, assessment), case in zip(pairs, cases, strict=True):
        assert vendor.status_on == TEST_TODAY
        assert vendor.status == assessment.status
        assert vendor.next_review_on == assessment.next_review_on
        assert vendor.flags == [flag_dict(f) for f in assessment.flags]
        assert vendor.evidence_expires_on == evidence_expiry(case, today=TEST_TODAY)


def test_the_generated_file_holds_every_tier_kind_and_status_and_most_flags(generated, session):
    vendors = _vendors(session)
    assert {v.tier for v in vendors} == {"critical", "high", "medium", "low"}
    assert {v.status for v in vendors} == {"approved", "conditional", "blocked"}
    kinds = set(session.exec(select(Evidence.kind).distinct()))
    assert kinds == {
        "soc1_report",
        "soc2_report",
        "soc3_report",
        "iso27001_certificate",
        "bridge_letter",
    }
    codes = Counter(f["code"] for v in vendors for f in v.flags)
    assert len(codes) >= 20, codes
    assert 2.5 <= generated.evidence / N <= 3.5
    assert any(f["waived"] for v in vendors for f in v.flags)


def test_moving_the_clock_past_review_dates_changes_the_list(generated, app, reader, session):
    """Reads answer with today's statuses at once and store nothing; the daily pass stores
    exactly the lapsed ones, and then the list's filter finds them by their new status."""
    before = _blocked(reader)
    in_use = [v for v in _vendors(session) if v.lifecycle != "archived"]  # the list's default
    assert before == {v.id for v in in_use if v.status == "blocked"}
    # The pass re-evaluates the vendors whose refresh_on has come: a review date, or a contract's
    # renewal decision or end (SPEC §12; archived vendors have none).
    due = {v.id for v in in_use if v.refresh_on and v.refresh_on <= LATER}
    app.dependency_overrides[get_today] = lambda: LATER
    expected = {
        v.id
        for v, a in iter_assessments(session=session, vendors=in_use, as_of=LATER)
        if a.status == "blocked"
    }
    items = reader.get("/api/v1/vendors", params={"limit": 500}).json()["items"]
    assert {item["id"] for item in items if item["status"] == "blocked"} == expected != before
    assert all(v.status_on == TEST_TODAY for v in _vendors(session))

    assert run_daily(day=LATER, who="test") == len(due)
    assert _blocked(reader) == expected
    vendors = _vendors(session)
    assert {v.id for v in vendors if v.status_on == LATER} == due  # exactly the lapsed ones
    assert all(v.status_on == TEST_TODAY for v in vendors if v.id not in due)


def test_the_daily_pass_runs_once_a_day(generated, session):
    lapsed = _lapsed(session)
    assert lapsed > 0
    assert run_daily(day=LATER, who="worker-a") == lapsed
    assert run_daily(day=LATER, who="worker-b") is None
    claim = claimed_by(LATER)
    assert (claim.claimed_by, claim.processed) == ("worker-a", lapsed)
    assert claim.finished_at is not None
    assert _lapsed(session) == 0
    assert run_daily(day=LATER, who="worker-b", force=True) == 0
    assert session.exec(select(func.count()).select_from(JobRun)).one() == 1


def test_vetted_refresh_runs_the_pass_for_cron(generated, session):
    day = LATER.isoformat()
    first = CliRunner().invoke(cli, ["refresh", "--as-of", day])
    assert first.exit_code == 0, first.output
    assert "re-evaluated" in first.output
    again = CliRunner().invoke(cli, ["refresh", "--as-of", day])
    assert again.exit_code == 0
    assert "already run" in again.output


def test_the_server_runs_the_daily_pass_at_start(generated, database_url, monkeypatch, session):
    from app.main import create_app

    monkeypatch.setenv("VETTED_DAILY_REFRESH", "true")
    config.get_settings.cache_clear()
    application = create_app()
    application.dependency_overrides[get_today] = lambda: LATER
    with TestClient(application):
        deadline = time.monotonic() + 20
        while (claim := claimed_by(LATER)) is None or claim.finished_at is None:
            assert time.monotonic() < deadline, "the daily pass did not run"
            time.sleep(0.05)
    assert claim.processed > 0
    assert _lapsed(session) == 0


def test_the_lapsed_vendors_are_found_through_indexes(generated, session):
    session.exec(text("ANALYZE"))  # with statistics, SQLite scanned for the OR of the three
    query = select(Vendor.id).where(due_filter(LATER))
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if session.get_bind().dialect.name == "sqlite":
        plan = " ".join(str(r) for r in session.exec(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "SCAN vendors" not in plan and "INDEX" in plan, plan
    else:
        session.exec(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(r[0] for r in session.exec(text(f"EXPLAIN {compiled}")))
        assert "Seq Scan" not in plan and "Index" in plan, plan
