"""The rule table. Each rule is one row: its code, severity, title, explanation, what to ask
the vendor for, the check that raises it and the message that puts the gap in plain words.

A check reads a vendor's snapshot (snapshot.py) on one day and returns its findings at the
severity of a relied-on document (SPEC §4); `on` says what it reads, and `checks.findings`
runs every check, lowering the flags about a document the requirement does not rest on.
Explanations name the policy's thresholds as `{field}`s, filled in by `explain` from the
policy in force. A check named by several rows raises each of their codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from app.rules.dates import add_months_or_none, spans_months
from app.rules.facts import BridgeLetter, IsoCertificate, SocReport
from app.rules.policy import Policy
from app.rules.snapshot import (
    SENSITIVE_DATA,
    Snapshot,
    certificate_valid,
    report_acceptable,
    substitute_acceptable,
)
from app.rules.wording import TSC_LABELS, WANTED, about, describe

SEVERITY_ORDER = ("block", "high", "medium", "info")
SEVERITY_RANK: Mapping[str, int] = MappingProxyType({s: i for i, s in enumerate(SEVERITY_ORDER)})
SOC2_REQUIREMENTS = frozenset({"soc2", "soc2_type2"})
# Requirements that name a SOC 2 report, alone or beside an ISO certificate.
NAMES_SOC2 = SOC2_REQUIREMENTS | {"soc2_or_iso27001"}

# What a check reads (Rule.on): the vendor's file as a whole; the report R or the certificate
# C, whoever relies on it; or R or C only when the requirement rests on it.
FILE, REPORT, CERTIFICATE = "file", "report", "certificate"
RELIED_REPORT, RELIED_CERTIFICATE = "relied report", "relied certificate"


class Finding(NamedTuple):
    """A named tuple: dozens are made per file evaluated, three times faster than a dataclass."""

    code: str
    severity: str
    evidence_id: int | None
    facts: Mapping[str, object] = MappingProxyType({})  # what its message is built from
    waivable: bool = True  # False: no waiver of its own code covers it (SPEC §3, §4)


Found = tuple[Finding, ...]
NOTHING: Found = ()
# check(snapshot, document, day): `document` is R or C, or None for the file as a whole.
Check = Callable[[Snapshot, Any, date], Found]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule (see the module's docstring). Without a check: VENDOR_ARCHIVED, which
    `checks.findings` raises alone for an archived vendor."""

    code: str
    severity: str  # that of a relied-on document
    title: str
    explanation: str
    ask: str
    message: Callable[..., str]
    check: Check | None = None
    on: tuple[str, ...] = ()


def found(rule: Rule, evidence_id: int | None, severity: str | None = None, **facts) -> Found:
    """One finding of `rule`, at `severity` or else the rule's own."""
    return (Finding(rule.code, severity or rule.severity, evidence_id, facts),)


def _warning_severity(s: Snapshot, last_day: date, day: date) -> str | None:
    """medium when `last_day` is at most the urgent days away, info up to the warning days."""
    days_left = (last_day - day).days
    if not 0 <= days_left <= s.policy.expiry_warning_days:
        return None
    return "medium" if days_left <= s.policy.expiry_urgent_days else "info"


def _worst(*severities: str) -> str:
    return min(severities, key=SEVERITY_RANK.__getitem__)


# Memoised: a hundred thousand reports share a few thousand periods.
_spans_months = lru_cache(maxsize=1 << 14)(spans_months)


# --- the vendor's file as a whole: what stands in for missing evidence -----------------------


def _substitute(s: Snapshot, rule: Rule, document, acceptable: bool, floor: str) -> Found:
    """At the tier's substitute severity while acceptable, else block and not waivable."""
    severity = s.policy.tiers[s.vendor.tier].substitute_severity if acceptable else "block"
    kind = "certificate" if isinstance(document, IsoCertificate) else "report"
    facts = {"requirement": s.requirement, kind: document}
    return (Finding(rule.code, _worst(severity, floor), document.id, facts, acceptable),)


def _substitutes_or_missing(s: Snapshot, day: date, *, with_iso: bool) -> Found:
    stands_in = NOTHING
    if with_iso and s.certificate is not None:
        ok = certificate_valid(s, day)
        stands_in += _substitute(s, ISO_IN_PLACE_OF_SOC2, s.certificate, ok, "medium")
    if s.soc3 is not None:
        ok = substitute_acceptable(s.soc3, s.soc3_current_until, day)
        stands_in += _substitute(s, SOC3_IN_PLACE_OF_SOC2, s.soc3, ok, "medium")
    if s.soc1 is not None:
        # A SOC 1 covers financial reporting, not security: never below high.
        ok = substitute_acceptable(s.soc1, s.soc1_current_until, day)
        stands_in += _substitute(s, SOC1_IN_PLACE_OF_SOC2, s.soc1, ok, "high")
    return stands_in or found(EVIDENCE_MISSING, None, requirement=s.requirement)


