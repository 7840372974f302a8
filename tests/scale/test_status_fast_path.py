"""GET /vendors/{id}/status from the stored row says exactly what the models would say."""

import json
from datetime import date, timedelta

import anyio
import pytest
from conftest import TEST_TODAY
from perf.generate import bench_engine, generate
from sqlmodel import col, select

from app.models import Vendor
from app.status.service import evaluated_status, status_on, stored_status, stored_status_json


def _stored_json(vendor_id: int, as_of: date) -> bytes | None:
    return anyio.run(lambda: stored_status_json(vendor_id, as_of=as_of))


@pytest.fixture
def vendors(database_url, session) -> list[Vendor]:
    engine = bench_engine(database_url)
    generate(engine, 120, today=TEST_TODAY, seed=3, batch=60, workers=0)
    engine.dispose()
    return list(session.exec(select(Vendor).order_by(col(Vendor.id))))


def test_the_stored_row_encodes_as_the_status_model(vendors):
    for vendor in vendors:
        body = _stored_json(vendor.id, TEST_TODAY)
        expected = stored_status(vendor, as_of=TEST_TODAY).model_dump(mode="json")
        assert json.loads(body) == expected
        assert list(json.loads(body)) == list(expected)  # the same field order


def test_a_day_the_row_does_not_cover_is_evaluated(vendors, session):
    vendor = next(v for v in vendors if v.next_review_on is not None)
    day = vendor.next_review_on
    assert _stored_json(vendor.id, day) is None
    assert _stored_json(vendor.id, TEST_TODAY - timedelta(days=1)) is None
    assert evaluated_status(vendor.id, as_of=day) == status_on(
        session=session, vendor=vendor, as_of=day
    )


def test_the_api_serves_both_paths(vendors, reader):
    vendor = next(v for v in vendors if v.next_review_on is not None)
    for day in (TEST_TODAY, vendor.next_review_on):
        response = reader.get(f"/api/v1/vendors/{vendor.id}/status", params={"as_of": str(day)})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json()["as_of"] == day.isoformat()
    assert reader.get("/api/v1/vendors/999999/status").status_code == 404


def test_vetted_evaluate_prints_the_same_table_on_every_core(vendors, session):
    from app.cli import _status_line
    from app.status.bulk import map_assessments
    from app.status.service import iter_assessments

    expected = [
        _status_line(v, a)
        for v, a in iter_assessments(session=session, vendors=vendors, as_of=TEST_TODAY)
    ]
    forked = list(map_assessments(_status_line, as_of=TEST_TODAY, workers=2, size=25))
    in_process = list(map_assessments(_status_line, as_of=TEST_TODAY, workers=1, size=25))
    assert forked == in_process == expected
