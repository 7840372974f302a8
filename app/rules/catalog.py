"""The rule table: every flag's code, severity, title and explanation, and its message.

Severities are those of a relied-on document (SPEC §4); a flag about a document the
requirement does not rest on is always `info`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from types import MappingProxyType

from app.rules.dates import add_months_or_none
from app.rules.facts import BridgeLetter, IsoCertificate, SocReport
from app.rules.policy import Policy

SEVERITY_ORDER = ("block", "high", "medium", "info")
SEVERITY_RANK: Mapping[str, int] = MappingProxyType({s: i for i, s in enumerate(SEVERITY_ORDER)})


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its code, its usual severity (that of a relied-on document), a title, why it
    matters and what to ask the vendor for. `explanation` and `ask` name the policy's
    thresholds as `{field}`s, filled in by `explain` from the policy in force."""

    code: str
    severity: str
    title: str
    explanation: str
    ask: str


_REQUIREMENT_RULES = (
    Rule(
        "EVIDENCE_MISSING",
        "block",
        "Required evidence missing",
        "The vendor has supplied nothing that meets its requirement, and nothing that could "
        "stand in for it.",
        "The evidence its requirement names.",
    ),
    Rule(
        "ISO_IN_PLACE_OF_SOC2",
        "block",
        "ISO 27001 certificate instead of a SOC 2 report",
        "A SOC 2 report is required but only an ISO/IEC 27001 certificate is on file. ISO "
        "27001 certifies a management system; a SOC 2 is an auditor's opinion on controls "
        "over a period. One is not a substitute for the other. Your policy may accept it for "
        "a while at a lower severity for some tiers ({substitute_severities}), but only while "
        "the certificate itself is valid.",
        "The SOC 2 report.",
    ),
    Rule(
        "SOC3_IN_PLACE_OF_SOC2",
        "block",
        "SOC 3 report instead of a SOC 2 report",
        "A SOC 3 is a general-use summary: no system description, no tests, no exceptions. "
        "It does not replace the SOC 2 report it summarises. Your policy may accept it at a "
        "lower severity for some tiers ({substitute_severities}), but only while it is at "
        "most {soc2_max_age_months} months past its period with an acceptable opinion.",
        "The SOC 2 report the SOC 3 summarises.",
    ),
    Rule(
        "SOC1_IN_PLACE_OF_SOC2",
        "block",
        "SOC 1 report instead of a SOC 2 report",
        "A SOC 1 covers controls over financial reporting, not security, availability or "
        "confidentiality. It does not replace a SOC 2 report, and never counts for less than "
        "high.",
        "A SOC 2 report.",
    ),
    Rule(
        "SOC2_IN_PLACE_OF_ISO",
        "high",
        "SOC 2 report instead of an ISO 27001 certificate",
        "An ISO/IEC 27001 certificate is required; the vendor supplied a current SOC 2 report "
        "with an acceptable opinion instead. It is good evidence but not what was required.",
        "The ISO/IEC 27001 certificate.",
    ),
    Rule(
        "SOC2_TYPE1_ONLY",
        "high",
        "SOC 2 Type I where Type II is required",
        "A Type I report describes the design of controls at a point in time; only a Type II "
        "shows that they operated effectively over a period. High where a Type II is "
        "required; medium where any SOC 2 report will do.",
        "The Type II report, or when it will follow.",
    ),
    Rule(
        "TIER_BELOW_DATA_ACCESS",
        "high",
        "Low tier for a vendor holding sensitive data",
        "The vendor is tiered low but has access to confidential or personal data; a vendor "
        "holding that data is rarely low-risk.",
        "Nothing: re-tier the vendor, or record why not with a waiver.",
    ),
    Rule(
        "VENDOR_ARCHIVED",
        "block",
        "Vendor offboarded",
        "The vendor has been archived: do not sign or renew with it. It cannot be waived; "
        "reactivate the vendor first.",
        "Nothing: reactivate the vendor if you are to work with it again.",
    ),
)

