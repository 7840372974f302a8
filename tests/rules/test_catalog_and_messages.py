"""The rule catalogue, flag messages and ordering, coverage dates, and building facts from dicts."""

from __future__ import annotations

from datetime import date, timedelta

from rules.builders import bridge, case, iso, soc2

from app.rules.catalog import RULES, RULES_BY_CODE, SEVERITY_ORDER, explain
from app.rules.engine import coverage, evaluate
from app.rules.facts import (
    BridgeLetter,
    IsoCertificate,
    SocReport,
    SubserviceOrg,
    VendorFacts,
    case_from_dict,
)
from app.rules.policy import Policy

D = date.fromisoformat
POLICY = Policy.default()
# Report 1 with a qualified opinion, two exceptions and a carve-out, scope not yet judged;
# certificate 2 to the 2013 edition.
QUALIFIED = soc2(
    opinion="qualified",
    tsc=frozenset({"security"}),
    received_on="2026-05-01",
    exceptions_noted=2,
    subservice_orgs=(SubserviceOrg("Google Cloud", "carve_out"),),
    scope_covers_services=None,
)
ISO_2013 = iso(
    standard_version="2013",
    issued_on="2024-02-01",
    expires_on="2027-01-31",
    last_surveillance_on=None,
    scope_covers_services=None,
)
# The same records shaped as the API takes them, for case_from_dict.
REPORT = {
    "id": 1,
    "kind": "soc2_report",
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "qualified",
    "auditor": "Harbor & Lane CPAs",
    "tsc": ["security"],
    "received_on": "2026-05-01",
    "exceptions_noted": 2,
    "subservice_orgs": [{"name": "Google Cloud", "method": "carve_out"}],
}
CERTIFICATE = {
    "id": 2,
    "kind": "iso27001_certificate",
    "standard_version": "2013",
    "certificate_number": "CERT-2",
    "certification_body": "LRQA",
    "accreditation_body": "UKAS",
    "issued_on": "2024-02-01",
    "expires_on": "2027-01-31",
}
LETTER = {
    "id": 3,
    "kind": "bridge_letter",
    "soc2_report_id": 1,
    "signed_on": "2027-03-20",
    "covers_until": "2027-05-15",
    "received_on": "2027-03-21",
}


def test_catalogue_has_every_code_once_with_its_message_and_check() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes)) == 32
    assert set(RULES_BY_CODE) == set(codes)
    assert all(r.severity in SEVERITY_ORDER and r.title and r.explanation and r.ask for r in RULES)
    assert all(callable(r.message) for r in RULES)
    # Every rule but VENDOR_ARCHIVED (raised alone for an archived vendor) has a check that
    # reads something; test_rule_boundaries shows each one firing.
    unchecked = [r.code for r in RULES if r.check is None or not r.on]
    assert unchecked == ["VENDOR_ARCHIVED"]
    assert SEVERITY_ORDER == ("block", "high", "medium", "info")


def test_explanations_read_the_thresholds_of_the_policy_in_force() -> None:
    edited = Policy(
        soc2_max_age_months=9,
        bridge_max_months=2,
        iso_surveillance_months=6,
        scope_required_tiers=("critical", "high"),
    )
    for rule in RULES:
        for text in explain(rule, POLICY) + explain(rule, edited):
            assert "{" not in text and "_months" not in text and "_days" not in text
    stale = explain(RULES_BY_CODE["SOC2_STALE"], edited)[0]
    assert "current for 9 months" in stale and "more than 11 months" in stale
    surveillance = explain(RULES_BY_CODE["ISO_SURVEILLANCE_OVERDUE"], edited)[0]
    assert "6 months back" in surveillance and "past 12 months" in surveillance
    scope = explain(RULES_BY_CODE["SCOPE_UNCONFIRMED"], edited)[0]
    assert "high for critical and high vendors" in scope
    assert "current for 12 months" in explain(RULES_BY_CODE["SOC2_STALE"], POLICY)[0]


def test_relied_on_severities_as_spec_gives_them() -> None:
    severity = {code: rule.severity for code, rule in RULES_BY_CODE.items()}
    assert severity["SOC2_IN_PLACE_OF_ISO"] == "high"
    assert severity["SOC2_GOING_STALE"] == "medium"
    assert severity["SOC2_CUECS"] == "info"
    assert severity["ISO_2013_VERSION"] == "block"


def test_case_from_dict_reads_api_shaped_records() -> None:
    case = case_from_dict(
        {"tier": "critical", "required_tsc": ["security", "privacy"], "name": "Acme"},
        [REPORT, CERTIFICATE, LETTER],
        [
            {
                "id": 9,
                "code": "SOC2_TSC_MISSING",
                "granted_on": "2026-05-01",
                "expires_on": "2026-12-31",
            }
        ],
    )
    assert case.vendor == VendorFacts(tier="critical", required_tsc=("security", "privacy"))
    report, certificate, letter = case.evidence
    assert isinstance(report, SocReport) and report.tsc == frozenset({"security"})
    assert report.subservice_orgs == (SubserviceOrg("Google Cloud", "carve_out"),)
    assert isinstance(certificate, IsoCertificate) and certificate.kind == "iso27001_certificate"
    assert certificate.received_on == date.min  # no received_on: on file for ever
    assert certificate.certificate_status == "active" and certificate.last_surveillance_on is None
    assert isinstance(letter, BridgeLetter) and letter.kind == "bridge_letter"
    assert case.waivers[0].revoked is False


