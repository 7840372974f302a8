"""Log each kind of evidence and retract a record through the forms."""

from html import unescape

import pytest
from factories import soc2_body
from web.support import WebClient, fresh_count, fresh_rows

from app.models import AuditEntry, Evidence, Vendor

SOC2 = {
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "unqualified",
    "auditor": "Hale & Moss LLP",
    "tsc": ["security", "availability"],
    "exceptions_noted": "0",
    "received_on": "2026-05-01",
}
ISO = {
    "standard_version": "2022",
    "certificate_number": "IS 771203",
    "certification_body": "BSI",
    "accreditation_body": "UKAS",
    "issued_on": "2026-01-10",
    "expires_on": "2029-01-09",
    "certificate_status": "active",
}


@pytest.fixture
def vendor_id(web_analyst: WebClient) -> int:
    """A critical vendor with nothing on file (blocked)."""
    response = web_analyst.submit("/vendors/new", {"name": "Acme Cloud", "tier": "critical"})
    return int(response.headers["location"].rsplit("/", 1)[1])


def _url(vendor_id: int, kind: str) -> str:
    return f"/vendors/{vendor_id}/evidence/{kind}/new"


def _error(html: str, field: str) -> str:
    assert f'id="{field}-error"' in html, f"no error beside {field}"
    return unescape(html.split(f'id="{field}-error">')[1].split("</p>")[0])


@pytest.mark.parametrize(
    "kind", ["soc2_report", "soc1_report", "soc3_report", "iso27001_certificate", "bridge_letter"]
)
def test_each_form_is_shown_to_analysts_and_refused_to_readers(
    web_analyst: WebClient, web_reader: WebClient, vendor_id, kind
):
    page = web_analyst.get(_url(vendor_id, kind))
    assert page.status_code == 200
    assert 'value="2026-06-15"' in page.text or kind == "bridge_letter"  # received today
    assert web_reader.get(_url(vendor_id, kind)).status_code == 403


def test_a_soc2_report_is_logged_and_the_vendor_approved(
    web_analyst: WebClient, session, vendor_id
):
    data = {
        **SOC2,
        "subservice_name": ["Amazon Web Services", "", "Stripe"],
        "subservice_method": ["carve_out", "carve_out", "inclusive"],
        "cuecs": "on",
        "scope_covers_services": "yes",
    }
    response = web_analyst.submit(_url(vendor_id, "soc2_report"), data)
    assert response.status_code == 303
    assert response.headers["location"] == f"/vendors/{vendor_id}"
    evidence = fresh_rows(session, Evidence)[0]
    assert evidence.tsc == ["availability", "security"] and evidence.cuecs is True
    assert evidence.subservice_orgs == [
        {"name": "Amazon Web Services", "method": "carve_out"},
        {"name": "Stripe", "method": "inclusive"},
    ]
    assert evidence.created_by == "analyst@example.com"
    assert evidence.scope_covers_services == "yes"
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert "Logged the SOC 2 Type II report. Acme Cloud is now Approved." in page
    assert fresh_rows(session, Vendor)[0].status == "approved"


def test_a_type_one_report_leaves_the_period_start_out(web_analyst: WebClient, session, vendor_id):
    data = {**SOC2, "report_type": "type1", "period_start": "", "scope_covers_services": "yes"}
    assert web_analyst.submit(_url(vendor_id, "soc2_report"), data).status_code == 303
    assert fresh_rows(session, Evidence)[0].period_start is None
    assert fresh_rows(session, Vendor)[0].flags[0]["code"] == "SOC2_TYPE1_ONLY"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"period_end": ""}, "period_end", "Required."),
        ({"period_end": "31/03/2026"}, "period_end", "Must be a date written YYYY-MM-DD."),
        ({"opinion": ""}, "opinion", "Required."),
        ({"opinion": "glowing"}, "opinion", "Choose one of the options."),
        ({"auditor": ""}, "auditor", "Required."),
        ({"report_type": ""}, "report_type", "Required."),
        ({"period_start": ""}, "period_start", "A Type II report covers a period; give its start."),
        (
            {"report_type": "type1"},
            "period_start",
            "A Type I report is as of one date; leave it empty.",
        ),
        ({"period_start": "2026-04-01"}, "period_start", "Must be before the period end."),
        (
            {"issued_on": "2026-03-01"},
            "issued_on",
            "A report is issued on or after its period end.",
        ),
        ({"exceptions_noted": "-1"}, "exceptions_noted", "Must be greater than or equal to 0."),
        ({"exceptions_noted": "many"}, "exceptions_noted", "Enter a whole number."),
        ({"tsc": ["security", "speed"]}, "tsc", "Row 2: choose one of the options."),
        ({"received_on": "2026-06-16"}, "received_on", "Must not be after today (2026-06-15)."),
        (
            {"period_start": "2025-05-16", "period_end": "2026-05-15"},
            "period_end",
            "Must not be after the date received (2026-05-01): a report is issued only after "
            "its period ends.",
        ),
        (
            {"issued_on": "2026-05-02"},
            "issued_on",
            "Must not be after the date received (2026-05-01): a report cannot be received "
            "before it is issued.",
        ),
        (
            {"subservice_name": ["AWS"], "subservice_method": ["sideways"]},
            "subservice_orgs",
            "Row 1: choose one of the options.",
        ),
    ],
)
def test_soc2_errors_are_shown_beside_the_field_and_nothing_is_written(
    web_analyst: WebClient, session, vendor_id, changes, field, message
):
    data = {**SOC2, "notes": "Typed note", **changes}
    response = web_analyst.submit(_url(vendor_id, "soc2_report"), data)
    assert response.status_code == 422
    assert message in _error(response.text, field)
    assert "Typed note</textarea>" in response.text
    assert 'value="Hale &amp; Moss LLP"' in response.text or changes.get("auditor") == ""
    assert fresh_count(session, Evidence) == 0
    assert fresh_count(session, AuditEntry, entity="evidence") == 0