def _requirement(s: Snapshot, _: None, day: date) -> Found:
    """The required evidence missing, and what stands in for it."""
    wanted, r, c = s.requirement, s.report, s.certificate
    if wanted in SOC2_REQUIREMENTS and r is None:
        return _substitutes_or_missing(s, day, with_iso=True)
    if wanted == "soc2_or_iso27001" and r is None and c is None:
        return _substitutes_or_missing(s, day, with_iso=False)
    if wanted == "iso27001" and c is None:
        if report_acceptable(s, day):
            return found(SOC2_IN_PLACE_OF_ISO, r.id, report=r)
        return found(EVIDENCE_MISSING, None, requirement=wanted)
    return NOTHING


EVIDENCE_MISSING = Rule(
    "EVIDENCE_MISSING",
    "block",
    "Required evidence missing",
    explanation="The vendor has supplied nothing that meets its requirement, and nothing "
    "that could stand in for it.",
    ask="The evidence its requirement names.",
    on=(FILE,),
    check=_requirement,
    message=lambda *, requirement: (
        "Nothing on file meets the requirement. Ask the vendor for "
        f"{WANTED.get(requirement, 'the required evidence')}."
    ),
)

ISO_IN_PLACE_OF_SOC2 = Rule(
    "ISO_IN_PLACE_OF_SOC2",
    "block",
    "ISO 27001 certificate instead of a SOC 2 report",
    explanation="A SOC 2 report is required but only an ISO/IEC 27001 certificate is on file. "
    "ISO 27001 certifies a management system; a SOC 2 is an auditor's opinion on controls "
    "over a period. One is not a substitute for the other. Your policy may accept it for "
    "a while at a lower severity for some tiers ({substitute_severities}), but only while "
    "the certificate itself is valid.",
    ask="The SOC 2 report.",
    on=(FILE,),
    check=_requirement,
    message=lambda *, certificate, requirement: (
        f"Only {describe(certificate)} is on file. Ask for {WANTED[requirement]}: an ISO 27001 "
        "certificate does not replace it."
    ),
)


SOC3_IN_PLACE_OF_SOC2 = Rule(
    "SOC3_IN_PLACE_OF_SOC2",
    "block",
    "SOC 3 report instead of a SOC 2 report",
    explanation="A SOC 3 is a general-use summary: no system description, no tests, no "
    "exceptions. It does not replace the SOC 2 report it summarises. Your policy may accept "
    "it at a lower severity for some tiers ({substitute_severities}), but only while it is at "
    "most {soc2_max_age_months} months past its period with an acceptable opinion.",
    ask="The SOC 2 report the SOC 3 summarises.",
    on=(FILE,),
    check=_requirement,
    message=lambda *, report, requirement: about(
        report,
        "is a general-use summary with no system description, tests or exceptions. Ask for "
        f"{WANTED[requirement]}: a SOC 3 report does not replace it.",
    ),
)

SOC1_IN_PLACE_OF_SOC2 = Rule(
    "SOC1_IN_PLACE_OF_SOC2",
    "block",
    "SOC 1 report instead of a SOC 2 report",
    explanation="A SOC 1 covers controls over financial reporting, not security, availability "
    "or confidentiality. It does not replace a SOC 2 report, and never counts for less than "
    "high.",
    ask="A SOC 2 report.",
    on=(FILE,),
    check=_requirement,
    message=lambda *, report, requirement: about(
        report,
        "covers controls over financial reporting, not security. Ask for "
        f"{WANTED[requirement]}: a SOC 1 report does not replace it.",
    ),
)

SOC2_IN_PLACE_OF_ISO = Rule(
    "SOC2_IN_PLACE_OF_ISO",
    "high",
    "SOC 2 report instead of an ISO 27001 certificate",
    explanation="An ISO/IEC 27001 certificate is required; the vendor supplied a current SOC 2 "
    "report with an acceptable opinion instead. It is good evidence but not what was "
    "required.",
    ask="The ISO/IEC 27001 certificate.",
    on=(FILE,),
    check=_requirement,
    message=lambda *, report: (
        f"Only {describe(report)} is on file. Ask for an ISO/IEC 27001 certificate: a SOC 2 "
        "report is good evidence but not what this vendor must hold."
    ),
)


