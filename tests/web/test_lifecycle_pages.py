"""The pages of reviews, contracts and the lifecycle (SPEC §12): the vendor page's facts and
renewal banner, the review, archive and reactivate forms."""

import re
from html import unescape

import pytest
from factories import soc2_body
from web.support import api_post, fresh_count, fresh_rows, log_evidence

from app.models import AuditEntry, Vendor, VendorReview

# Today is 2026-06-15. The report's period ends 2026-01-01: current until 2027-01-01. The
# contract ends 2027-03-31 with 30 days' notice: decided on 2027-03-01, when it is stale.
STALE_BEFORE_DECISION = {"period_start": "2025-01-02", "period_end": "2026-01-01"}
CONTRACT = {"contract_end_on": "2027-03-31", "notice_days": 30}
REVIEW = {"reviewed_on": "2026-06-10", "outcome": "approved", "notes": "Read the report"}
ARCHIVE = {"reason": "Contract ended", "data_returned_or_deleted": "yes", "access_removed": "no"}


def _vendor(analyst, name: str = "Renewal Soon Ltd", **fields) -> int:
    body = {"name": name, "tier": "high", **CONTRACT, **fields}
    return api_post(analyst, "/api/v1/vendors", body)["id"]


@pytest.fixture
def vendor_id(analyst) -> int:
    """Approved today; blocked on its decision date (its SOC 2 report is stale by then)."""
    vendor_id = _vendor(analyst)
    log_evidence(analyst, vendor_id, soc2_body(**STALE_BEFORE_DECISION))
    return vendor_id


def _text(html: str) -> str:
    return " ".join(unescape(html).split())


def _error(html: str, field: str) -> str:
    assert f'id="{field}-error"' in html, f"no error beside {field}"
    return unescape(html.split(f'id="{field}-error">')[1].split("</p>")[0])


def test_the_vendor_page_shows_lifecycle_contract_and_review_due(web_analyst, vendor_id):
    page = _text(web_analyst.get(f"/vendors/{vendor_id}").text)
    assert 'class="badge lifecycle-onboarding">Onboarding' in page
    assert 'Contract ends</dt><dd><time datetime="2027-03-31">' in page
    assert "Notice</dt><dd>30 days" in page and "Auto-renewal</dt><dd>No" in page
    assert 'Decide by</dt><dd><time datetime="2027-03-01">' in page
    # Created today, never reviewed: the onboarding review is due today, not overdue.
    assert 'Review due</dt><dd><time datetime="2026-06-15">' in page
    assert "Overdue" not in page


def test_the_banner_says_what_the_vendor_becomes_on_the_decision_date_and_why(
    web_analyst, vendor_id
):
    page = _text(web_analyst.get(f"/vendors/{vendor_id}").text)
    assert "Approved: nothing stands in the way" in page
    assert (
        "On 2027-03-01, when the renewal must be decided, this vendor will be Blocked: "
        "The SOC 2 Type II report" in page
    )
    assert "stopped being current after 2027-01-01" in page


def test_no_renewal_line_when_the_status_holds_until_the_decision(web_analyst, analyst):
    vendor_id = _vendor(analyst, "Steady Ltd")
    log_evidence(analyst, vendor_id, soc2_body())  # current until 2027-03-31
    page = _text(web_analyst.get(f"/vendors/{vendor_id}").text)
    assert "when the renewal must be decided" not in page


def test_a_passed_notice_period_is_said(web_analyst, analyst):
    vendor_id = _vendor(analyst, "Late Notice Ltd", contract_end_on="2026-07-01", notice_days=60)
    page = _text(web_analyst.get(f"/vendors/{vendor_id}").text)
    assert (
        "The notice period has passed: the renewal had to be decided by 2026-05-02, "
        "and the contract ends on 2026-07-01." in page
    )
    assert "Notice passed" in page


def test_an_overdue_review_is_marked(web_analyst, analyst, session):
    vendor_id = _vendor(analyst, "Overdue Ltd")
    web_analyst.submit(f"/vendors/{vendor_id}/reviews/new", {**REVIEW, "reviewed_on": "2025-06-01"})
    page = _text(web_analyst.get(f"/vendors/{vendor_id}").text)
    assert 'Review due</dt><dd><time datetime="2026-06-01">' in page
    assert "Overdue" in page


# --- record a review --------------------------------------------------------------------------