def test_security_cannot_be_left_out_of_the_criteria(web_analyst: WebClient, session, vendor_id):
    response = web_analyst.submit(_url(vendor_id, "soc2_report"), {**SOC2, "tsc": ["availability"]})
    assert response.status_code == 422
    assert "Must include security (the common criteria)." in response.text
    assert fresh_count(session, Evidence) == 0


@pytest.mark.parametrize(("kind", "has_type"), [("soc1_report", True), ("soc3_report", False)])
def test_soc1_and_soc3_reports_are_logged_and_explained(
    web_analyst: WebClient, session, vendor_id, kind, has_type
):
    data = {k: v for k, v in SOC2.items() if k != "tsc" and (has_type or k != "report_type")}
    if not has_type:
        data.pop("period_start")
    assert web_analyst.submit(_url(vendor_id, kind), data).status_code == 303
    assert fresh_rows(session, Evidence)[0].kind == kind
    code = "SOC1_IN_PLACE_OF_SOC2" if has_type else "SOC3_IN_PLACE_OF_SOC2"
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert code in page and "does not replace it" in page


def test_an_iso_certificate_blocks_a_vendor_that_needs_a_soc2(
    web_analyst: WebClient, session, vendor_id
):
    response = web_analyst.submit(_url(vendor_id, "iso27001_certificate"), ISO)
    assert response.status_code == 303
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert "Acme Cloud is now Blocked." in page
    assert "Ask for a SOC 2 Type II report: an ISO 27001 certificate does not replace it." in page
    assert fresh_rows(session, Evidence)[0].accreditation_body == "UKAS"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"expires_on": "2026-01-10"}, "expires_on", "Must be after the issue date."),
        ({"certification_body": ""}, "certification_body", "Required."),
        ({"certificate_number": ""}, "certificate_number", "Required."),
        ({"standard_version": "2017"}, "standard_version", "Choose one of the options."),
        ({"issued_on": ""}, "issued_on", "Required."),
        ({"certificate_status": "lapsed"}, "certificate_status", "Choose one of the options."),
        (
            {"last_surveillance_on": "2026-06-16", "received_on": "2026-06-15"},
            "last_surveillance_on",
            "Must not be after the date received (2026-06-15): a certificate cannot show a "
            "surveillance audit that had not happened when it arrived.",
        ),
        (
            {"received_on": "2026-01-09"},
            "issued_on",
            "Must not be after the date received (2026-01-09): a certificate cannot be "
            "received before it is issued.",
        ),
    ],
)
def test_iso_errors_are_shown_beside_the_field(
    web_analyst: WebClient, session, vendor_id, changes, field, message
):
    response = web_analyst.submit(_url(vendor_id, "iso27001_certificate"), {**ISO, **changes})
    assert response.status_code == 422
    assert message in _error(response.text, field)
    assert 'value="UKAS"' in response.text
    assert fresh_count(session, Evidence) == 0


def test_a_surveillance_audit_before_the_issue_date_is_accepted(
    web_analyst: WebClient, session, vendor_id
):
    data = {**ISO, "last_surveillance_on": "2025-12-01"}  # the certificate was re-issued since
    assert web_analyst.submit(_url(vendor_id, "iso27001_certificate"), data).status_code == 303
    assert fresh_rows(session, Evidence)[0].last_surveillance_on.isoformat() == "2025-12-01"


@pytest.fixture
def report_id(web_analyst: WebClient, session, vendor_id) -> int:
    """A SOC 2 Type II report of the vendor for 2025-03-01..2026-02-28."""
    data = {**SOC2, "period_start": "2025-03-01", "period_end": "2026-02-28"}
    assert web_analyst.submit(_url(vendor_id, "soc2_report"), data).status_code == 303
    return fresh_rows(session, Evidence)[0].id


