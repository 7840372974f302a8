"""GET /vendors/{id}/status says what the models say, from the stored row or evaluated; and
`vetted evaluate` prints the same table however many cores it uses."""

import pytest
from conftest import TEST_TODAY
from perf.generate import bench_engine, generate
from sqlmodel import col, select

from app.models import Vendor
from app.status.service import iter_assessments, status_on


@pytest.fixture
def vendors(database_url, session) -> list[Vendor]:
    engine = bench_engine(database_url)
    generate(engine, 120, today=TEST_TODAY, seed=3, batch=60, workers=0)
    engine.dispose()
    return list(session.exec(select(Vendor).order_by(col(Vendor.id))))


def test_the_status_call_says_what_the_models_say(vendors, reader, session):
    reviewed = [v for v in vendors if v.next_review_on is not None][:20]
    for vendor in reviewed:  # today (the stored row) and its review date (evaluated)
        for day in (TEST_TODAY, vendor.next_review_on):
            path = f"/api/v1/vendors/{vendor.id}/status"
            response = reader.get(path, params={"as_of": str(day)})
            assert response.status_code == 200
            expected = status_on(session=session, vendor=vendor, as_of=day)
            assert response.json() == expected.model_dump(mode="json")
    assert reader.get("/api/v1/vendors/999999/status").status_code == 404


def test_vetted_evaluate_prints_the_same_table_on_every_core(vendors, session):
    from app.cli import _status_line
    from app.status.bulk import map_assessments

    expected = [
        _status_line(v, a)
        for v, a in iter_assessments(session=session, vendors=vendors, as_of=TEST_TODAY)
    ]
    forked = list(map_assessments(_status_line, as_of=TEST_TODAY, workers=2, size=25))
    in_process = list(map_assessments(_status_line, as_of=TEST_TODAY, workers=1, size=25))
    assert forked == in_process == expected
