"""Every read that feeds the rules gives them the v2 inputs: each document's scope judgement and
each waiver's document (the ORM, the bulk and digest column lists, the vendor page's reads)."""

import anyio
import pytest
from conftest import TEST_TODAY
from factories import iso_body, soc2_body, vendor_body, waiver_body

from app import db
from app.digest.job import evaluated_vendors
from app.models import Vendor
from app.rules.facts import VendorCase
from app.status.bulk import iter_cases
from app.status.service import build_case, load_case
from app.vendors.queries import vendor_file


@pytest.fixture
def expected(analyst) -> tuple[int, dict, list]:
    """A vendor with a report judged `partly`, a certificate judged `no`, one unjudged, and
    waivers bound and unbound: (vendor id, {evidence id: judgement}, [waiver evidence ids])."""
    vendor = analyst.post("/api/v1/vendors", json=vendor_body()).json()
    url = f"/api/v1/vendors/{vendor['id']}"
    scopes = {}
    for body in (soc2_body(scope_covers_services="partly"), iso_body(), iso_body()):
        evidence = analyst.post(f"{url}/evidence", json=body).json()["evidence"]
        scopes[evidence["id"]] = evidence["scope_covers_services"]
    certificate = max(scopes)
    analyst.patch(f"/api/v1/evidence/{certificate}", json={"scope_covers_services": "no"})
    scopes[certificate] = "no"
    bound = waiver_body("SOC2_CUECS", evidence_id=min(scopes))
    for body in (bound, waiver_body()):
        assert analyst.post(f"{url}/waivers", json=body).status_code == 201
    return vendor["id"], scopes, [min(scopes), None]


def _inputs(case: VendorCase) -> tuple[dict, list]:
    scopes = {e.id: e.scope_covers_services for e in case.evidence}
    return scopes, sorted((w.evidence_id for w in case.waivers), key=lambda i: i is None)


def test_the_orm_reads_carry_them(expected):
    vendor_id, scopes, bound = expected
    with db.session_scope(writes=False) as session:
        case = load_case(session=session, vendor=session.get(Vendor, vendor_id))
    assert _inputs(case) == (scopes, bound)


def test_the_bulk_reads_carry_them(expected):
    vendor_id, scopes, bound = expected
    with db.session_scope(writes=False) as session:
        cases = {v.id: case for v, case in iter_cases(session.connection())}
    assert _inputs(cases[vendor_id]) == (scopes, bound)


def test_the_digest_reads_carry_them(expected):
    vendor_id, scopes, bound = expected
    with db.session_scope(writes=False) as session:
        found = {v.info.id: v.case for v in evaluated_vendors(session=session, as_of=TEST_TODAY)}
    assert _inputs(found[vendor_id]) == (scopes, bound)


def test_the_vendor_page_reads_carry_them(expected):
    vendor_id, scopes, bound = expected
    found = anyio.run(lambda: vendor_file(vendor_id, history_limit=5))
    assert _inputs(build_case(found.vendor, found.evidence, found.waivers)) == (scopes, bound)