def test_the_bridge_letter_form_offers_the_vendors_soc2_reports(
    web_analyst: WebClient, vendor_id, report_id
):
    page = web_analyst.get(_url(vendor_id, "bridge_letter")).text
    assert f'<option value="{report_id}">#{report_id}: SOC 2 Type II report by Hale' in page


def test_without_a_soc2_report_the_bridge_form_says_what_to_do(web_analyst: WebClient, vendor_id):
    page = web_analyst.get(_url(vendor_id, "bridge_letter")).text
    assert "Log its SOC 2 report first" in page and 'name="covers_until"' not in page


def test_a_bridge_letter_is_logged(web_analyst: WebClient, session, vendor_id, report_id):
    data = {
        "soc2_report_id": str(report_id),
        "signed_on": "2026-06-01",
        "covers_until": "2026-08-31",
    }
    assert web_analyst.submit(_url(vendor_id, "bridge_letter"), data).status_code == 303
    letter = fresh_rows(session, Evidence, kind="bridge_letter")[0]
    assert (letter.soc2_report_id, letter.received_on.isoformat()) == (report_id, "2026-06-15")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"covers_until": "2026-01-31"}, "covers_until", "Must be after the report's period end"),
        ({"soc2_report_id": ""}, "soc2_report_id", "Required."),
        ({"soc2_report_id": "999"}, "soc2_report_id", "Must be one of this vendor's SOC 2"),
        ({"signed_on": "June"}, "signed_on", "Must be a date written YYYY-MM-DD."),
        (
            {"signed_on": "2026-02-27"},
            "signed_on",
            "Must not be before the report's period end (2026-02-28): a bridge letter vouches",
        ),
        (
            {"received_on": "2026-05-31"},
            "signed_on",
            "Must not be after the date received (2026-05-31): a letter cannot be received "
            "before it is signed.",
        ),
    ],
)
def test_bridge_letter_errors_are_shown_beside_the_field(
    web_analyst: WebClient, session, vendor_id, report_id, changes, field, message
):
    data = {
        "soc2_report_id": str(report_id),
        "signed_on": "2026-06-01",
        "covers_until": "2026-08-31",
    }
    response = web_analyst.submit(_url(vendor_id, "bridge_letter"), {**data, **changes})
    assert response.status_code == 422
    assert message in _error(response.text, field)
    assert fresh_count(session, Evidence, kind="bridge_letter") == 0


def test_a_bridge_letter_for_another_vendors_report_is_refused(
    web_analyst: WebClient, session, vendor_id, report_id
):
    other = web_analyst.submit("/vendors/new", {"name": "Other", "tier": "high"})
    other_id = other.headers["location"].rsplit("/", 1)[1]
    data = {
        "soc2_report_id": str(report_id),
        "signed_on": "2026-06-01",
        "covers_until": "2026-08-31",
    }
    response = web_analyst.submit(f"/vendors/{other_id}/evidence/bridge_letter/new", data)
    assert response.status_code == 422
    assert fresh_count(session, Evidence, kind="bridge_letter") == 0


def test_evidence_forms_refuse_readers_and_missing_tokens(
    web_analyst: WebClient, web_reader: WebClient, session, vendor_id
):
    assert web_reader.submit(_url(vendor_id, "soc2_report"), SOC2).status_code == 403
    no_token = web_analyst.post(_url(vendor_id, "soc2_report"), data=SOC2)
    assert no_token.status_code == 403
    assert fresh_count(session, Evidence) == 0


def test_an_unknown_vendor_or_kind_is_a_404_page(web_analyst: WebClient, vendor_id):
    assert web_analyst.get(_url(999, "soc2_report")).status_code == 404
    assert web_analyst.get(_url(vendor_id, "soc4_report")).status_code == 404
    assert web_analyst.submit(_url(999, "soc2_report"), SOC2).status_code == 404


def test_retracting_strikes_the_record_through_and_re_evaluates(
    web_analyst: WebClient, session, vendor_id, report_id
):
    form = web_analyst.get(f"/evidence/{report_id}/retract").text
    assert "Why it should not be relied on" in form
    response = web_analyst.submit(f"/evidence/{report_id}/retract", {"reason": "Wrong company"})
    assert response.status_code == 303
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert "Retracted the SOC 2 Type II report. Acme Cloud is now Blocked." in page
    assert f"<del>SOC 2 Type II report #{report_id}</del>" in page
    assert "by analyst@example.com: Wrong company" in page
    assert fresh_rows(session, Evidence)[0].retraction_reason == "Wrong company"