_SOC2_RULES = (
    Rule(
        "SOC2_STALE",
        "block",
        "SOC 2 report stale",
        "A SOC 2 report is current for {soc2_max_age_months} months after its period ends, "
        "or until the end of a bridge letter, but never more than {currency_cap_months} "
        "months after its period.",
        "The vendor's latest SOC 2 report.",
    ),
    Rule(
        "SOC2_GOING_STALE",
        "medium",
        "SOC 2 report going stale",
        "The report stops being current soon: medium when {expiry_urgent_days} or fewer days "
        "are left, information from {expiry_urgent_days_plus_one} to {expiry_warning_days} "
        "days.",
        "When the next report will be issued.",
    ),
    Rule(
        "SOC2_OPINION_QUALIFIED",
        "high",
        "Qualified opinion",
        'The auditor found that some controls did not meet the criteria ("except for"). It '
        "counts while the report is current wherever a SOC 2 report is asked for, even when "
        "another document meets the requirement.",
        "The basis of the qualification and how it was fixed.",
    ),
    Rule(
        "SOC2_OPINION_ADVERSE",
        "block",
        "Adverse opinion",
        "The auditor found that the controls do not meet the criteria. It counts while the "
        "report is current, whichever document the requirement rests on.",
        "The remediation plan and a new report.",
    ),
    Rule(
        "SOC2_OPINION_DISCLAIMER",
        "block",
        "Disclaimer of opinion",
        "The auditor could not form an opinion; the report gives no assurance. It counts "
        "while the report is current, whichever document the requirement rests on.",
        "Why, and a report with an opinion.",
    ),
    Rule(
        "SOC2_PERIOD_TOO_SHORT",
        "medium",
        "Type II period too short",
        "A Type II period should span {min_type2_months} months: medium when it does not, "
        "high when it does not even span {min_type2_high_months}.",
        "A Type II report over a longer period.",
    ),
    Rule(
        "SOC2_TSC_MISSING",
        "high",
        "Trust Services Criteria missing",
        "The report does not cover every Trust Services Criterion required of the vendor: its "
        "tier's list, plus Confidentiality when it handles confidential or personal data, or "
        "the vendor's own list.",
        "A report that covers them, or the plan to add them to the next audit.",
    ),
    Rule(
        "SOC2_EXCEPTIONS_NOTED",
        "medium",
        "Exceptions noted",
        "The auditor's tests found exceptions; review each and how it was remediated.",
        "How each exception was remediated.",
    ),
    Rule(
        "SOC2_CUECS",
        "info",
        "Complementary user entity controls",
        "The report relies on controls the customer must run; check that your organisation "
        "runs them.",
        "Nothing: check your own controls.",
    ),
    Rule(
        "SOC2_SUBSERVICE_CARVED_OUT",
        "medium",
        "Subservice organisation carved out",
        "The report excludes a subservice organisation's controls. Medium for {subservice_tiers} "
        "vendors, whose subservice organisations' reports you must hold; information for "
        "the others.",
        "That organisation's own SOC 2 report.",
    ),
    Rule(
        "SOC2_REMEDIATION_UNPROVEN",
        "high",
        "Failed audit not yet followed by a clean one",
        "The newest SOC 2 Type II report had an adverse opinion or a disclaimer, and no newer "
        "Type II shows the failures were fixed: a later Type I shows design only, and sending "
        "nothing does not wait it out. It counts for {remediation_window_months} months after "
        "that report's period.",
        "A new Type II report.",
    ),
    Rule(
        "SOC2_BRIDGE_LETTER_NEEDED",
        "medium",
        "Bridge letter needed",
        "Vendors needing continuous coverage ({continuous_tiers}) need a bridge letter "
        "covering today once {bridge_after_months} months have passed since the report's "
        "period ended.",
        "A bridge letter covering the time until the next report.",
    ),
    Rule(
        "BRIDGE_LETTER_INVALID",
        "medium",
        "Bridge letter claims too much",
        "A bridge letter may vouch for at most {bridge_max_months} months after its signing; "
        "one that claims more is flagged and counts only up to that limit.",
        "A letter within that limit, or the new report.",
    ),
    Rule(
        "SCOPE_NOT_COVERED",
        "block",
        "Does not cover what you buy",
        "The document's system or scope was judged not to cover the services bought from the "
        "vendor (block), or to cover them only partly (high).",
        "A report or certificate whose scope covers the services.",
    ),
    Rule(
        "SCOPE_UNCONFIRMED",
        "high",
        "Scope not yet judged",
        "Nobody has yet checked that the document the requirement rests on covers the "
        "services bought: high for {scope_required} vendors, medium for the other "
        "{scope_confirmation} vendors, information for the rest.",
        "Nothing yet: read the report's system or the certificate's scope and judge it.",
    ),
)