def test_flags_are_ordered_by_severity_then_code_then_evidence() -> None:
    letters = [
        bridge("2026-07-01", "2026-10-05", id=5, received_on="2026-07-02"),
        bridge("2026-07-01", "2026-10-09", id=4, received_on="2026-07-02"),
    ]
    a_case = case(QUALIFIED, ISO_2013, *letters, tier="critical", data_access="personal")
    flags = evaluate(a_case, POLICY, as_of=D("2026-07-15")).flags
    # v2: the over-claiming letters still vouch up to signed + 3 months (2026-10-01), so no
    # letter is needed yet; a critical vendor's carve-out and unjudged scope count.
    assert [(f.severity, f.code, f.evidence_id) for f in flags] == [
        ("high", "SCOPE_UNCONFIRMED", 1),
        ("high", "SOC2_OPINION_QUALIFIED", 1),
        ("high", "SOC2_TSC_MISSING", 1),
        ("medium", "BRIDGE_LETTER_INVALID", 4),
        ("medium", "BRIDGE_LETTER_INVALID", 5),
        ("medium", "SOC2_EXCEPTIONS_NOTED", 1),
        ("medium", "SOC2_SUBSERVICE_CARVED_OUT", 1),
        ("info", "ISO_2013_VERSION", 2),
    ]


def test_messages_do_not_change_before_the_next_review() -> None:
    first = evaluate(case(QUALIFIED), POLICY, as_of=D("2027-01-05"))
    assert first.next_review_on is not None
    last = evaluate(case(QUALIFIED), POLICY, as_of=first.next_review_on - timedelta(days=1))
    assert [f.message for f in first.flags] == [f.message for f in last.flags]


def test_messages_say_what_is_wrong_and_what_to_ask_for() -> None:
    iso_only = case(iso(issued_on="2024-02-01", expires_on="2027-01-31", last_surveillance_on=None))
    (flag, _surveillance_overdue) = evaluate(iso_only, POLICY, as_of=D("2026-05-04")).flags
    assert flag.message.endswith(
        "Ask for a SOC 2 Type II report: an ISO 27001 certificate does not replace it."
    )
    assert "CERT-2" in flag.message
    a_case = case(QUALIFIED, tier="critical", data_access="personal")
    messages = {f.code: f.message for f in evaluate(a_case, POLICY, as_of=D("2027-03-01")).flags}
    assert "Availability, Confidentiality" in messages["SOC2_TSC_MISSING"]
    assert "current until 2027-03-31 and not after" in messages["SOC2_GOING_STALE"]
    assert "Google Cloud's own SOC 2 report" in messages["SOC2_SUBSERVICE_CARVED_OUT"]
    assert "2 exceptions" in messages["SOC2_EXCEPTIONS_NOTED"]
    # v2: the critical vendor's report has no scope judgement yet. That is the analyst's to
    # make, not a question for the vendor: the message names the report and says what to do.
    unconfirmed = messages.pop("SCOPE_UNCONFIRMED")
    assert "Harbor & Lane CPAs" in unconfirmed and "2025-04-01 to 2026-03-31" in unconfirmed
    assert "services" in unconfirmed and "record" in unconfirmed.lower()
    assert all("ask" in m.lower() or "check" in m.lower() for m in messages.values())


def test_coverage_gives_currency_end_and_effective_expiry() -> None:
    a_case = case(QUALIFIED, ISO_2013, bridge("2027-03-20", "2027-05-15", received_on="2027-03-21"))
    before_letter = coverage(a_case, POLICY, as_of=D("2027-03-20"))
    assert before_letter.report.id == 1 and before_letter.report_currency_end == D("2027-03-31")
    assert before_letter.certificate.id == 2
    assert before_letter.certificate_effective_expiry == D("2025-10-31")  # 2013 edition sunset
    after_letter = coverage(a_case, POLICY, as_of=D("2027-03-21"))
    assert after_letter.report_currency_end == D("2027-05-15")
    nothing = coverage(case(), POLICY, as_of=D("2027-03-21"))
    assert nothing.report is nothing.report_currency_end is nothing.certificate is None


def test_v2_messages_name_the_document_and_what_to_ask_for() -> None:
    failed = soc2(opinion="adverse", tsc=frozenset({"security"}), received_on="2026-05-01")
    type1 = soc2(
        id=4,
        report_type="type1",
        period_start=None,
        period_end="2026-06-30",
        received_on="2026-07-10",
        scope_covers_services="partly",
    )
    by_accreditor = iso(certification_body="UKAS", issued_on="2024-02-01", expires_on="2027-01-31")
    a_case = case(failed, type1, by_accreditor)
    messages = {f.code: f.message for f in evaluate(a_case, POLICY, as_of=D("2026-08-01")).flags}
    remediation = messages["SOC2_REMEDIATION_UNPROVEN"]
    assert "adverse opinion" in remediation and "later Type I" in remediation
    assert "Ask the vendor for a new Type II report" in remediation
    assert "2028-03-31" in remediation  # add_months(period_end, 24): the last day it counts
    scope = messages["SCOPE_NOT_COVERED"]
    assert "as of 2026-06-30" in scope and "only part of" in scope and "Ask for" in scope
    issuer = messages["ISO_ISSUER_IS_ACCREDITOR"]
    assert "names UKAS" in issuer and "accreditation body" in issuer
    assert "ask the vendor" in issuer.lower()