def test_a_retraction_needs_a_reason(web_analyst: WebClient, session, report_id):
    response = web_analyst.submit(f"/evidence/{report_id}/retract", {"reason": "  "})
    assert response.status_code == 422
    assert _error(response.text, "reason")
    assert fresh_rows(session, Evidence)[0].retracted_at is None


def test_retracting_twice_is_explained(web_analyst: WebClient, report_id):
    web_analyst.submit(f"/evidence/{report_id}/retract", {"reason": "Wrong company"})
    again = web_analyst.submit(f"/evidence/{report_id}/retract", {"reason": "Again"})
    assert again.status_code == 422
    assert "This record was retracted" in again.text
    assert "was retracted" in web_analyst.get(f"/evidence/{report_id}/retract").text


def test_retraction_refuses_readers_and_missing_tokens(
    web_analyst: WebClient, web_reader: WebClient, session, report_id
):
    assert web_reader.get(f"/evidence/{report_id}/retract").status_code == 403
    assert web_reader.submit(f"/evidence/{report_id}/retract", {"reason": "x"}).status_code == 403
    assert (
        web_analyst.post(f"/evidence/{report_id}/retract", data={"reason": "x"}).status_code == 403
    )
    assert fresh_rows(session, Evidence)[0].retracted_at is None
    assert web_analyst.get("/evidence/999/retract").status_code == 404


def test_api_bodies_and_form_fields_agree(web_analyst: WebClient, analyst, session, vendor_id):
    """The form and the API build the same record from the same values."""
    web_analyst.submit(_url(vendor_id, "soc2_report"), SOC2)
    api = analyst.post(f"/api/v1/vendors/{vendor_id}/evidence", json=soc2_body())
    assert api.status_code == 201
    by_form, by_api = fresh_rows(session, Evidence)
    fields = ("report_type", "period_start", "period_end", "opinion", "auditor", "tsc")
    assert [getattr(by_form, f) for f in fields] == [getattr(by_api, f) for f in fields]


def test_the_scope_question_shows_what_we_buy_beside_the_documents_words(
    web_analyst: WebClient, vendor_id
):
    web_analyst.submit(
        f"/vendors/{vendor_id}/edit",
        {"name": "Acme Cloud", "tier": "critical", "services": "Payroll platform", "version": "1"},
    )
    for kind, field in (("soc2_report", "system"), ("iso27001_certificate", "scope")):
        page = unescape(web_analyst.get(_url(vendor_id, kind)).text)
        assert f'name="{field}"' in page and "What we buy from Acme Cloud" in page
        assert "Payroll platform" in page and "Does this cover what we buy?" in page
        for answer in ("yes", "partly", "no", ""):
            assert f'name="scope_covers_services" value="{answer}"' in page
    assert "Does this cover" not in web_analyst.get(_url(vendor_id, "soc3_report")).text


def test_an_unjudged_report_leaves_a_critical_vendor_conditional_until_judged(
    web_analyst: WebClient, session, vendor_id
):
    assert web_analyst.submit(_url(vendor_id, "soc2_report"), SOC2).status_code == 303
    vendor = fresh_rows(session, Vendor)[0]
    assert vendor.status == "conditional"
    assert [f["code"] for f in vendor.flags if f["severity"] == "high"] == ["SCOPE_UNCONFIRMED"]
    evidence = fresh_rows(session, Evidence)[0]
    page = web_analyst.get(f"/vendors/{vendor_id}").text
    assert f'href="/evidence/{evidence.id}/scope">Judge scope…' in page
    form = web_analyst.get(f"/evidence/{evidence.id}/scope").text
    assert 'value="" checked' in form  # not judged yet
    bad = web_analyst.submit(f"/evidence/{evidence.id}/scope", {"scope_covers_services": "maybe"})
    assert bad.status_code == 422 and fresh_rows(session, Evidence)[0].scope_covers_services is None
    response = web_analyst.submit(
        f"/evidence/{evidence.id}/scope", {"scope_covers_services": "yes"}
    )
    assert response.status_code == 303
    assert fresh_rows(session, Evidence)[0].scope_covers_services == "yes"
    assert fresh_rows(session, Vendor)[0].status == "approved"
    audit = fresh_rows(session, AuditEntry, entity="evidence")
    assert any(
        a.action == "judge_scope" and a.after["scope_covers_services"] == "yes" for a in audit
    )
    assert (
        "Scope of the SOC 2 Type II report judged: Yes."
        in web_analyst.get(f"/vendors/{vendor_id}").text
    )


def test_judging_scope_is_for_analysts(web_analyst: WebClient, web_reader: WebClient, vendor_id):
    web_analyst.submit(_url(vendor_id, "soc2_report"), SOC2)
    assert web_reader.get("/evidence/1/scope").status_code == 403
    assert (
        web_reader.submit("/evidence/1/scope", {"scope_covers_services": "yes"}).status_code == 403
    )