_ISO_RULES = (
    Rule(
        "ISO_EXPIRED",
        "block",
        "Certificate expired",
        "The certificate's expiry date has passed.",
        "The renewed certificate.",
    ),
    Rule(
        "ISO_2013_VERSION",
        "block",
        "2013-edition certificate",
        "Certificates to ISO/IEC 27001:2013 ceased to be valid after {iso_2013_sunset}; only "
        "a 2022-edition certificate counts.",
        "A certificate to ISO/IEC 27001:2022.",
    ),
    Rule(
        "ISO_EXPIRING",
        "medium",
        "Certificate expiring",
        "The certificate expires soon: medium when {expiry_urgent_days} or fewer days are "
        "left, information from {expiry_urgent_days_plus_one} to {expiry_warning_days} days.",
        "The date of the recertification audit.",
    ),
    Rule(
        "ISO_UNACCREDITED",
        "block",
        "No recognised accreditation",
        "The certificate carries no accreditation mark, or the mark of a body that is not a "
        "signatory of the IAF multilateral recognition arrangement.",
        "A certificate from an accredited certification body.",
    ),
    Rule(
        "ISO_ISSUER_IS_ACCREDITOR",
        "block",
        "Certificate issued by an accreditation body",
        "The certificate names an accreditation body as its issuer. Accreditation bodies "
        "accredit certification bodies; they do not certify companies. Treat the certificate "
        "as suspect, whichever document the requirement rests on.",
        "The certificate as the certification body issued it, and check it with that body.",
    ),
    Rule(
        "ISO_SUSPENDED",
        "block",
        "Certificate suspended",
        "The certification body has suspended it. It counts until the certificate's expiry, "
        "whichever document the requirement rests on.",
        "Why, and proof of reinstatement.",
    ),
    Rule(
        "ISO_WITHDRAWN",
        "block",
        "Certificate withdrawn",
        "The certification body has withdrawn it. On a certificate the requirement does not "
        "rest on it is high until the certificate's expiry: withdrawals are often the "
        "holder's request, so ask why.",
        "Why, and a valid certificate.",
    ),
    Rule(
        "ISO_VALIDITY_TOO_LONG",
        "medium",
        "Validity too long",
        "Accredited certificates run at most {iso_max_validity_months} months; a longer one "
        "is suspect.",
        "Check it with the certification body.",
    ),
    Rule(
        "ISO_SURVEILLANCE_OVERDUE",
        "medium",
        "Surveillance audit overdue",
        "The last audit (the later of the last surveillance audit and the issue) is more than "
        "{iso_surveillance_months} months back: medium, and high past "
        "{iso_surveillance_high_months} months, when a certification body would have "
        "suspended the certificate.",
        "The latest surveillance audit report.",
    ),
)

