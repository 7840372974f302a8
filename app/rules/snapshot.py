"""What a vendor's file says once the evidence is fixed: the documents that count and their
key dates. Everything here is independent of the day the rules are evaluated on, so it is
computed once per evaluation (SPEC §4 "Which documents count" and "Definitions")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from app.rules.dates import add_months_or_none
from app.rules.facts import (
    BRIDGE_KIND,
    ISO_KIND,
    SOC_KINDS,
    BridgeLetter,
    IsoCertificate,
    SocReport,
    VendorCase,
    VendorFacts,
    Waiver,
)
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


def _report_key(r: SocReport) -> tuple[date, date, int]:
    return r.period_end, r.received_on, r.id


def _certificate_key(c: IsoCertificate) -> tuple[date, date, int]:
    return c.issued_on, c.received_on, c.id


def newest_report(reports: list[SocReport]) -> SocReport | None:
    """Latest period end; ties: later received, then higher id."""
    if len(reports) < 2:  # most files hold one of a kind, or none
        return reports[0] if reports else None
    return max(reports, key=_report_key)


def newest_certificate(certificates: list[IsoCertificate]) -> IsoCertificate | None:
    """Latest issue date; ties: later received, then higher id."""
    if len(certificates) < 2:
        return certificates[0] if certificates else None
    return max(certificates, key=_certificate_key)


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
    """The evidence that counts on `as_of`, by kind."""
    groups: dict[str, list] = {kind: [] for kind in (*SOC_KINDS, ISO_KIND, BRIDGE_KIND)}
    for item in case.evidence:
        if counts_on(item, as_of):
            groups[item.kind].append(item)
    return groups


def _report_dates(report: SocReport | None, letters: list[BridgeLetter], policy: Policy) -> tuple:
    """R's currency end, the day a letter is due, how far its letters vouch, the invalid ones."""
    if report is None:
        return None, None, (), ()
    mine = [letter for letter in letters if letter.soc2_report_id == report.id]
    covers = tuple(sorted(letter_covers(letter, policy) for letter in mine))
    return (
        currency_end(report, covers, policy),
        months_or_max(report.period_end, policy.bridge_after_months),
        covers,
        tuple(lt for lt in mine if not bridge_valid(lt, policy)),
    )


def _failed_type2(
    reports: list[SocReport], report: SocReport | None, current_until: date | None, p: Policy
) -> tuple:
    """T, the newest Type II among the reports R is chosen from, when its opinion failed;
    the day its currency ends and the last day it counts against the vendor."""
    # R is the newest of them: when it is a Type II, it is T.
    if report is not None and report.report_type == "type2":
        t = report
    else:
        t = newest_report([r for r in reports if r.report_type == "type2"])
    if t is None or t.opinion not in FAILED_OPINIONS:
        return None, None, None
    # T is R, or older than R: then R's own currency says nothing of T's.
    until = current_until if t is report else date.min
    return t, until, months_or_max(t.period_end, p.remediation_window_months)


def _certificate_dates(c: IsoCertificate | None, policy: Policy) -> tuple:
    """C's effective expiry, validity limit, last audit and the days surveillance is due."""
    if c is None:
        return None, None, None, None, None
    months = policy.iso_surveillance_months
    last_audit = max(c.issued_on, c.last_surveillance_on or c.issued_on)
    return (
        effective_expiry(c, policy),
        months_or_max(c.issued_on, policy.iso_max_validity_months),
        last_audit,
        months_or_max(last_audit, months),
        months_or_max(last_audit, 2 * months),
    )


def _current_until(report: SocReport | None, policy: Policy) -> date | None:
    return None if report is None else report_current_until(report, policy)


def take_snapshot(case: VendorCase, policy: Policy, *, as_of: date) -> Snapshot:
    """The documents that count on `as_of` and everything the rules derive from them."""
    groups, vendor = _partition(case, as_of), case.vendor
    reports = in_scope(groups["soc2_report"])
    report = newest_report(reports)
    certificate = newest_certificate(in_scope(groups[ISO_KIND]))
    currency, bridge_due, covers, invalid = _report_dates(report, groups[BRIDGE_KIND], policy)
    failed, failed_until, remediation_until = _failed_type2(reports, report, currency, policy)
    expiry, validity_limit, last_audit, due, high_due = _certificate_dates(certificate, policy)
    soc1, soc3 = newest_report(groups["soc1_report"]), newest_report(groups["soc3_report"])
    recognised = issuer_is_accreditor = False
    if certificate is not None:
        recognised = policy.accreditation.recognises(certificate.accreditation_body)
        issuer_is_accreditor = policy.accreditation.is_accreditor(certificate.certification_body)
    return Snapshot(
        policy=policy,
        vendor=vendor,
        requirement=requirement_of(vendor, policy),
        required_tsc=required_tsc_of(vendor, policy),
        continuous=vendor.tier in policy.continuous_coverage_tiers,
        report=report,
        currency_end=currency,
        bridge_due=bridge_due,
        letter_covers=covers,
        invalid_letters=invalid,
        failed_type2=failed,
        failed_type2_current_until=failed_until,
        remediation_until=remediation_until,
        certificate=certificate,
        effective_expiry=expiry,
        recognised=recognised,
        issuer_is_accreditor=issuer_is_accreditor,
        validity_limit=validity_limit,
        last_audit=last_audit,
        surveillance_due=due,
        surveillance_high_due=high_due,
        soc1=soc1,
        soc1_current_until=_current_until(soc1, policy),
        soc3=soc3,
        soc3_current_until=_current_until(soc3, policy),
        waivers=tuple(w for w in case.waivers if not w.revoked) if case.waivers else (),
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
