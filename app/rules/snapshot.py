"""What a vendor's file says once the evidence is fixed: the documents that count and their
key dates. Everything here is independent of the day the rules are evaluated on, so it is
computed once per evaluation (SPEC §4 "Which documents count" and "Definitions")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from app.rules.dates import add_months_or_none
from app.rules.facts import BridgeLetter, IsoCertificate, SocReport, VendorCase, VendorFacts, Waiver
from app.rules.policy import REQUIREMENTS, Policy

ACCEPTABLE_OPINIONS = frozenset({"unqualified", "qualified"})
FAILED_OPINIONS = frozenset({"adverse", "disclaimer"})
SENSITIVE_DATA = frozenset({"confidential", "personal"})
OUT_OF_SCOPE = "no"


class Snapshot(NamedTuple):
    """Immutable like the facts; a named tuple, made in a third of a frozen dataclass's time."""

    policy: Policy
    vendor: VendorFacts
    requirement: str
    required_tsc: tuple[str, ...]
    continuous: bool
    report: SocReport | None  # R
    currency_end: date | None
    bridge_due: date | None  # after this day a continuous-coverage vendor needs a letter
    letter_covers: tuple[date, ...]  # how far each of R's letters vouches (over-claims capped)
    invalid_letters: tuple[BridgeLetter, ...]  # R's letters that claim too much
    failed_type2: SocReport | None  # T, when its opinion is adverse or a disclaimer
    failed_type2_current_until: date | None
    remediation_until: date | None  # the last day T counts against the vendor
    certificate: IsoCertificate | None  # C
    effective_expiry: date | None
    recognised: bool
    issuer_is_accreditor: bool
    validity_limit: date | None
    last_audit: date | None
    surveillance_due: date | None
    surveillance_high_due: date | None
    soc1: SocReport | None
    soc1_current_until: date | None
    soc3: SocReport | None
    soc3_current_until: date | None
    waivers: tuple[Waiver, ...]  # revoked ones left out: a revocation applies to every date


@lru_cache(maxsize=1 << 14)
def months_or_max(d: date, n: int) -> date:
    """`add_months`, or the calendar's end when the result falls off it."""
    # Cached: a hundred thousand files share a few thousand period ends and issue dates.
    return add_months_or_none(d, n) or (date.max if n >= 0 else date.min)


def counts_on(item: SocReport | IsoCertificate | BridgeLetter, as_of: date) -> bool:
    """Evidence counts on `as_of` when received by then and never retracted."""
    return not item.retracted and item.received_on <= as_of


def newest_report(reports: Iterable[SocReport]) -> SocReport | None:
    """Latest period end; ties: later received, then higher id."""
    return max(reports, key=lambda r: (r.period_end, r.received_on, r.id), default=None)


def newest_certificate(certificates: Iterable[IsoCertificate]) -> IsoCertificate | None:
    """Latest issue date; ties: later received, then higher id."""
    return max(certificates, key=lambda c: (c.issued_on, c.received_on, c.id), default=None)


def in_scope(documents: list) -> list:
    """Those not judged out of scope, unless every one is (SPEC §4 v2)."""
    kept = [d for d in documents if d.scope_covers_services != OUT_OF_SCOPE]
    return kept or documents


def requirement_of(vendor: VendorFacts, policy: Policy) -> str:
    """The vendor's own requirement, else its tier's."""
    if vendor.tier not in policy.tiers:
        raise ValueError(f"unknown tier {vendor.tier!r}")
    requirement = vendor.requirement or policy.tiers[vendor.tier].requirement
    if requirement not in REQUIREMENTS:
        raise ValueError(f"unknown requirement {requirement!r}")
    return requirement


def required_tsc_of(vendor: VendorFacts, policy: Policy) -> tuple[str, ...]:
    """The vendor's own list when set, else its tier's plus confidentiality for sensitive data."""
    if vendor.required_tsc:
        return tuple(dict.fromkeys(vendor.required_tsc))
    tier = policy.tiers[vendor.tier].required_tsc
    extra = ("confidentiality",) if vendor.data_access in SENSITIVE_DATA else ()
    return tuple(dict.fromkeys(tier + extra))


def bridge_limit(letter: BridgeLetter, policy: Policy) -> date:
    """The last day a bridge letter may vouch for."""
    return months_or_max(letter.signed_on, policy.bridge_max_months)


def bridge_valid(letter: BridgeLetter, policy: Policy) -> bool:
    """A letter vouching for more than `bridge_max_months` after its signing is flagged."""
    return letter.covers_until <= bridge_limit(letter, policy)


def letter_covers(letter: BridgeLetter, policy: Policy) -> date:
    """The last day a letter vouches for: an over-claiming one still covers what it may."""
    return min(letter.covers_until, bridge_limit(letter, policy))


def report_current_until(report: SocReport, policy: Policy) -> date:
    """A report with no bridge letter is current until `soc2_max_age_months` after its period."""
    return months_or_max(report.period_end, policy.soc2_max_age_months)


def currency_end(report: SocReport, covers: Iterable[date], policy: Policy) -> date:
    """12 months after the period, or a bridge letter's cover, never past 15 months."""
    base = report_current_until(report, policy)
    cap = months_or_max(report.period_end, policy.soc2_max_age_months + policy.bridge_max_months)
    return min(max((base, *covers)), cap)


def effective_expiry(certificate: IsoCertificate, policy: Policy) -> date:
    """`expires_on`, or the 2013-edition sunset when that comes first."""
    if str(certificate.standard_version) == "2013":
        return min(certificate.expires_on, policy.iso_2013_sunset)
    return certificate.expires_on