def test_the_review_form_shows_today_and_the_status_beside_the_outcomes(web_analyst, analyst):
    vendor_id = _vendor(analyst, "No Docs Ltd")  # blocked: nothing on file
    page = web_analyst.get(f"/vendors/{vendor_id}/reviews/new").text
    assert 'name="reviewed_on" value="2026-06-15"' in page
    for words in ("Approved with conditions", "Rejected", "Required evidence missing"):
        assert words in page
    assert "Today: " in page and "status-blocked" in page


def test_recording_a_review_makes_an_onboarding_vendor_active(web_analyst, vendor_id, session):
    response = web_analyst.submit(f"/vendors/{vendor_id}/reviews/new", REVIEW)
    assert response.status_code == 303, response.text
    review = fresh_rows(session, VendorReview)[0]
    assert (review.outcome, review.notes, review.created_by) == (
        "approved",
        "Read the report",
        "analyst@example.com",
    )
    vendor = fresh_rows(session, Vendor)[0]
    assert (vendor.lifecycle, str(vendor.review_due_on)) == ("active", "2027-06-10")
    page = _text(web_analyst.get(f"/vendors/{vendor_id}").text)
    assert "Recorded a review of Renewal Soon Ltd on 2026-06-10: Approved." in page
    assert "lifecycle-active" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reviewed_on": ""}, "reviewed_on", "Required."),
        ({"reviewed_on": "10 June"}, "reviewed_on", "YYYY-MM-DD"),
        ({"reviewed_on": "2026-06-16"}, "reviewed_on", "on 2026-06-15 or earlier"),
        ({"outcome": ""}, "outcome", "Required."),
        ({"outcome": "maybe"}, "outcome", "Choose one of the options."),
    ],
)
def test_review_errors_keep_what_was_typed_and_write_nothing(
    web_analyst, vendor_id, session, changes, field, message
):
    before = fresh_count(session, AuditEntry)
    response = web_analyst.submit(
        f"/vendors/{vendor_id}/reviews/new", {**REVIEW, "notes": "kept <notes>", **changes}
    )
    assert response.status_code == 422
    assert message in _error(response.text, field)
    assert "kept &lt;notes&gt;" in response.text
    assert fresh_count(session, VendorReview) == 0
    assert fresh_count(session, AuditEntry) == before


# --- archive and reactivate -------------------------------------------------------------------


def test_archiving_records_the_reason_and_checks_and_the_page_says_so(
    web_analyst, vendor_id, session
):
    assert "Archive…" in web_analyst.get(f"/vendors/{vendor_id}").text
    response = web_analyst.submit(f"/vendors/{vendor_id}/archive", ARCHIVE)
    assert response.status_code == 303, response.text
    vendor = fresh_rows(session, Vendor)[0]
    assert (vendor.lifecycle, vendor.archive_reason) == ("archived", "Contract ended")
    assert vendor.offboarding_checks == {"data_returned_or_deleted": "yes", "access_removed": "no"}
    page = _text(web_analyst.get(f"/vendors/{vendor_id}").text)
    assert "Archived Renewal Soon Ltd." in page
    assert "This vendor was archived" in page and "by analyst@example.com: Contract ended" in page
    assert "Data returned or deleted</dt><dd>Yes" in page and "Access removed</dt><dd>No" in page
    assert "Reactivate</button>" in page
    for gone in ("Record a review…", "Archive…", "Request evidence…", "Log evidence"):
        assert gone not in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason": ""}, "reason", "Required."),
        ({"access_removed": ""}, "access_removed", "Required."),
        ({"data_returned_or_deleted": "perhaps"}, "data_returned_or_deleted", "Choose one"),
    ],
)
def test_archive_errors_keep_what_was_typed_and_write_nothing(
    web_analyst, vendor_id, session, changes, field, message
):
    response = web_analyst.submit(f"/vendors/{vendor_id}/archive", {**ARCHIVE, **changes})
    assert response.status_code == 422
    assert message in _error(response.text, field)
    if field != "reason":
        assert "Contract ended</textarea>" in response.text
    assert fresh_rows(session, Vendor)[0].lifecycle == "onboarding"


