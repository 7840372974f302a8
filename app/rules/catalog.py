"""The rule table: every flag's code, severity, title and explanation, and its message.

Severities are those of a relied-on document (SPEC §4); a flag about a document the
requirement does not rest on is always `info`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from app.rules.facts import BridgeLetter, IsoCertificate, SocReport

SEVERITY_ORDER = ("block", "high", "medium", "info")
SEVERITY_RANK: Mapping[str, int] = MappingProxyType({s: i for i, s in enumerate(SEVERITY_ORDER)})


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: str
    title: str
    explanation: str


_REQUIREMENT_RULES = (
    Rule(
        "EVIDENCE_MISSING",
        "block",
        "Required evidence missing",
        "The vendor has supplied nothing that meets its requirement, and nothing that could "
        "stand in for it.",
    ),
    Rule(
        "ISO_IN_PLACE_OF_SOC2",
        "block",
        "ISO 27001 certificate instead of a SOC 2 report",
        "A SOC 2 report is required but only an ISO/IEC 27001 certificate is on file. ISO "
        "27001 certifies a management system; a SOC 2 is an auditor's opinion on controls "
        "over a period. One is not a substitute for the other.",
    ),
    Rule(
        "SOC3_IN_PLACE_OF_SOC2",
        "block",
        "SOC 3 report instead of a SOC 2 report",
        "A SOC 3 is a general-use summary: no system description, no tests, no exceptions. "
        "It does not replace the SOC 2 report it summarises.",
    ),
    Rule(
        "SOC1_IN_PLACE_OF_SOC2",
        "block",
        "SOC 1 report instead of a SOC 2 report",
        "A SOC 1 covers controls over financial reporting, not security, availability or "
        "confidentiality. It does not replace a SOC 2 report.",
    ),
    Rule(
        "SOC2_IN_PLACE_OF_ISO",
        "high",
        "SOC 2 report instead of an ISO 27001 certificate",
        "An ISO/IEC 27001 certificate is required; the vendor supplied a current SOC 2 report "
        "with an acceptable opinion instead. It is good evidence but not what was required.",
    ),
    Rule(
        "SOC2_TYPE1_ONLY",
        "high",
        "SOC 2 Type I where Type II is required",
        "A Type I report describes the design of controls at a point in time; only a Type II "
        "shows that they operated effectively over a period.",
    ),
)

_SOC2_RULES = (
    Rule(
        "SOC2_STALE",
        "block",
        "SOC 2 report stale",
        "A SOC 2 report is current for soc2_max_age_months (12) after its period ends, or "
        "until a valid bridge letter's end date, but never more than bridge_max_months (3) "
        "beyond that.",
    ),
    Rule(
        "SOC2_GOING_STALE",
        "medium",
        "SOC 2 report going stale",
        "The report stops being current soon: medium when expiry_urgent_days (30) or fewer "
        "days are left, info from 31 to expiry_warning_days (90) days.",
    ),
    Rule(
        "SOC2_OPINION_QUALIFIED",
        "high",
        "Qualified opinion",
        "The auditor found that some controls did not meet the criteria.",
    ),
    Rule(
        "SOC2_OPINION_ADVERSE",
        "block",
        "Adverse opinion",
        "The auditor found that the controls do not meet the criteria.",
    ),
    Rule(
        "SOC2_OPINION_DISCLAIMER",
        "block",
        "Disclaimer of opinion",
        "The auditor could not form an opinion; the report gives no assurance.",
    ),
    Rule(
        "SOC2_PERIOD_TOO_SHORT",
        "medium",
        "Type II period too short",
        "A Type II period should span min_type2_months (6) months: medium when it does not, "
        "high when it does not even span min_type2_high_months (3).",
    ),
    Rule(
        "SOC2_TSC_MISSING",
        "high",
        "Trust Services Criteria missing",
        "The report does not cover every Trust Services Criterion required of the vendor: its "
        "tier's list, plus Confidentiality when it handles confidential or personal data, or "
        "the vendor's own list.",
    ),
    Rule(
        "SOC2_EXCEPTIONS_NOTED",
        "medium",
        "Exceptions noted",
        "The auditor's tests found exceptions; review each and how it was remediated.",
    ),
    Rule(
        "SOC2_CUECS",
        "info",
        "Complementary user entity controls",
        "The report relies on controls the customer must run; check that your organisation "
        "runs them.",
    ),
    Rule(
        "SOC2_SUBSERVICE_CARVED_OUT",
        "info",
        "Subservice organisation carved out",
        "The report excludes a subservice organisation's controls; ask for that "
        "organisation's own report.",
    ),
    Rule(
        "SOC2_BRIDGE_LETTER_NEEDED",
        "medium",
        "Bridge letter needed",
        "Vendors of a tier needing continuous coverage (continuous_coverage_tiers) need a "
        "valid bridge letter covering today once bridge_after_months (3) have passed since "
        "the report's period ended.",
    ),
    Rule(
        "BRIDGE_LETTER_INVALID",
        "medium",
        "Bridge letter not valid",
        "A bridge letter may vouch for at most bridge_max_months (3) after its signing; one "
        "that claims more covers nothing.",
    ),
)

_ISO_RULES = (
    Rule(
        "ISO_EXPIRED", "block", "Certificate expired", "The certificate's expiry date has passed."
    ),
    Rule(
        "ISO_2013_VERSION",
        "block",
        "2013-edition certificate",
        "Certificates to ISO/IEC 27001:2013 ceased to be valid after iso_2013_sunset "
        "(2025-10-31); only a 2022-edition certificate counts.",
    ),
    Rule(
        "ISO_EXPIRING",
        "medium",
        "Certificate expiring",
        "The certificate expires soon: medium when expiry_urgent_days (30) or fewer days are "
        "left, info from 31 to expiry_warning_days (90) days.",
    ),
    Rule(
        "ISO_UNACCREDITED",
        "block",
        "No recognised accreditation",
        "The certificate carries no accreditation mark, or the mark of a body that is not a "
        "signatory of the IAF multilateral recognition arrangement.",
    ),
    Rule(
        "ISO_SUSPENDED",
        "block",
        "Certificate suspended",
        "The certification body has suspended it.",
    ),
    Rule(
        "ISO_WITHDRAWN",
        "block",
        "Certificate withdrawn",
        "The certification body has withdrawn it.",
    ),
    Rule(
        "ISO_VALIDITY_TOO_LONG",
        "medium",
        "Validity too long",
        "Accredited certificates run at most iso_max_validity_months (36); a longer one is "
        "suspect.",
    ),
    Rule(
        "ISO_SURVEILLANCE_OVERDUE",
        "medium",
        "Surveillance audit overdue",
        "The last audit (surveillance, else the issue) is more than iso_surveillance_months "
        "(12) back.",
    ),
)

RULES: tuple[Rule, ...] = _REQUIREMENT_RULES + _SOC2_RULES + _ISO_RULES
RULES_BY_CODE: Mapping[str, Rule] = MappingProxyType({r.code: r for r in RULES})


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


def _type1_only(*, report: SocReport) -> str:
    return (
        f"{_cap(describe_report(report))} shows the design of controls at a point in time, "
        "not that they operated effectively. Ask for a SOC 2 Type II report."
    )


def _stale(*, report: SocReport, currency_end: date) -> str:
    return (
        f"{_cap(describe_report(report))} stopped being current after "
        f"{currency_end.isoformat()}. Ask the vendor for its latest SOC 2 report."
    )


def _going_stale(*, report: SocReport, currency_end: date, days_left: int) -> str:
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
    return (
        f"The bridge letter signed on {letter.signed_on} vouches until {letter.covers_until}: a "
        f"letter may vouch for at most {months} months after its signing, so it covers nothing. "
        "Ask the vendor for a letter within that limit, or for its new report."
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


def _iso_expiring(*, certificate: IsoCertificate, effective_expiry: date, days_left: int) -> str:
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
    }
)


def message(code: str, **facts: object) -> str:
    """The plain-words message of a flag with `code`, built from the facts it is about."""
    return MESSAGES[code](**facts)
