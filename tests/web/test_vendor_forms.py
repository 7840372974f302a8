"""Create and edit a vendor through the forms: success, every validation error, CSRF, roles."""

import pytest
from factories import soc2_body
from web.support import WebClient, csrf_of, fresh_count, fresh_rows

from app.models import AuditEntry, Evidence, Vendor

GOOD = {"name": "Acme Cloud", "domain": "acme.example", "tier": "critical", "services": "Hosting"}


def _create(client: WebClient, **fields) -> int:
    response = client.submit("/vendors/new", {**GOOD, **fields})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_create_redirects_to_the_vendor_page_with_its_status(web_analyst: WebClient, session):
    response = web_analyst.submit("/vendors/new", {**GOOD, "required_tsc": ["availability"]})
    assert response.status_code == 303
    vendor = fresh_rows(session, Vendor)[0]
    assert response.headers["location"] == f"/vendors/{vendor.id}"
    assert (vendor.name, vendor.tier, vendor.required_tsc) == (
        "Acme Cloud",
        "critical",
        ["availability"],
    )
    page = web_analyst.get(response.headers["location"])
    assert "Created Acme Cloud. Acme Cloud is now Blocked." in page.text
    assert "Blocked: do not sign or renew with Acme Cloud." in page.text
    again = web_analyst.get(response.headers["location"])
    assert "Created Acme Cloud." not in again.text  # a notice shows once
    entry = fresh_rows(session, AuditEntry, entity="vendor")[0]
    assert (entry.action, entry.actor) == ("create", "analyst@example.com")


def test_empty_optional_fields_are_left_unset(web_analyst: WebClient, session):
    _create(web_analyst, domain="", region="", data_access="", owner_email="", requirement="")
    vendor = fresh_rows(session, Vendor)[0]
    assert (vendor.domain, vendor.region, vendor.owner_email, vendor.required_tsc) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Required."),
        ("name", "x" * 201, "Must have at most 200 characters."),
        ("name", "nul\x00byte", "Must not contain NUL characters."),
        ("domain", "not a domain", "Must be a domain name such as acme.com."),
        ("tier", "", "Required."),
        ("tier", "extreme", "Choose one of the options."),
        ("region", "mars", "Choose one of the options."),
        ("data_access", "everything", "Choose one of the options."),
        ("owner_email", "not-an-email", "Value is not a valid email address"),
        ("requirement", "soc5", "Choose one of the options."),
        ("required_tsc", ["security", "speed"], "Row 2: choose one of the options."),
    ],
)
def test_each_error_is_shown_beside_its_field_and_nothing_is_written(
    web_analyst: WebClient, session, field, value, message
):
    response = web_analyst.submit("/vendors/new", {**GOOD, "services": "Typed text", field: value})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    error = response.text.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert message in error
    assert "Typed text</textarea>" in response.text  # what was typed is kept
    assert (
        fresh_count(session, Vendor) == 0 and fresh_count(session, AuditEntry, entity="vendor") == 0
    )


@pytest.mark.parametrize(
    ("duplicate", "field"),
    [({"name": "ACME cloud"}, "name"), ({"domain": "acme.example"}, "domain")],
)
def test_a_duplicate_name_or_domain_is_shown_beside_the_field(
    web_analyst: WebClient, session, duplicate, field
):
    _create(web_analyst)
    response = web_analyst.submit(
        "/vendors/new", {**GOOD, "name": "Other", "domain": "o.example", **duplicate}
    )
    assert response.status_code == 422
    assert "exists already" in response.text.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert fresh_count(session, Vendor) == 1


def test_a_form_without_a_valid_csrf_token_is_refused(web_analyst: WebClient, session, app):
    for token in ("", "forged", csrf_of(WebClient(app).get("/login").text)):
        response = web_analyst.post("/vendors/new", data={**GOOD, "csrf_token": token})
        assert response.status_code == 403
        assert "Nothing was saved" in response.text
    assert fresh_count(session, Vendor) == 0


def test_readers_are_refused_with_a_403_page(web_reader: WebClient, session):
    assert web_reader.get("/vendors/new").status_code == 403
    response = web_reader.submit("/vendors/new", GOOD)
    assert response.status_code == 403
    assert "read everything and change nothing" in response.text
    assert fresh_count(session, Vendor) == 0


def test_anonymous_posts_go_to_the_login_page(web: WebClient, session):
    web.get("/login")
    response = web.post("/vendors/new", data=GOOD, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert fresh_count(session, Vendor) == 0


def test_edit_shows_the_values_and_saves_changes(web_analyst: WebClient, session):
    vendor_id = _create(web_analyst, tier="high")
    form = web_analyst.get(f"/vendors/{vendor_id}/edit").text
    assert 'value="Acme Cloud"' in form and 'name="version" value="1"' in form
    changes = {**GOOD, "tier": "low", "domain": "", "version": "1"}
    response = web_analyst.submit(f"/vendors/{vendor_id}/edit", changes)
    assert response.status_code == 303
    vendor = fresh_rows(session, Vendor)[0]
    assert (vendor.tier, vendor.domain, vendor.status, vendor.version) == (
        "low",
        None,
        "approved",
        2,
    )
    assert "Acme Cloud is now Approved." in web_analyst.get(f"/vendors/{vendor_id}").text
    assert [e.action for e in fresh_rows(session, AuditEntry, entity="vendor")] == [
        "create",
        "update",
    ]


def test_edit_with_a_stale_version_is_a_conflict_on_the_form(web_analyst: WebClient, session):
    vendor_id = _create(web_analyst)
    web_analyst.submit(f"/vendors/{vendor_id}/edit", {**GOOD, "services": "First", "version": "1"})
    response = web_analyst.submit(
        f"/vendors/{vendor_id}/edit", {**GOOD, "services": "Second", "version": "1"}
    )
    assert response.status_code == 422
    assert "is at version 2, not 1" in response.text
    assert "Second</textarea>" in response.text
    assert fresh_rows(session, Vendor)[0].services == "First"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("name", "", "Required."), ("tier", "", "Required."), ("domain", "bad domain", "domain name")],
)
def test_edit_errors_are_shown_beside_the_field(
    web_analyst: WebClient, session, field, value, message
):
    vendor_id = _create(web_analyst)
    response = web_analyst.submit(
        f"/vendors/{vendor_id}/edit", {**GOOD, field: value, "version": "1"}
    )
    assert response.status_code == 422
    assert message in response.text.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert fresh_rows(session, Vendor)[0].version == 1


def test_editing_an_unknown_vendor_is_a_404_page(web_analyst: WebClient):
    assert web_analyst.get("/vendors/999/edit").status_code == 404
    assert web_analyst.submit("/vendors/999/edit", {**GOOD, "version": "1"}).status_code == 404


def test_editing_the_services_resets_the_scope_judgements(web_analyst: WebClient, analyst, session):
    vendor_id = _create(web_analyst)
    body = soc2_body(scope_covers_services="partly")
    assert analyst.post(f"/api/v1/vendors/{vendor_id}/evidence", json=body).status_code == 201
    changes = {**GOOD, "services": "Hosting and backups", "version": "1"}
    assert web_analyst.submit(f"/vendors/{vendor_id}/edit", changes).status_code == 303
    assert fresh_rows(session, Evidence)[0].scope_covers_services is None
    (reset,) = fresh_rows(session, AuditEntry, entity="evidence", action="scope_reset")
    assert reset.actor == "analyst@example.com"
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert "Cleared the scope judgement of SOC 2 Type II report" in page
