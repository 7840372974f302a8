"""The vendor form gains the lifecycle and the contract (its pages are the next step's)."""

from datetime import date

from web.support import WebClient, fresh_rows

from app.models import Vendor, Waiver

GOOD = {"name": "Acme Cloud", "domain": "acme.example", "tier": "critical", "services": "Hosting"}
CONTRACT = {
    "contract_end_on": "2027-01-31",
    "notice_days": "60",
    "auto_renews": "on",
    "renewal_term_months": "12",
}


def test_the_form_shows_the_contract_inputs_with_their_labels(web_analyst: WebClient):
    page = web_analyst.get("/vendors/new")
    assert page.status_code == 200
    for words in ("Lifecycle", "Contract end or renewal date", "Notice period (days)",
                  "Renews automatically", "Renewal term (months)"):  # fmt: skip
        assert words in page.text


def test_the_contract_is_saved_from_the_form_and_an_unticked_box_clears(
    web_analyst: WebClient, session
):
    response = web_analyst.submit("/vendors/new", {**GOOD, **CONTRACT})
    assert response.status_code == 303, response.text
    vendor = fresh_rows(session, Vendor)[0]
    assert (vendor.lifecycle, vendor.contract_end_on, vendor.notice_days) == (
        "onboarding",
        date(2027, 1, 31),
        60,
    )
    assert (vendor.auto_renews, vendor.renewal_term_months) == (True, 12)
    edit = web_analyst.get(f"/vendors/{vendor.id}/edit")
    assert 'value="60"' in edit.text and "checked" in edit.text
    fields = {**GOOD, **CONTRACT, "lifecycle": "active", "version": str(vendor.version)}
    del fields["auto_renews"]
    response = web_analyst.submit(f"/vendors/{vendor.id}/edit", fields)
    assert response.status_code == 303, response.text
    vendor = fresh_rows(session, Vendor)[0]
    assert (vendor.lifecycle, vendor.auto_renews) == ("active", False)


def test_a_bad_notice_period_is_shown_beside_its_field(web_analyst: WebClient):
    response = web_analyst.submit("/vendors/new", {**GOOD, "notice_days": "-1"})
    assert response.status_code == 422
    assert "notice_days" in response.text


def test_a_waiver_form_for_an_archived_vendor_is_refused(web_analyst: WebClient, session):
    from app import db
    from app.vendors import lifecycle
    from app.vendors.schemas import ArchiveRequest

    response = web_analyst.submit("/vendors/new", {"name": "Gone Ltd", "tier": "high"})
    vendor_id = int(response.headers["location"].rsplit("/", 1)[1])
    checks = {"data_returned_or_deleted": "yes", "access_removed": "yes"}
    with db.session_scope() as s:
        lifecycle.archive_vendor(
            session=s, vendor_id=vendor_id, data=ArchiveRequest(reason="ended", checks=checks),
            actor="t", today=date(2026, 6, 15),
        )  # fmt: skip
    waiver = {
        "flag": "EVIDENCE_MISSING", "reason": "Signed before onboarding",
        "approved_by": "Morgan Lee", "granted_on": "2026-06-15", "expires_on": "2026-09-30",
    }  # fmt: skip
    response = web_analyst.submit(f"/vendors/{vendor_id}/waivers/new", waiver)
    # Refused before the form is read, with the reason; nothing written (the service's 409
    # stands behind it).
    assert response.status_code == 409
    assert "Gone Ltd is archived: it takes no new waivers." in response.text
    assert not fresh_rows(session, Waiver)
