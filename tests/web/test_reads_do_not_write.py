"""GET handlers never write. After a vendor's review date every read answers with today's
status, evaluated, while the stored row and the change log stay as they were: the daily pass
stores them."""

from datetime import date

from factories import soc2_body, vendor_body
from web.support import api_post, fresh_count, fresh_rows, log_evidence

from app.deps import get_today
from app.models import AuditEntry, StatusChange, Vendor

LATER = date(2027, 4, 1)  # the SOC 2 report went stale on 2027-03-31


def _stored(session, vendor_id: int) -> tuple:
    (vendor,) = fresh_rows(session, Vendor, id=vendor_id)
    changes, audit = fresh_count(session, StatusChange), fresh_count(session, AuditEntry)
    return vendor.status, vendor.status_on, vendor.next_review_on, vendor.flags, changes, audit


def test_reads_evaluate_a_lapsed_vendor_and_store_nothing(
    app, analyst, reader, web_reader, session
):
    vendor = api_post(analyst, "/api/v1/vendors", vendor_body(tier="high"))
    vendor_id = vendor["id"]
    log_evidence(analyst, vendor_id, soc2_body())
    before = _stored(session, vendor_id)
    assert before[0] == "approved"

    app.dependency_overrides[get_today] = lambda: LATER
    base = f"/api/v1/vendors/{vendor_id}"
    status = reader.get(f"{base}/status").json()
    assert status["status"] == "blocked" and status["as_of"] == LATER.isoformat()
    assert "SOC2_STALE" in [flag["code"] for flag in status["flags"]]
    assert reader.get(base).json()["status"] == "blocked"
    assert [v["status"] for v in reader.get("/api/v1/vendors").json()["items"]] == ["blocked"]
    lookup = reader.get("/api/v1/vendors/lookup", params={"domain": vendor["domain"]})
    assert lookup.json()["status"] == "blocked"
    assert reader.get("/api/v1/digest/preview").status_code == 200
    for page in ("/", "/vendors", f"/vendors/{vendor_id}", "/digest"):
        assert web_reader.get(page).status_code == 200, page

    assert _stored(session, vendor_id) == before