RULES: tuple[Rule, ...] = _REQUIREMENT_RULES + _SOC2_RULES + _ISO_RULES
RULES_BY_CODE: Mapping[str, Rule] = MappingProxyType({r.code: r for r in RULES})
# Verdicts that controls failed or that a document is suspect: they count whoever relies on
# the document (SPEC §4 v2), and a page never calls a vendor with one "nothing in the way".
FINDING_CODES = frozenset(
    {
        "SOC2_OPINION_ADVERSE",
        "SOC2_OPINION_DISCLAIMER",
        "SOC2_OPINION_QUALIFIED",
        "SOC2_REMEDIATION_UNPROVEN",
        "ISO_SUSPENDED",
        "ISO_ISSUER_IS_ACCREDITOR",
        "ISO_WITHDRAWN",
    }
)


def _tiers(names: tuple[str, ...]) -> str:
    return " and ".join(names) if names else "no"


def _thresholds(policy: Policy) -> dict[str, object]:
    """The policy's thresholds, as the explanations name them."""
    values = {f.name: getattr(policy, f.name) for f in fields(policy)}
    scope_required = policy.scope_required_tiers
    severities = ", ".join(f"{t}: {tp.substitute_severity}" for t, tp in policy.tiers.items())
    return values | {
        "currency_cap_months": policy.soc2_max_age_months + policy.bridge_max_months,
        "expiry_urgent_days_plus_one": policy.expiry_urgent_days + 1,
        "iso_surveillance_high_months": 2 * policy.iso_surveillance_months,
        "continuous_tiers": _tiers(policy.continuous_coverage_tiers),
        "subservice_tiers": _tiers(policy.subservice_report_tiers),
        "scope_required": _tiers(policy.scope_required_tiers),
        "scope_confirmation": _tiers(
            tuple(t for t in policy.scope_confirmation_tiers if t not in scope_required)
        ),
        "substitute_severities": severities,
    }


def explain(rule: Rule, policy: Policy) -> tuple[str, str]:
    """The rule's explanation and what to ask for, with the thresholds of `policy`."""
    values = _thresholds(policy)
    return rule.explanation.format(**values), rule.ask.format(**values)


# --- messages: what is wrong, and what to ask the vendor for ---------------------------------

_KIND_LABELS = {"soc1_report": "SOC 1", "soc2_report": "SOC 2", "soc3_report": "SOC 3"}
_TYPE_LABELS = {"type1": "Type I", "type2": "Type II"}
_TSC_LABELS = {
    "security": "Security",
    "availability": "Availability",
    "processing_integrity": "Processing Integrity",
    "confidentiality": "Confidentiality",
    "privacy": "Privacy",
}
_WANTED = {
    "soc2_type2": "a SOC 2 Type II report",
    "soc2": "a SOC 2 report (Type II preferred)",
    "iso27001": "an ISO/IEC 27001 certificate",
    "soc2_or_iso27001": "a SOC 2 Type II report or an ISO/IEC 27001 certificate",
}


def describe_report(report: SocReport) -> str:
    """`the SOC 2 Type II report by X for 2025-04-01 to 2026-03-31`."""
    kind = _KIND_LABELS.get(report.kind, report.kind)
    # A SOC 3 has no type (SPEC §2), whatever was recorded.
    kind_type = None if report.kind == "soc3_report" else _TYPE_LABELS.get(report.report_type or "")
    label = f"{kind} {kind_type}" if kind_type else kind
    by = f" by {report.auditor}" if report.auditor else ""
    start, end = report.period_start, report.period_end.isoformat()
    period = f"for {start.isoformat()} to {end}" if start else f"as of {end}"
    return f"the {label} report{by} {period}"


def describe_certificate(certificate: IsoCertificate) -> str:
    """`the ISO/IEC 27001:2022 certificate CERT-1 from LRQA`."""
    number = f" {certificate.certificate_number}" if certificate.certificate_number else ""
    body = f" from {certificate.certification_body}" if certificate.certification_body else ""
    return f"the ISO/IEC 27001:{certificate.standard_version} certificate{number}{body}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _evidence_missing(*, requirement: str) -> str:
    wanted = _WANTED.get(requirement, "the required evidence")
    return f"Nothing on file meets the requirement. Ask the vendor for {wanted}."