def test_archiving_an_archived_vendor_is_a_message_not_an_error_page(
    web_analyst, vendor_id, session
):
    web_analyst.submit(f"/vendors/{vendor_id}/archive", ARCHIVE)
    form = web_analyst.get(f"/vendors/{vendor_id}/archive")
    assert "This vendor is archived already (Contract ended)." in unescape(form.text)
    again = web_analyst.submit(f"/vendors/{vendor_id}/archive", {**ARCHIVE, "reason": "twice"})
    assert again.status_code == 409
    assert "is archived already" in again.text and 'class="error-summary"' in again.text
    assert fresh_rows(session, Vendor)[0].archive_reason == "Contract ended"


def test_a_review_of_an_archived_vendor_is_refused_with_a_message(web_analyst, vendor_id, session):
    web_analyst.submit(f"/vendors/{vendor_id}/archive", ARCHIVE)
    response = web_analyst.submit(f"/vendors/{vendor_id}/reviews/new", REVIEW)
    assert response.status_code == 409
    assert "is archived: reactivate it" in unescape(response.text)
    assert fresh_count(session, VendorReview) == 0


def test_reactivating_brings_the_vendor_back(web_analyst, vendor_id, session):
    web_analyst.submit(f"/vendors/{vendor_id}/archive", ARCHIVE)
    assert "Reactivate the vendor" in web_analyst.get(f"/vendors/{vendor_id}/reactivate").text
    response = web_analyst.submit(f"/vendors/{vendor_id}/reactivate", {})
    assert response.status_code == 303
    vendor = fresh_rows(session, Vendor)[0]
    assert (vendor.lifecycle, vendor.archive_reason) == ("active", None)
    again = web_analyst.submit(f"/vendors/{vendor_id}/reactivate", {})
    assert again.status_code == 409 and "not archived" in again.text


# --- readers ----------------------------------------------------------------------------------


def test_a_reader_gets_no_buttons_and_403_on_the_forms(web_reader, web_analyst, vendor_id):
    web_analyst.submit(f"/vendors/{vendor_id}/archive", ARCHIVE)
    page = web_reader.get(f"/vendors/{vendor_id}").text
    assert "This vendor was archived" in page
    for button in ("Reactivate</button>", "Record a review…", "Archive…"):
        assert button not in page
    for path in ("reviews/new", "archive", "reactivate"):
        assert web_reader.get(f"/vendors/{vendor_id}/{path}").status_code == 403
        assert web_reader.submit(f"/vendors/{vendor_id}/{path}", {}).status_code == 403


# --- the dashboard and the list ---------------------------------------------------------------


@pytest.fixture
def calendar(analyst, web_analyst) -> dict[str, int]:
    """An onboarding vendor (blocked: nothing on file, its review due today), an active one
    blocked and reviewed today, one whose renewal is decided on 2026-09-01 when its report is
    stale, and an archived one."""
    ids = {
        "onboarding": _vendor(analyst, "Newcomer Ltd", contract_end_on=None),
        "active": _vendor(analyst, "Settled Ltd", lifecycle="active", contract_end_on=None),
        "renewing": _vendor(analyst, "Renewing Ltd", lifecycle="active",
                            contract_end_on="2026-09-01", notice_days=0),
        "archived": _vendor(analyst, "Departed Ltd", contract_end_on="2026-08-01"),
    }  # fmt: skip
    review = {**REVIEW, "reviewed_on": "2026-06-15", "outcome": "rejected"}
    web_analyst.submit(f"/vendors/{ids['active']}/reviews/new", review)
    web_analyst.submit(f"/vendors/{ids['renewing']}/reviews/new", review)
    log_evidence(analyst, ids["renewing"], soc2_body(period_start="2024-07-16",
                                                     period_end="2025-07-15"))  # fmt: skip
    web_analyst.submit(f"/vendors/{ids['archived']}/archive", ARCHIVE)
    return ids


def _section(text: str, heading: str, following: str) -> str:
    return text.split(heading, 1)[1].split(following, 1)[0]


def test_the_dashboard_shows_onboarding_apart_and_leaves_archived_vendors_out(web_reader, calendar):
    text = _text(web_reader.get("/").text)
    attention = _section(text, "Needs attention", "In onboarding")
    onboarding = _section(text, "In onboarding", "Reviews due")
    assert "Settled Ltd" in attention and "Newcomer Ltd" not in attention
    assert "Newcomer Ltd" in onboarding and "Settled Ltd" not in onboarding
    assert "Departed Ltd" not in text.split("Latest changes")[0]
    counts = [int(n) for n in re.findall(r'class="count">(\d+)<', text)]
    assert sum(counts) == 3  # the archived vendor is not counted