def _type1_only(s: Snapshot, report: SocReport, day: date) -> Found:
    if report.report_type != "type1":
        return NOTHING
    required = s.requirement == "soc2_type2"  # else any SOC 2 will do: accepted, at medium
    severity = "high" if required else "medium"
    return found(SOC2_TYPE1_ONLY, report.id, severity, report=report, accepted=not required)


SOC2_TYPE1_ONLY = Rule(
    "SOC2_TYPE1_ONLY",
    "high",
    "SOC 2 Type I where Type II is required",
    explanation="A Type I report describes the design of controls at a point in time; only a "
    "Type II shows that they operated effectively over a period. High where a Type II is "
    "required; medium where any SOC 2 report will do.",
    ask="The Type II report, or when it will follow.",
    on=(RELIED_REPORT,),
    check=_type1_only,
    message=lambda *, report, accepted: about(
        report,
        "shows the design of controls at a point in time, not that they operated effectively. "
        + (
            "It is accepted for now. Ask the vendor when its Type II report will follow."
            if accepted
            else "Ask for a SOC 2 Type II report."
        ),
    ),
)


def _tier_below_data_access(s: Snapshot, _: None, day: date) -> Found:
    data_access = s.vendor.data_access
    if s.vendor.tier == "low" and data_access in SENSITIVE_DATA:
        return found(TIER_BELOW_DATA_ACCESS, None, data_access=data_access)
    return NOTHING


TIER_BELOW_DATA_ACCESS = Rule(
    "TIER_BELOW_DATA_ACCESS",
    "high",
    "Low tier for a vendor holding sensitive data",
    explanation="The vendor is tiered low but has access to confidential or personal data; a "
    "vendor holding that data is rarely low-risk.",
    ask="Nothing: re-tier the vendor, or record why not with a waiver.",
    on=(FILE,),
    check=_tier_below_data_access,
    message=lambda *, data_access: (
        f"This vendor is tiered low but has access to {data_access} data; a vendor holding "
        "that data is rarely low-risk. Check the tier: raise it, or record why not with a "
        "waiver."
    ),
)

VENDOR_ARCHIVED = Rule(
    "VENDOR_ARCHIVED",
    "block",
    "Vendor offboarded",
    explanation="The vendor has been archived: do not sign or renew with it. It cannot be "
    "waived; reactivate the vendor first.",
    ask="Nothing: reactivate the vendor if you are to work with it again.",
    message=lambda: (
        "This vendor has been offboarded: do not sign or renew with it. Check with its owner "
        "before reactivating it."
    ),
)


# --- the SOC 2 report R ----------------------------------------------------------------------


def _stale(s: Snapshot, report: SocReport, day: date) -> Found:
    if day > s.currency_end:
        return found(SOC2_STALE, report.id, report=report, currency_end=s.currency_end)
    return NOTHING


SOC2_STALE = Rule(
    "SOC2_STALE",
    "block",
    "SOC 2 report stale",
    explanation="A SOC 2 report is current for {soc2_max_age_months} months after its period "
    "ends, or until the end of a bridge letter, but never more than {currency_cap_months} "
    "months after its period.",
    ask="The vendor's latest SOC 2 report.",
    on=(REPORT,),
    check=_stale,
    message=lambda *, report, currency_end: about(
        report,
        f"stopped being current after {currency_end}. Ask the vendor for its latest SOC 2 report.",
    ),
)


def _going_stale(s: Snapshot, report: SocReport, day: date) -> Found:
    severity = _warning_severity(s, s.currency_end, day)
    if severity:
        return found(
            SOC2_GOING_STALE, report.id, severity, report=report, currency_end=s.currency_end
        )
    return NOTHING


SOC2_GOING_STALE = Rule(
    "SOC2_GOING_STALE",
    "medium",
    "SOC 2 report going stale",
    explanation="The report stops being current soon: medium when {expiry_urgent_days} or "
    "fewer days are left, information from {expiry_urgent_days_plus_one} to "
    "{expiry_warning_days} days.",
    ask="When the next report will be issued.",
    on=(REPORT,),
    check=_going_stale,
    # No day count in the words: a flag's message must not change until next_review_on.
    message=lambda *, report, currency_end: about(
        report,
        f"is current until {currency_end} and not after. Ask the vendor when its next report "
        "will be issued.",
    ),
)


def _opinion(s: Snapshot, report: SocReport, day: date) -> Found:
    """A qualified or adverse opinion, or a disclaimer: the next three rules."""
    rule = _OPINION_RULES.get(report.opinion)
    return found(rule, report.id, report=report) if rule else NOTHING