def _iso_in_place_of_soc2(*, certificate: IsoCertificate, requirement: str) -> str:
    return (
        f"Only {describe_certificate(certificate)} is on file. Ask for "
        f"{_WANTED[requirement]}: an ISO 27001 certificate does not replace it."
    )


def _soc_in_place_of_soc2(*, report: SocReport, requirement: str) -> str:
    why = {
        "soc3_report": "is a general-use summary with no system description, tests or exceptions",
        "soc1_report": "covers controls over financial reporting, not security",
    }[report.kind]
    label = _KIND_LABELS[report.kind]
    return (
        f"{_cap(describe_report(report))} {why}. Ask for {_WANTED[requirement]}: "
        f"a {label} report does not replace it."
    )


def _soc2_in_place_of_iso(*, report: SocReport) -> str:
    return (
        f"Only {describe_report(report)} is on file. Ask for an ISO/IEC 27001 certificate: "
        "a SOC 2 report is good evidence but not what this vendor must hold."
    )


def _type1_only(*, report: SocReport, accepted: bool) -> str:
    ask = (
        "It is accepted for now. Ask the vendor when its Type II report will follow."
        if accepted
        else "Ask for a SOC 2 Type II report."
    )
    return (
        f"{_cap(describe_report(report))} shows the design of controls at a point in time, "
        f"not that they operated effectively. {ask}"
    )


def _stale(*, report: SocReport, currency_end: date) -> str:
    return (
        f"{_cap(describe_report(report))} stopped being current after "
        f"{currency_end.isoformat()}. Ask the vendor for its latest SOC 2 report."
    )


def _going_stale(*, report: SocReport, currency_end: date) -> str:
    # No day count in the words: a flag's message must not change until next_review_on.
    return (
        f"{_cap(describe_report(report))} is current until {currency_end.isoformat()} and "
        "not after. Ask the vendor when its next report will be issued."
    )


def _qualified(*, report: SocReport) -> str:
    return (
        f"The auditor qualified the opinion on {describe_report(report)}: some controls did "
        "not meet the criteria. Read the qualification and ask the vendor how it was fixed."
    )


def _adverse(*, report: SocReport) -> str:
    return (
        f"The auditor gave an adverse opinion on {describe_report(report)}: the controls do "
        "not meet the criteria. Ask the vendor for its remediation plan and a new report."
    )


def _disclaimer(*, report: SocReport) -> str:
    return (
        f"The auditor could not form an opinion on {describe_report(report)}, so it gives no "
        "assurance. Ask the vendor why, and for a report with an opinion."
    )


def _period_too_short(*, report: SocReport, months: int, min_months: int) -> str:
    return (
        f"{_cap(describe_report(report))} covers less than {months} months of operation. "
        f"Ask the vendor for a Type II report over at least {min_months} months."
    )


def _tsc_missing(*, report: SocReport, missing: tuple[str, ...]) -> str:
    names = ", ".join(_TSC_LABELS.get(m, m) for m in missing)
    return (
        f"{_cap(describe_report(report))} does not cover every Trust Services Criterion "
        f"required of this vendor; missing: {names}. Ask for a report that covers them, or for "
        "the vendor's plan to add them to its next audit."
    )


def _exceptions(*, report: SocReport) -> str:
    count = report.exceptions_noted
    return (
        f"The auditor noted {count} exception{'s' if count != 1 else ''} in "
        f"{describe_report(report)}. Review each and ask the vendor how it was remediated."
    )


def _cuecs(*, report: SocReport) -> str:
    return (
        f"{_cap(describe_report(report))} lists complementary user entity controls: controls "
        "your organisation must run. Check that they are in place."
    )


