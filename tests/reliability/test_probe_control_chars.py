"""Issue 14, item 8: a line break in a vendor name forged lines of the digest. One-line fields
refuse control characters (Unicode category C) and line separators with a 422 naming the
field; multi-line fields keep line breaks and tabs and refuse the rest; names lose their
invisible characters and are compared NFKC-folded, so a look-alike is a duplicate."""

import pytest
from factories import iso_body, soc2_body, vendor_body, waiver_body
from reliability.support import COUNTS, finding_closed
from sqlalchemy import func
from sqlmodel import select
from web.support import web_client

from app import db
from app.fields import INVISIBLE
from app.models import Evidence, Vendor, Waiver

# A line feed, a carriage return, a tab, an escape, NEL (C1), a line separator (Zl), a
# right-to-left override (Cf), a private-use character (Co), an unassigned one (Cn).
CONTROLS = ["\n", "\r", "\t", "\x1b", "\x85", "\u2028", "\u202e", "\ue000", "\U000e0080"]
ONE_LINE_FIELDS = [  # (what is posted, field, a valid value the control is put into)
    ("vendor", "name", "Acme Cloud"),
    ("vendor", "owner_email", "owner@example.com"),
    ("vendor", "domain", "acme.example"),
    ("soc2", "auditor", "Hale & Moss LLP"),
    ("iso", "certificate_number", "IS 123456"),
    ("iso", "certification_body", "BSI"),
    ("iso", "accreditation_body", "UKAS"),
    ("waiver", "approved_by", "Morgan Lee"),
    ("waiver", "code", "EVIDENCE_MISSING"),
]
MULTI_LINE_FIELDS = [
    ("vendor", "services", "Payroll"),
    ("soc2", "notes", "Received by e-mail"),
    ("soc2", "system", "The payroll platform"),
    ("iso", "scope", "Hosting"),
    ("waiver", "reason", "Report due in Q3"),
]


def _count(model) -> int:
    with db.session_scope(writes=False) as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def vendor_id(analyst) -> int:
    return analyst.post("/api/v1/vendors", json=vendor_body(name="Holder")).json()["id"]


def _post(analyst, vendor_id: int, what: str, field: str, value: str):
    if what == "vendor":
        return analyst.post("/api/v1/vendors", json=vendor_body(**{field: value}))
    if what == "waiver":
        return analyst.post(
            f"/api/v1/vendors/{vendor_id}/waivers", json=waiver_body(**{field: value})
        )
    body = (soc2_body if what == "soc2" else iso_body)(**{field: value})
    return analyst.post(f"/api/v1/vendors/{vendor_id}/evidence", json=body)


def _stored() -> tuple[int, int, int]:
    return _count(Vendor), _count(Evidence), _count(Waiver)


@pytest.mark.parametrize(("what", "field", "valid"), ONE_LINE_FIELDS)
def test_one_line_fields_refuse_control_characters_naming_the_field(
    analyst, vendor_id, what, field, valid
):
    before = _stored()
    for control in CONTROLS if field != "name" else set(CONTROLS) - INVISIBLE:
        value = valid[:1] + control + valid[1:]
        response = _post(analyst, vendor_id, what, field, value)
        assert response.status_code == 422, (field, control)
        (error,) = response.json()["detail"]
        assert error["loc"][-1] == field, error
        COUNTS["hostile: control characters refused"] += 1
    assert _stored() == before
    assert _post(analyst, vendor_id, what, field, valid).status_code == 201
    finding_closed("8 control characters in one-line fields")


@pytest.mark.parametrize(("what", "field", "valid"), MULTI_LINE_FIELDS)
def test_multi_line_fields_keep_line_breaks_and_tabs_only(analyst, vendor_id, what, field, valid):
    kept = _post(analyst, vendor_id, what, field, f"{valid}\r\nsecond line\tand a tab")
    assert kept.status_code == 201, kept.text
    for control in CONTROLS[3:]:
        response = _post(analyst, vendor_id, what, field, f"{valid}{control}more")
        assert response.status_code == 422, (field, control)
        assert response.json()["detail"][0]["loc"][-1] == field
    finding_closed("8 control characters in one-line fields")


def test_a_name_on_a_subservice_organisation_is_one_line(analyst, vendor_id):
    orgs = [{"name": "AWS\nFORGED", "method": "carve_out"}]
    response = analyst.post(
        f"/api/v1/vendors/{vendor_id}/evidence", json=soc2_body(subservice_orgs=orgs)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-2:] == ["subservice_orgs", 0, "name"][-2:] or (
        response.json()["detail"][0]["loc"][-1] == "name"
    )


@pytest.mark.parametrize(
    "look_alike",
    [
        "Northwind\u200b Payments",  # a zero-width space
        "\u202eNorthwind Payments",  # a right-to-left override
        "Northwind\u00ad Payments\ufeff",  # a soft hyphen and a byte-order mark
        "\uff2eorthwind Payments",  # a full-width N (NFKC)
        "NORTHWIND  PAYMENTS",
    ],
)
def test_a_look_alike_name_is_a_duplicate(analyst, look_alike):
    assert (
        analyst.post("/api/v1/vendors", json=vendor_body(name="Northwind Payments")).status_code
        == 201
    )
    duplicate = analyst.post("/api/v1/vendors", json=vendor_body(name=look_alike))
    assert duplicate.status_code == 409, duplicate.text
    assert _count(Vendor) == 1
    finding_closed("8 control characters in one-line fields")


def test_invisible_characters_leave_a_name_and_its_search(analyst):
    created = analyst.post("/api/v1/vendors", json=vendor_body(name="\u200bZero\u200dWidth Ltd"))
    assert created.status_code == 201 and created.json()["name"] == "ZeroWidth Ltd"
    found = analyst.get("/api/v1/vendors", params={"q": "\uff3aerowidth"}).json()["items"]
    assert [v["name"] for v in found] == ["ZeroWidth Ltd"]


def test_the_form_shows_the_error_beside_the_name(app):
    with web_client(app, "analyst") as web:
        page = web.submit("/vendors/new", {"name": "Acme\nDIGEST: all approved", "tier": "low"})
    assert page.status_code == 422
    assert "must be one line of text" in page.text.lower()
    assert _count(Vendor) == 0