SOC2_OPINION_QUALIFIED = Rule(
    "SOC2_OPINION_QUALIFIED",
    "high",
    "Qualified opinion",
    explanation='The auditor found that some controls did not meet the criteria ("except '
    'for"). It counts while the report is current wherever a SOC 2 report is asked for, even '
    "when another document meets the requirement.",
    ask="The basis of the qualification and how it was fixed.",
    on=(REPORT,),
    check=_opinion,
    message=lambda *, report: (
        f"The auditor qualified the opinion on {describe(report)}: some controls did not meet "
        "the criteria. Read the qualification and ask the vendor how it was fixed."
    ),
)


SOC2_OPINION_ADVERSE = Rule(
    "SOC2_OPINION_ADVERSE",
    "block",
    "Adverse opinion",
    explanation="The auditor found that the controls do not meet the criteria. It counts while "
    "the report is current, whichever document the requirement rests on.",
    ask="The remediation plan and a new report.",
    on=(REPORT,),
    check=_opinion,
    message=lambda *, report: (
        f"The auditor gave an adverse opinion on {describe(report)}: the controls do not meet "
        "the criteria. Ask the vendor for its remediation plan and a new report."
    ),
)


SOC2_OPINION_DISCLAIMER = Rule(
    "SOC2_OPINION_DISCLAIMER",
    "block",
    "Disclaimer of opinion",
    explanation="The auditor could not form an opinion; the report gives no assurance. It "
    "counts while the report is current, whichever document the requirement rests on.",
    ask="Why, and a report with an opinion.",
    on=(REPORT,),
    check=_opinion,
    message=lambda *, report: (
        f"The auditor could not form an opinion on {describe(report)}, so it gives no "
        "assurance. Ask the vendor why, and for a report with an opinion."
    ),
)


_OPINION_RULES = {
    "qualified": SOC2_OPINION_QUALIFIED,
    "adverse": SOC2_OPINION_ADVERSE,
    "disclaimer": SOC2_OPINION_DISCLAIMER,
}


def _period_too_short(s: Snapshot, report: SocReport, day: date) -> Found:
    p, start = s.policy, report.period_start
    if report.report_type == "type1" or start is None:
        return NOTHING
    for months, severity in ((p.min_type2_high_months, "high"), (p.min_type2_months, "medium")):
        if not _spans_months(start, report.period_end, months):
            facts = {"report": report, "months": months, "min_months": p.min_type2_months}
            return found(SOC2_PERIOD_TOO_SHORT, report.id, severity, **facts)
    return NOTHING


SOC2_PERIOD_TOO_SHORT = Rule(
    "SOC2_PERIOD_TOO_SHORT",
    "medium",
    "Type II period too short",
    explanation="A Type II period should span {min_type2_months} months: medium when it does "
    "not, high when it does not even span {min_type2_high_months}.",
    ask="A Type II report over a longer period.",
    on=(REPORT,),
    check=_period_too_short,
    message=lambda *, report, months, min_months: about(
        report,
        f"covers less than {months} months of operation. Ask the vendor for a Type II report "
        f"over at least {min_months} months.",
    ),
)


def _tsc_missing(s: Snapshot, report: SocReport, day: date) -> Found:
    if report.tsc.issuperset(s.required_tsc):
        return NOTHING
    missing = tuple(t for t in s.required_tsc if t not in report.tsc)
    return found(SOC2_TSC_MISSING, report.id, report=report, missing=missing)


SOC2_TSC_MISSING = Rule(
    "SOC2_TSC_MISSING",
    "high",
    "Trust Services Criteria missing",
    explanation="The report does not cover every Trust Services Criterion required of the "
    "vendor: its tier's list, plus Confidentiality when it handles confidential or personal "
    "data, or the vendor's own list.",
    ask="A report that covers them, or the plan to add them to the next audit.",
    on=(REPORT,),
    check=_tsc_missing,
    message=lambda *, report, missing: about(
        report,
        "does not cover every Trust Services Criterion required of this vendor; missing: "
        f"{', '.join(TSC_LABELS.get(m, m) for m in missing)}. Ask for a report that covers "
        "them, or for the vendor's plan to add them to its next audit.",
    ),
)


def _exceptions_noted(s: Snapshot, report: SocReport, day: date) -> Found:
    if report.exceptions_noted > 0:
        return found(SOC2_EXCEPTIONS_NOTED, report.id, report=report)
    return NOTHING


SOC2_EXCEPTIONS_NOTED = Rule(
    "SOC2_EXCEPTIONS_NOTED",
    "medium",
    "Exceptions noted",
    explanation="The auditor's tests found exceptions; review each and how it was remediated.",
    ask="How each exception was remediated.",
    on=(REPORT,),
    check=_exceptions_noted,
    message=lambda *, report: (
        f"The auditor noted {report.exceptions_noted} "
        f"exception{'s' if report.exceptions_noted != 1 else ''} in {describe(report)}. "
        "Review each and ask the vendor how it was remediated."
    ),
)