def _carved_out(*, report: SocReport, organisation: str) -> str:
    return (
        f"{_cap(describe_report(report))} carves out {organisation}: its controls are not "
        f"covered. Ask for {organisation}'s own SOC 2 report."
    )


def _bridge_needed(*, report: SocReport, months: int) -> str:
    return (
        f"More than {months} months have passed since the period of {describe_report(report)} "
        "ended, and no valid bridge letter covers today. Ask the vendor for a bridge letter "
        "covering the time until its next report."
    )


def _bridge_invalid(*, letter: BridgeLetter, months: int) -> str:
    limit = add_months_or_none(letter.signed_on, months) or date.max
    return (
        f"The bridge letter signed on {letter.signed_on} vouches until {letter.covers_until}: a "
        f"letter may vouch for at most {months} months after its signing, so it counts only "
        f"until {limit}. Ask the vendor for a letter within that limit, or for its new report."
    )


def _iso_expired(*, certificate: IsoCertificate) -> str:
    return (
        f"{_cap(describe_certificate(certificate))} expired on {certificate.expires_on}. "
        "Ask the vendor for its renewed certificate."
    )


def _iso_2013(*, certificate: IsoCertificate, sunset: date) -> str:
    return (
        f"{_cap(describe_certificate(certificate))} is to the 2013 edition, which ceased to "
        f"be valid after {sunset}. Ask for a certificate to ISO/IEC 27001:2022."
    )


def _iso_expiring(*, certificate: IsoCertificate, effective_expiry: date) -> str:
    return (
        f"{_cap(describe_certificate(certificate))} is valid until {effective_expiry} and not "
        "after. Ask the vendor for the date of its recertification audit."
    )


def _iso_unaccredited(*, certificate: IsoCertificate) -> str:
    mark = certificate.accreditation_body or "none"
    return (
        f"{_cap(describe_certificate(certificate))} carries no recognised accreditation mark "
        f"(accreditation body: {mark}). Ask for a certificate from a certification body "
        "accredited by an IAF signatory such as UKAS, ANAB or DAkkS."
    )


def _iso_suspended(*, certificate: IsoCertificate) -> str:
    return (
        f"{_cap(describe_certificate(certificate))} is suspended by its certification body. "
        "Ask the vendor why, and for proof of reinstatement."
    )


def _iso_withdrawn(*, certificate: IsoCertificate) -> str:
    return (
        f"{_cap(describe_certificate(certificate))} has been withdrawn by its certification "
        "body. Ask the vendor why, and for a valid certificate."
    )


def _iso_too_long(*, certificate: IsoCertificate, months: int) -> str:
    return (
        f"{_cap(describe_certificate(certificate))} runs from {certificate.issued_on} to "
        f"{certificate.expires_on}, more than {months} months. Check it with the "
        "certification body: accredited certificates run at most three years."
    )


def _surveillance_overdue(*, certificate: IsoCertificate, last_audit: date, due: date) -> str:
    return (
        f"The last audit of {describe_certificate(certificate)} was on {last_audit}; the next "
        f"was due by {due}. Ask the vendor for its latest surveillance audit report."
    )


def _issuer_is_accreditor(*, certificate: IsoCertificate) -> str:
    return (
        f"{_cap(describe_certificate(certificate))} names {certificate.certification_body}, an "
        "accreditation body, as its issuer: accreditation bodies accredit certification "
        "bodies and do not certify companies, so treat it as suspect. Ask the vendor which "
        "certification body issued it, and check it with that body."
    )


def _describe(report: SocReport | None = None, certificate: IsoCertificate | None = None) -> str:
    return describe_report(report) if report is not None else describe_certificate(certificate)


def _scope_not_covered(
    *, judgement: str, report: SocReport | None = None, certificate: IsoCertificate | None = None
) -> str:
    how = "not to cover" if judgement == "no" else "to cover only part of"
    return (
        f"{_cap(_describe(report, certificate))} was judged {how} the services bought from "
        "this vendor. Ask for a report or certificate whose scope covers them."
    )