def _partition(case: VendorCase, as_of: date) -> dict[str, list]:
    groups: dict[str, list] = {
        "soc1_report": [],
        "soc2_report": [],
        "soc3_report": [],
        "iso27001_certificate": [],
        "bridge_letter": [],
    }
    for item in case.evidence:
        if counts_on(item, as_of) and item.kind in groups:
            groups[item.kind].append(item)
    return groups


def _report_fields(report: SocReport | None, letters: list[BridgeLetter], policy: Policy) -> dict:
    if report is None:
        return dict.fromkeys(("currency_end", "bridge_due"), None) | {
            "letter_covers": (),
            "invalid_letters": (),
        }
    mine = [letter for letter in letters if letter.soc2_report_id == report.id]
    covers = tuple(sorted(letter_covers(letter, policy) for letter in mine))
    return {
        "currency_end": currency_end(report, covers, policy),
        "bridge_due": months_or_max(report.period_end, policy.bridge_after_months),
        "letter_covers": covers,
        "invalid_letters": tuple(lt for lt in mine if not bridge_valid(lt, policy)),
    }


def _failed_type2_fields(
    reports: list[SocReport], report: SocReport | None, current_until: date | None, p: Policy
) -> dict:
    """T, the newest Type II among the reports R is chosen from, when its opinion failed."""
    t = newest_report(r for r in reports if r.report_type == "type2")
    if t is None or t.opinion not in FAILED_OPINIONS:
        return {"failed_type2": None, "failed_type2_current_until": None, "remediation_until": None}
    return {
        "failed_type2": t,
        # T is R, or older than R: then R's own currency says nothing of T's.
        "failed_type2_current_until": current_until if t is report else date.min,
        "remediation_until": months_or_max(t.period_end, p.remediation_window_months),
    }


def _certificate_fields(certificate: IsoCertificate | None, policy: Policy) -> dict:
    if certificate is None:
        return dict.fromkeys(
            (
                "effective_expiry",
                "validity_limit",
                "last_audit",
                "surveillance_due",
                "surveillance_high_due",
            ),
            None,
        ) | {"recognised": False, "issuer_is_accreditor": False}
    c, months = certificate, policy.iso_surveillance_months
    last_audit = max(c.issued_on, c.last_surveillance_on or c.issued_on)
    return {
        "effective_expiry": effective_expiry(c, policy),
        "recognised": policy.accreditation.recognises(c.accreditation_body),
        "issuer_is_accreditor": policy.accreditation.is_accreditor(c.certification_body),
        "validity_limit": months_or_max(c.issued_on, policy.iso_max_validity_months),
        "last_audit": last_audit,
        "surveillance_due": months_or_max(last_audit, months),
        "surveillance_high_due": months_or_max(last_audit, 2 * months),
    }


def _substitute_fields(name: str, report: SocReport | None, policy: Policy) -> dict:
    until = None if report is None else report_current_until(report, policy)
    return {name: report, f"{name}_current_until": until}


def take_snapshot(case: VendorCase, policy: Policy, *, as_of: date) -> Snapshot:
    """The documents that count on `as_of` and everything the rules derive from them."""
    groups = _partition(case, as_of)
    reports = in_scope(groups["soc2_report"])
    report = newest_report(reports)
    certificate = newest_certificate(in_scope(groups["iso27001_certificate"]))
    report_fields = _report_fields(report, groups["bridge_letter"], policy)
    return Snapshot(
        policy=policy,
        vendor=case.vendor,
        requirement=requirement_of(case.vendor, policy),
        required_tsc=required_tsc_of(case.vendor, policy),
        continuous=case.vendor.tier in policy.continuous_coverage_tiers,
        report=report,
        certificate=certificate,
        waivers=tuple(w for w in case.waivers if not w.revoked),
        **report_fields,
        **_failed_type2_fields(reports, report, report_fields["currency_end"], policy),
        **_certificate_fields(certificate, policy),
        **_substitute_fields("soc1", newest_report(groups["soc1_report"]), policy),
        **_substitute_fields("soc3", newest_report(groups["soc3_report"]), policy),
    )


def report_current(s: Snapshot, day: date) -> bool:
    """R is on file and `day` is no later than its currency end."""
    return s.report is not None and day <= s.currency_end


def report_acceptable(s: Snapshot, day: date) -> bool:
    """R is current, its opinion is unqualified or qualified, and it is not out of scope."""
    r = s.report
    return (
        report_current(s, day)
        and r.opinion in ACCEPTABLE_OPINIONS
        and r.scope_covers_services != OUT_OF_SCOPE
    )


def certificate_unexpired(s: Snapshot, day: date) -> bool:
    """C is on file and `day` is no later than its effective expiry."""
    return s.certificate is not None and day <= s.effective_expiry


def certificate_valid(s: Snapshot, day: date) -> bool:
    """C is unexpired, active, accredited by a recognised body that is not its issuer, and
    not out of scope."""
    c = s.certificate
    return (
        certificate_unexpired(s, day)
        and c.certificate_status == "active"
        and s.recognised
        and not s.issuer_is_accreditor
        and c.scope_covers_services != OUT_OF_SCOPE
    )


def substitute_acceptable(report: SocReport, current_until: date, day: date) -> bool:
    """A SOC 1 or SOC 3 stands in only while current and with an acceptable opinion."""
    return day <= current_until and report.opinion in ACCEPTABLE_OPINIONS