def _cuecs(s: Snapshot, report: SocReport, day: date) -> Found:
    return found(SOC2_CUECS, report.id, report=report) if report.cuecs else NOTHING


SOC2_CUECS = Rule(
    "SOC2_CUECS",
    "info",
    "Complementary user entity controls",
    explanation="The report relies on controls the customer must run; check that your "
    "organisation runs them.",
    ask="Nothing: check your own controls.",
    on=(REPORT,),
    check=_cuecs,
    message=lambda *, report: about(
        report,
        "lists complementary user entity controls: controls your organisation must run. Check "
        "that they are in place.",
    ),
)


def _carved_out(s: Snapshot, report: SocReport, day: date) -> Found:
    if not report.subservice_orgs:
        return NOTHING
    severity = "medium" if s.vendor.tier in s.policy.subservice_report_tiers else "info"
    rule = SOC2_SUBSERVICE_CARVED_OUT
    return tuple(
        Finding(rule.code, severity, report.id, {"report": report, "organisation": org.name})
        for org in report.subservice_orgs
        if org.method == "carve_out"
    )


SOC2_SUBSERVICE_CARVED_OUT = Rule(
    "SOC2_SUBSERVICE_CARVED_OUT",
    "medium",
    "Subservice organisation carved out",
    explanation="The report excludes a subservice organisation's controls. Medium for "
    "{subservice_tiers} vendors, whose subservice organisations' reports you must hold; "
    "information for the others.",
    ask="That organisation's own SOC 2 report.",
    on=(REPORT,),
    check=_carved_out,
    message=lambda *, report, organisation: about(
        report,
        f"carves out {organisation}: its controls are not covered. Ask for {organisation}'s "
        "own SOC 2 report.",
    ),
)


def _remediation_unproven(s: Snapshot, _: None, day: date) -> Found:
    """About T, the newest Type II, when it failed (SPEC §4 v2)."""
    t = s.failed_type2
    if t is None or s.requirement not in NAMES_SOC2:
        return NOTHING
    if s.failed_type2_current_until < day <= s.remediation_until:
        facts = {"report": t, "until": s.remediation_until, "newer": s.report is not t}
        return found(SOC2_REMEDIATION_UNPROVEN, t.id, **facts)
    return NOTHING


def _remediation_message(*, report: SocReport, until: date, newer: bool) -> str:
    opinion = "an adverse opinion" if report.opinion == "adverse" else "a disclaimer of opinion"
    since = (
        "a later Type I shows the design of controls, not that the failures were fixed"
        if newer
        else "nothing newer has been received"
    )
    return about(
        report,
        f"had {opinion}, and {since}. Ask the vendor for a new Type II report; until one "
        f"arrives this counts until {until}.",
    )


SOC2_REMEDIATION_UNPROVEN = Rule(
    "SOC2_REMEDIATION_UNPROVEN",
    "high",
    "Failed audit not yet followed by a clean one",
    explanation="The newest SOC 2 Type II report had an adverse opinion or a disclaimer, and "
    "no newer Type II shows the failures were fixed: a later Type I shows design only, and "
    "sending nothing does not wait it out. It counts for {remediation_window_months} months "
    "after that report's period.",
    ask="A new Type II report.",
    on=(FILE,),
    check=_remediation_unproven,
    message=_remediation_message,
)


def _bridge_letter_needed(s: Snapshot, report: SocReport, day: date) -> Found:
    if not s.continuous or not s.bridge_due < day <= s.currency_end:
        return NOTHING
    if any(covers >= day for covers in s.letter_covers):
        return NOTHING
    months = s.policy.bridge_after_months
    return found(SOC2_BRIDGE_LETTER_NEEDED, report.id, report=report, months=months)


SOC2_BRIDGE_LETTER_NEEDED = Rule(
    "SOC2_BRIDGE_LETTER_NEEDED",
    "medium",
    "Bridge letter needed",
    explanation="Vendors needing continuous coverage ({continuous_tiers}) need a bridge letter "
    "covering today once {bridge_after_months} months have passed since the report's period "
    "ended.",
    ask="A bridge letter covering the time until the next report.",
    on=(REPORT,),
    check=_bridge_letter_needed,
    message=lambda *, report, months: (
        f"More than {months} months have passed since the period of {describe(report)} "
        "ended, and no valid bridge letter covers today. Ask the vendor for a bridge letter "
        "covering the time until its next report."
    ),
)


def _bridge_letter_invalid(s: Snapshot, report: SocReport, day: date) -> Found:
    if not s.invalid_letters:
        return NOTHING
    rule, facts = BRIDGE_LETTER_INVALID, {"months": s.policy.bridge_max_months}
    return tuple(
        Finding(rule.code, rule.severity, letter.id, {"letter": letter, **facts})
        for letter in s.invalid_letters
    )