def _scope_unconfirmed(
    *, report: SocReport | None = None, certificate: IsoCertificate | None = None
) -> str:
    return (
        f"Nobody has yet judged whether {_describe(report, certificate)} covers the services "
        "bought from this vendor. Read its scope beside the vendor's services and record "
        "whether it covers them."
    )


def _remediation_unproven(*, report: SocReport, until: date, newer: bool) -> str:
    opinion = "an adverse opinion" if report.opinion == "adverse" else "a disclaimer of opinion"
    since = (
        "a later Type I shows the design of controls, not that the failures were fixed"
        if newer
        else "nothing newer has been received"
    )
    return (
        f"{_cap(describe_report(report))} had {opinion}, and {since}. Ask the vendor for a new "
        f"Type II report; until one arrives this counts until {until}."
    )


def _tier_below_data_access(*, data_access: str) -> str:
    return (
        f"This vendor is tiered low but has access to {data_access} data; a vendor holding "
        "that data is rarely low-risk. Check the tier: raise it, or record why not with a "
        "waiver."
    )


def _vendor_archived() -> str:
    return (
        "This vendor has been offboarded: do not sign or renew with it. Check with its owner "
        "before reactivating it."
    )


MESSAGES: Mapping[str, Callable[..., str]] = MappingProxyType(
    {
        "EVIDENCE_MISSING": _evidence_missing,
        "ISO_IN_PLACE_OF_SOC2": _iso_in_place_of_soc2,
        "SOC3_IN_PLACE_OF_SOC2": _soc_in_place_of_soc2,
        "SOC1_IN_PLACE_OF_SOC2": _soc_in_place_of_soc2,
        "SOC2_IN_PLACE_OF_ISO": _soc2_in_place_of_iso,
        "SOC2_TYPE1_ONLY": _type1_only,
        "SOC2_STALE": _stale,
        "SOC2_GOING_STALE": _going_stale,
        "SOC2_OPINION_QUALIFIED": _qualified,
        "SOC2_OPINION_ADVERSE": _adverse,
        "SOC2_OPINION_DISCLAIMER": _disclaimer,
        "SOC2_PERIOD_TOO_SHORT": _period_too_short,
        "SOC2_TSC_MISSING": _tsc_missing,
        "SOC2_EXCEPTIONS_NOTED": _exceptions,
        "SOC2_CUECS": _cuecs,
        "SOC2_SUBSERVICE_CARVED_OUT": _carved_out,
        "SOC2_BRIDGE_LETTER_NEEDED": _bridge_needed,
        "BRIDGE_LETTER_INVALID": _bridge_invalid,
        "ISO_EXPIRED": _iso_expired,
        "ISO_2013_VERSION": _iso_2013,
        "ISO_EXPIRING": _iso_expiring,
        "ISO_UNACCREDITED": _iso_unaccredited,
        "ISO_SUSPENDED": _iso_suspended,
        "ISO_WITHDRAWN": _iso_withdrawn,
        "ISO_VALIDITY_TOO_LONG": _iso_too_long,
        "ISO_SURVEILLANCE_OVERDUE": _surveillance_overdue,
        "ISO_ISSUER_IS_ACCREDITOR": _issuer_is_accreditor,
        "SCOPE_NOT_COVERED": _scope_not_covered,
        "SCOPE_UNCONFIRMED": _scope_unconfirmed,
        "SOC2_REMEDIATION_UNPROVEN": _remediation_unproven,
        "TIER_BELOW_DATA_ACCESS": _tier_below_data_access,
        "VENDOR_ARCHIVED": _vendor_archived,
    }
)


def message(code: str, **facts: object) -> str:
    """The plain-words message of a flag with `code`, built from the facts it is about."""
    return MESSAGES[code](**facts)
