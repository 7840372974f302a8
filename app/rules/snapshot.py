"""What a vendor's file says once the evidence is fixed: the documents that count and their
key dates. Everything here is independent of the day the rules are evaluated on, so it is
computed once per evaluation (SPEC §4 "Which documents count" and "Definitions")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple, TypeVar

from app.rules.accreditation import AccreditationRegistry
from app.rules.dates import add_months_or_none
from app.rules.facts import BridgeLetter, IsoCertificate, SocReport, VendorCase, VendorFacts, Waiver
from app.rules.policy import REQUIREMENTS, Policy

ACCEPTABLE_OPINIONS = frozenset({"unqualified", "qualified"})
SENSITIVE_DATA = frozenset({"confidential", "personal"})
T = TypeVar("T")


class Snapshot(NamedTuple):
    """Immutable like the facts; a named tuple, made in a third of a frozen dataclass's time."""

    policy: Policy
    requirement: str
    required_tsc: tuple[str, ...]
    continuous: bool
    report: SocReport | None  # R
    currency_end: date | None
    bridge_due: date | None  # after this day a continuous-coverage vendor needs a letter
    valid_covers: tuple[date, ...]  # covers_until of R's valid bridge letters
    invalid_letters: tuple[BridgeLetter, ...]  # R's letters that vouch too far: they cover nothing
    certificate: IsoCertificate | None  # C
    effective_expiry: date | None
    recognised: bool
    validity_limit: date | None
    last_audit: date | None
    surveillance_due: date | None
    soc1: SocReport | None
    soc3: SocReport | None
    waivers: tuple[Waiver, ...]  # revoked ones left out: a revocation applies to every date


@lru_cache(maxsize=1 << 14)
def _months_or_max(d: date, n: int) -> date:
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
    return _months_or_max(letter.signed_on, policy.bridge_max_months)


def bridge_valid(letter: BridgeLetter, policy: Policy) -> bool:
    """A letter vouching for more than `bridge_max_months` after its signing covers nothing."""
    return letter.covers_until <= bridge_limit(letter, policy)


def currency_end(report: SocReport, valid_covers: Iterable[date], policy: Policy) -> date:
    """12 months after the period, or a valid bridge letter's end, never past 15 months."""
    base = _months_or_max(report.period_end, policy.soc2_max_age_months)
    cap = _months_or_max(report.period_end, policy.soc2_max_age_months + policy.bridge_max_months)
    return min(max((base, *valid_covers)), cap)


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
        if not item.retracted and item.received_on <= as_of and item.kind in groups:  # counts_on
            groups[item.kind].append(item)
    return groups


def _newest(items: list[T], newest: Callable[[list[T]], T | None]) -> T | None:
    if len(items) < 2:  # most files hold one of a kind, or none
        return items[0] if items else None
    return newest(items)


# (id(registry), body) → (registry, recognised): a hundred thousand certificates name a
# few dozen bodies, and matching a name folds it (microseconds each).
_RECOGNISED: dict[tuple[int, str | None], tuple[AccreditationRegistry, bool]] = {}


def _recognised(registry: AccreditationRegistry, body: str | None) -> bool:
    hit = _RECOGNISED.get((id(registry), body))
    if hit is None or hit[0] is not registry:
        if len(_RECOGNISED) >= 4096:
            _RECOGNISED.clear()
        hit = _RECOGNISED[id(registry), body] = (registry, registry.recognises(body))
    return hit[1]


def _report_fields(report: SocReport | None, letters: list[BridgeLetter], policy: Policy) -> dict:
    if report is None:
        return {"currency_end": None, "bridge_due": None, "valid_covers": (), "invalid_letters": ()}
    mine = [letter for letter in letters if letter.soc2_report_id == report.id] if letters else ()
    valid = tuple(sorted(lt.covers_until for lt in mine if bridge_valid(lt, policy)))
    return {
        "currency_end": currency_end(report, valid, policy),
        "bridge_due": _months_or_max(report.period_end, policy.bridge_after_months),
        "valid_covers": valid,
        "invalid_letters": tuple(lt for lt in mine if not bridge_valid(lt, policy)),
    }


def _certificate_fields(certificate: IsoCertificate | None, policy: Policy) -> dict:
    if certificate is None:
        return {
            "effective_expiry": None,
            "recognised": False,
            "validity_limit": None,
            "last_audit": None,
            "surveillance_due": None,
        }
    last_audit = certificate.last_surveillance_on or certificate.issued_on
    return {
        "effective_expiry": effective_expiry(certificate, policy),
        "recognised": _recognised(policy.accreditation, certificate.accreditation_body),
        "validity_limit": _months_or_max(certificate.issued_on, policy.iso_max_validity_months),
        "last_audit": last_audit,
        "surveillance_due": _months_or_max(last_audit, policy.iso_surveillance_months),
    }


def take_snapshot(case: VendorCase, policy: Policy, *, as_of: date) -> Snapshot:
    """The documents that count on `as_of` and everything the rules derive from them."""
    groups = _partition(case, as_of)
    report = _newest(groups["soc2_report"], newest_report)
    certificate = _newest(groups["iso27001_certificate"], newest_certificate)
    return Snapshot(
        policy=policy,
        requirement=requirement_of(case.vendor, policy),
        required_tsc=required_tsc_of(case.vendor, policy),
        continuous=case.vendor.tier in policy.continuous_coverage_tiers,
        report=report,
        certificate=certificate,
        soc1=_newest(groups["soc1_report"], newest_report),
        soc3=_newest(groups["soc3_report"], newest_report),
        waivers=tuple(w for w in case.waivers if not w.revoked),
        **_report_fields(report, groups["bridge_letter"], policy),
        **_certificate_fields(certificate, policy),
    )


def report_acceptable(s: Snapshot, day: date) -> bool:
    """R is current on `day` and its opinion is unqualified or qualified."""
    r = s.report
    return r is not None and day <= s.currency_end and r.opinion in ACCEPTABLE_OPINIONS


def certificate_valid(s: Snapshot, day: date) -> bool:
    """C is unexpired on `day`, active, and from a recognised accreditation body."""
    c = s.certificate
    if c is None or not s.recognised or c.certificate_status != "active":
        return False
    return day <= s.effective_expiry