def _bridge_invalid_message(*, letter: BridgeLetter, months: int) -> str:
    limit = add_months_or_none(letter.signed_on, months) or date.max
    return (
        f"The bridge letter signed on {letter.signed_on} vouches until {letter.covers_until}: a "
        f"letter may vouch for at most {months} months after its signing, so it counts only "
        f"until {limit}. Ask the vendor for a letter within that limit, or for its new report."
    )


BRIDGE_LETTER_INVALID = Rule(
    "BRIDGE_LETTER_INVALID",
    "medium",
    "Bridge letter claims too much",
    explanation="A bridge letter may vouch for at most {bridge_max_months} months after its "
    "signing; one that claims more is flagged and counts only up to that limit.",
    ask="A letter within that limit, or the new report.",
    on=(REPORT,),
    check=_bridge_letter_invalid,
    message=_bridge_invalid_message,
)


# --- scope: on the report and on the certificate -----------------------------------------


def _kind(document: SocReport | IsoCertificate) -> str:
    return "certificate" if isinstance(document, IsoCertificate) else "report"


def _scope_not_covered(s: Snapshot, document, day: date) -> Found:
    judgement = document.scope_covers_services
    if judgement in ("no", "partly"):
        severity = "block" if judgement == "no" else "high"
        facts = {_kind(document): document, "judgement": judgement}
        return found(SCOPE_NOT_COVERED, document.id, severity, **facts)
    return NOTHING


SCOPE_NOT_COVERED = Rule(
    "SCOPE_NOT_COVERED",
    "block",
    "Does not cover what you buy",
    explanation="The document's system or scope was judged not to cover the services bought "
    "from the vendor (block), or to cover them only partly (high).",
    ask="A report or certificate whose scope covers the services.",
    on=(REPORT, CERTIFICATE),
    check=_scope_not_covered,
    message=lambda *, judgement, report=None, certificate=None: about(
        report or certificate,
        f"was judged {'not to cover' if judgement == 'no' else 'to cover only part of'} the "
        "services bought from this vendor. Ask for a report or certificate whose scope covers "
        "them.",
    ),
)


def _scope_unconfirmed(s: Snapshot, document, day: date) -> Found:
    if document.scope_covers_services is not None:
        return NOTHING
    tier, p = s.vendor.tier, s.policy
    if tier in p.scope_required_tiers:
        severity = "high"
    else:
        severity = "medium" if tier in p.scope_confirmation_tiers else "info"
    return found(SCOPE_UNCONFIRMED, document.id, severity, **{_kind(document): document})


SCOPE_UNCONFIRMED = Rule(
    "SCOPE_UNCONFIRMED",
    "high",
    "Scope not yet judged",
    explanation="Nobody has yet checked that the document the requirement rests on covers the "
    "services bought: high for {scope_required} vendors, medium for the other "
    "{scope_confirmation} vendors, information for the rest.",
    ask="Nothing yet: read the report's system or the certificate's scope and judge it.",
    on=(RELIED_REPORT, RELIED_CERTIFICATE),
    check=_scope_unconfirmed,
    message=lambda *, report=None, certificate=None: (
        f"Nobody has yet judged whether {describe(report or certificate)} covers the services "
        "bought from this vendor. Read its scope beside the vendor's services and record "
        "whether it covers them."
    ),
)


# --- the ISO/IEC 27001 certificate C ---------------------------------------------------------


def _after_sunset(s: Snapshot, certificate: IsoCertificate, day: date) -> bool:
    return str(certificate.standard_version) == "2013" and day > s.policy.iso_2013_sunset


def _expired(s: Snapshot, certificate: IsoCertificate, day: date) -> Found:
    # After the sunset a 2013-edition certificate gets ISO_2013_VERSION only.
    if day > certificate.expires_on and not _after_sunset(s, certificate, day):
        return found(ISO_EXPIRED, certificate.id, certificate=certificate)
    return NOTHING


ISO_EXPIRED = Rule(
    "ISO_EXPIRED",
    "block",
    "Certificate expired",
    explanation="The certificate's expiry date has passed.",
    ask="The renewed certificate.",
    on=(CERTIFICATE,),
    check=_expired,
    message=lambda *, certificate: about(
        certificate,
        f"expired on {certificate.expires_on}. Ask the vendor for its renewed certificate.",
    ),
)


def _version_2013(s: Snapshot, certificate: IsoCertificate, day: date) -> Found:
    if _after_sunset(s, certificate, day):
        sunset = s.policy.iso_2013_sunset
        return found(ISO_2013_VERSION, certificate.id, certificate=certificate, sunset=sunset)
    return NOTHING