def test_the_dashboard_lists_reviews_due_and_renewal_decisions_with_the_status_then(
    web_reader, calendar
):
    text = _text(web_reader.get("/").text)
    reviews = _section(text, "Reviews due", "Renewal decisions in the next 90 days")
    assert "Newcomer Ltd" in reviews  # the onboarding review: due on its creation day
    assert "Settled Ltd" not in reviews  # reviewed today: due in a year
    decisions = _section(text, "Renewal decisions in the next 90 days", "Goes stale")
    assert "2026-09-01" in decisions and "Renewing Ltd" in decisions
    assert "Blocked" in decisions.split("Renewing Ltd")[1]
    assert "Departed Ltd" not in decisions


def test_the_list_leaves_archived_vendors_out_unless_chosen(web_reader, calendar):
    listed = web_reader.get("/vendors").text
    assert "Newcomer Ltd" in listed and "Departed Ltd" not in listed
    archived = web_reader.get("/vendors?lifecycle=archived").text
    assert "Departed Ltd" in archived and "Newcomer Ltd" not in archived
    assert '<option value="archived" selected>' in archived
    onboarding = web_reader.get("/vendors?lifecycle=onboarding").text
    assert "Newcomer Ltd" in onboarding and "Settled Ltd" not in onboarding


def test_the_list_filters_on_review_due_and_decision_dates(web_reader, calendar):
    reviews = web_reader.get("/vendors?review_due_within_days=30").text
    assert "Newcomer Ltd" in reviews and "Settled Ltd" not in reviews
    assert 'name="review_due_within_days" min="0" max="3650" inputmode="numeric" value="30"' in (
        reviews
    )
    decisions = web_reader.get("/vendors?decision_within_days=90").text
    assert "Renewing Ltd" in decisions and "Newcomer Ltd" not in decisions
    assert "renewal to decide within 90 days" in decisions
    assert "decision_within_days=90" in decisions  # kept in the export and paging links
    # A hand-edited value is ignored, never an error.
    odd = web_reader.get("/vendors?decision_within_days=-3&lifecycle=gone")
    assert odd.status_code == 200 and "Newcomer Ltd" in odd.text


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("evidence/soc2_report/new", "evidence"),
        ("waivers/new", "waivers"),
        ("requests/new", "evidence requests"),
    ],
)
def test_the_forms_for_new_records_of_an_archived_vendor_say_why_they_refuse(
    web_analyst, vendor_id, session, path, what
):
    web_analyst.submit(f"/vendors/{vendor_id}/archive", ARCHIVE)
    before = fresh_count(session, AuditEntry)
    for response in (
        web_analyst.get(f"/vendors/{vendor_id}/{path}"),
        web_analyst.submit(f"/vendors/{vendor_id}/{path}", {"reason": "x"}),
    ):
        assert response.status_code == 409
        assert f"Renewal Soon Ltd is archived: it takes no new {what}." in response.text
        assert "Reactivate it first (it was archived: Contract ended)." in response.text
    assert fresh_count(session, AuditEntry) == before


def test_needs_attention_offers_the_whole_list_past_its_first_fifteen(web_reader, analyst):
    for n in range(16):
        _vendor(analyst, f"Blocked {n:02} Ltd", lifecycle="active", contract_end_on=None)
    _vendor(analyst, "Blocked Newcomer Ltd", contract_end_on=None)  # onboarding: apart
    text = _text(web_reader.get("/").text)
    attention = _section(text, "Needs attention", "In onboarding")
    assert "Blocked 14 Ltd" in attention and "Blocked 15 Ltd" not in attention
    assert 'href="/vendors?status=blocked">All 17 blocked vendors' in attention
    assert 'class="count">17<' in text


def test_the_vendor_page_lists_its_reviews(web_analyst, web_reader, vendor_id):
    assert "No review has been recorded yet." in web_reader.get(f"/vendors/{vendor_id}").text
    web_analyst.submit(f"/vendors/{vendor_id}/reviews/new", REVIEW)
    reviews = _text(web_reader.get(f"/vendors/{vendor_id}").text).split('id="reviews-h"')[1]
    assert '<time datetime="2026-06-10">' in reviews
    assert "Approved</td><td>Read the report</td><td>analyst@example.com" in reviews