ISO_2013_VERSION = Rule(
    "ISO_2013_VERSION",
    "block",
    "2013-edition certificate",
    explanation="Certificates to ISO/IEC 27001:2013 ceased to be valid after "
    "{iso_2013_sunset}; only a 2022-edition certificate counts.",
    ask="A certificate to ISO/IEC 27001:2022.",
    on=(CERTIFICATE,),
    check=_version_2013,
    message=lambda *, certificate, sunset: about(
        certificate,
        f"is to the 2013 edition, which ceased to be valid after {sunset}. Ask for a "
        "certificate to ISO/IEC 27001:2022.",
    ),
)


def _expiring(s: Snapshot, certificate: IsoCertificate, day: date) -> Found:
    severity = _warning_severity(s, s.effective_expiry, day)
    if severity:
        facts = {"certificate": certificate, "effective_expiry": s.effective_expiry}
        return found(ISO_EXPIRING, certificate.id, severity, **facts)
    return NOTHING


ISO_EXPIRING = Rule(
    "ISO_EXPIRING",
    "medium",
    "Certificate expiring",
    explanation="The certificate expires soon: medium when {expiry_urgent_days} or fewer days "
    "are left, information from {expiry_urgent_days_plus_one} to {expiry_warning_days} days.",
    ask="The date of the recertification audit.",
    on=(CERTIFICATE,),
    check=_expiring,
    message=lambda *, certificate, effective_expiry: about(
        certificate,
        f"is valid until {effective_expiry} and not after. Ask the vendor for the date of its "
        "recertification audit.",
    ),
)


def _unaccredited(s: Snapshot, certificate: IsoCertificate, day: date) -> Found:
    if not s.recognised:
        return found(ISO_UNACCREDITED, certificate.id, certificate=certificate)
    return NOTHING


ISO_UNACCREDITED = Rule(
    "ISO_UNACCREDITED",
    "block",
    "No recognised accreditation",
    explanation="The certificate carries no accreditation mark, or the mark of a body that is "
    "not a signatory of the IAF multilateral recognition arrangement.",
    ask="A certificate from an accredited certification body.",
    on=(CERTIFICATE,),
    check=_unaccredited,
    message=lambda *, certificate: about(
        certificate,
        "carries no recognised accreditation mark (accreditation body: "
        f"{certificate.accreditation_body or 'none'}). Ask for a certificate from a "
        "certification body accredited by an IAF signatory such as UKAS, ANAB or DAkkS.",
    ),
)


def _issuer_is_accreditor(s: Snapshot, certificate: IsoCertificate, day: date) -> Found:
    if s.issuer_is_accreditor:
        return found(ISO_ISSUER_IS_ACCREDITOR, certificate.id, certificate=certificate)
    return NOTHING


ISO_ISSUER_IS_ACCREDITOR = Rule(
    "ISO_ISSUER_IS_ACCREDITOR",
    "block",
    "Certificate issued by an accreditation body",
    explanation="The certificate names an accreditation body as its issuer. Accreditation "
    "bodies accredit certification bodies; they do not certify companies. Treat the "
    "certificate as suspect, whichever document the requirement rests on.",
    ask="The certificate as the certification body issued it, and check it with that body.",
    on=(CERTIFICATE,),
    check=_issuer_is_accreditor,
    message=lambda *, certificate: about(
        certificate,
        f"names {certificate.certification_body}, an accreditation body, as its issuer: "
        "accreditation bodies accredit certification bodies and do not certify companies, so "
        "treat it as suspect. Ask the vendor which certification body issued it, and check it "
        "with that body.",
    ),
)


def _certificate_status(s: Snapshot, certificate: IsoCertificate, day: date) -> Found:
    """A suspended or withdrawn certificate: the next two rules."""
    rule = _STATUS_RULES.get(certificate.certificate_status)
    return found(rule, certificate.id, certificate=certificate) if rule else NOTHING


ISO_SUSPENDED = Rule(
    "ISO_SUSPENDED",
    "block",
    "Certificate suspended",
    explanation="The certification body has suspended it. It counts until the certificate's "
    "expiry, whichever document the requirement rests on.",
    ask="Why, and proof of reinstatement.",
    on=(CERTIFICATE,),
    check=_certificate_status,
    message=lambda *, certificate: about(
        certificate,
        "is suspended by its certification body. Ask the vendor why, and for proof of "
        "reinstatement.",
    ),
)


ISO_WITHDRAWN = Rule(
    "ISO_WITHDRAWN",
    "block",
    "Certificate withdrawn",
    explanation="The certification body has withdrawn it. On a certificate the requirement "
    "does not rest on it is high until the certificate's expiry: withdrawals are often the "
    "holder's request, so ask why.",
    ask="Why, and a valid certificate.",
    on=(CERTIFICATE,),
    check=_certificate_status,
    message=lambda *, certificate: about(
        certificate,
        "has been withdrawn by its certification body. Ask the vendor why, and for a valid "
        "certificate.",
    ),
)


_STATUS_RULES = {"suspended": ISO_SUSPENDED, "withdrawn": ISO_WITHDRAWN}


def _validity_too_long(s: Snapshot, certificate: IsoCertificate, day: date) -> Found:
    if certificate.expires_on > s.validity_limit:
        months = s.policy.iso_max_validity_months
        return found(ISO_VALIDITY_TOO_LONG, certificate.id, certificate=certificate, months=months)
    return NOTHING


ISO_VALIDITY_TOO_LONG = Rule(
    "ISO_VALIDITY_TOO_LONG",
    "medium",
    "Validity too long",
    explanation="Accredited certificates run at most {iso_max_validity_months} months; a "
    "longer one is suspect.",
    ask="Check it with the certification body.",
    on=(CERTIFICATE,),
    check=_validity_too_long,
    message=lambda *, certificate, months: about(
        certificate,
        f"runs from {certificate.issued_on} to {certificate.expires_on}, more than {months} "
        "months. Check it with the certification body: accredited certificates run at most "
        "three years.",
    ),
)


def _surveillance_overdue(s: Snapshot, certificate: IsoCertificate, day: date) -> Found:
    if not s.surveillance_due < day <= s.effective_expiry:
        return NOTHING
    severity = "high" if day > s.surveillance_high_due else "medium"
    facts = {"certificate": certificate, "last_audit": s.last_audit, "due": s.surveillance_due}
    return found(ISO_SURVEILLANCE_OVERDUE, certificate.id, severity, **facts)


ISO_SURVEILLANCE_OVERDUE = Rule(
    "ISO_SURVEILLANCE_OVERDUE",
    "medium",
    "Surveillance audit overdue",
    explanation="The last audit (the later of the last surveillance audit and the issue) is "
    "more than {iso_surveillance_months} months back: medium, and high past "
    "{iso_surveillance_high_months} months, when a certification body would have suspended "
    "the certificate.",
    ask="The latest surveillance audit report.",
    on=(CERTIFICATE,),
    check=_surveillance_overdue,
    message=lambda *, certificate, last_audit, due: (
        f"The last audit of {describe(certificate)} was on {last_audit}; the next was due by "
        f"{due}. Ask the vendor for its latest surveillance audit report."
    ),
)


# --- the table ------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    EVIDENCE_MISSING,
    ISO_IN_PLACE_OF_SOC2,
    SOC3_IN_PLACE_OF_SOC2,
    SOC1_IN_PLACE_OF_SOC2,
    SOC2_IN_PLACE_OF_ISO,
    SOC2_TYPE1_ONLY,
    TIER_BELOW_DATA_ACCESS,
    VENDOR_ARCHIVED,
    SOC2_STALE,
    SOC2_GOING_STALE,
    SOC2_OPINION_QUALIFIED,
    SOC2_OPINION_ADVERSE,
    SOC2_OPINION_DISCLAIMER,
    SOC2_PERIOD_TOO_SHORT,
    SOC2_TSC_MISSING,
    SOC2_EXCEPTIONS_NOTED,
    SOC2_CUECS,
    SOC2_SUBSERVICE_CARVED_OUT,
    SOC2_REMEDIATION_UNPROVEN,
    SOC2_BRIDGE_LETTER_NEEDED,
    BRIDGE_LETTER_INVALID,
    SCOPE_NOT_COVERED,
    SCOPE_UNCONFIRMED,
    ISO_EXPIRED,
    ISO_2013_VERSION,
    ISO_EXPIRING,
    ISO_UNACCREDITED,
    ISO_ISSUER_IS_ACCREDITOR,
    ISO_SUSPENDED,
    ISO_WITHDRAWN,
    ISO_VALIDITY_TOO_LONG,
    ISO_SURVEILLANCE_OVERDUE,
)
RULES_BY_CODE: Mapping[str, Rule] = MappingProxyType({r.code: r for r in RULES})
# Each rule's message, by code (the rows hold them; this is the look-up).
MESSAGES: Mapping[str, Callable[..., str]] = MappingProxyType({r.code: r.message for r in RULES})
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


def message(code: str, **facts: object) -> str:
    """The plain-words message of a flag with `code`, built from the facts it is about."""
    return RULES_BY_CODE[code].message(**facts)


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
