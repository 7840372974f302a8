"""The rules of SPEC §4 as small check functions over a snapshot on one day.

Each check yields findings at the severity SPEC gives for a relied-on document; `findings`
works out which documents the requirement rests on and lowers the flags about the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from app.rules.catalog import RULES_BY_CODE, SEVERITY_RANK
from app.rules.dates import spans_months
from app.rules.snapshot import (
    SENSITIVE_DATA,
    Snapshot,
    certificate_unexpired,
    certificate_valid,
    report_acceptable,
    report_current,
    substitute_acceptable,
)

SOC2_REQUIREMENTS = frozenset({"soc2", "soc2_type2"})
# Requirements that name a SOC 2 report, alone or beside an ISO certificate.
NAMES_SOC2 = SOC2_REQUIREMENTS | {"soc2_or_iso27001"}
OPINION_CODES = {
    "qualified": "SOC2_OPINION_QUALIFIED",
    "adverse": "SOC2_OPINION_ADVERSE",
    "disclaimer": "SOC2_OPINION_DISCLAIMER",
}
STATUS_CODES = {"suspended": "ISO_SUSPENDED", "withdrawn": "ISO_WITHDRAWN"}
SCOPE_SEVERITY = {"no": "block", "partly": "high"}
# Memoised: a hundred thousand reports share a few thousand periods.
_spans_months = lru_cache(maxsize=1 << 14)(spans_months)


class Finding(NamedTuple):
    """A named tuple: dozens are made per file evaluated, three times faster than a dataclass."""

    code: str
    severity: str
    evidence_id: int | None
    facts: Mapping[str, object] = MappingProxyType({})  # what its message is built from
    waivable: bool = True  # False: no waiver of its own code covers it (SPEC §3, §4)


def _found(code: str, evidence_id: int | None, severity: str | None = None, **facts) -> Finding:
    """A finding at `severity`, by default the catalogue's (relied-on) severity for `code`."""
    return Finding(code, severity or RULES_BY_CODE[code].severity, evidence_id, facts)


def _warning_severity(s: Snapshot, days_left: int) -> str | None:
    if not 0 <= days_left <= s.policy.expiry_warning_days:
        return None
    return "medium" if days_left <= s.policy.expiry_urgent_days else "info"


def _worst(*severities: str) -> str:
    return min(severities, key=SEVERITY_RANK.__getitem__)


def _mildest(*severities: str) -> str:
    return max(severities, key=SEVERITY_RANK.__getitem__)


# --- requirement and vendor rules -------------------------------------------------------------


def _missing(s: Snapshot) -> Finding:
    return _found("EVIDENCE_MISSING", None, requirement=s.requirement)


def _substitute(s: Snapshot, code: str, document, acceptable: bool, floor: str) -> Finding:
    """At the tier's substitute severity while acceptable, else block and not waivable."""
    severity = s.policy.tiers[s.vendor.tier].substitute_severity if acceptable else "block"
    facts = {"requirement": s.requirement}
    facts["certificate" if code == "ISO_IN_PLACE_OF_SOC2" else "report"] = document
    return Finding(code, _worst(severity, floor), document.id, facts, acceptable)


def _substitutes(s: Snapshot, day: date, *, with_iso: bool) -> Iterator[Finding]:
    if with_iso and s.certificate is not None:
        ok = certificate_valid(s, day)
        yield _substitute(s, "ISO_IN_PLACE_OF_SOC2", s.certificate, ok, "medium")
    if s.soc3 is not None:
        ok = substitute_acceptable(s.soc3, s.soc3_current_until, day)
        yield _substitute(s, "SOC3_IN_PLACE_OF_SOC2", s.soc3, ok, "medium")
    if s.soc1 is not None:
        # A SOC 1 covers financial reporting, not security: never below high.
        ok = substitute_acceptable(s.soc1, s.soc1_current_until, day)
        yield _substitute(s, "SOC1_IN_PLACE_OF_SOC2", s.soc1, ok, "high")


def _substitutes_or_missing(s: Snapshot, day: date, *, with_iso: bool) -> Iterator[Finding]:
    found = list(_substitutes(s, day, with_iso=with_iso))
    yield from found or [_missing(s)]


def _iso_requirement(s: Snapshot, day: date) -> Iterator[Finding]:
    if report_acceptable(s, day):
        yield _found("SOC2_IN_PLACE_OF_ISO", s.report.id, report=s.report)
    else:
        yield _missing(s)


def _type1_only(s: Snapshot, report_relied: bool) -> Iterator[Finding]:
    r = s.report
    if r is None or r.report_type != "type1":
        return
    if s.requirement == "soc2_type2":
        yield _found("SOC2_TYPE1_ONLY", r.id, "high", report=r, accepted=False)
    elif s.requirement == "soc2" or (s.requirement == "soc2_or_iso27001" and report_relied):
        yield _found("SOC2_TYPE1_ONLY", r.id, "medium", report=r, accepted=True)


def requirement_findings(s: Snapshot, day: date, *, report_relied: bool) -> Iterator[Finding]:
    """What stands in for the required evidence when it is missing."""
    wanted, r, c = s.requirement, s.report, s.certificate
    if wanted in SOC2_REQUIREMENTS and r is None:
        yield from _substitutes_or_missing(s, day, with_iso=True)
    elif wanted == "soc2_or_iso27001" and r is None and c is None:
        yield from _substitutes_or_missing(s, day, with_iso=False)
    elif wanted == "iso27001" and c is None:
        yield from _iso_requirement(s, day)
    yield from _type1_only(s, report_relied)


def vendor_findings(s: Snapshot) -> Iterator[Finding]:
    """Rules about the vendor itself, whatever it sent."""
    v = s.vendor
    if v.tier == "low" and v.data_access in SENSITIVE_DATA:
        yield _found("TIER_BELOW_DATA_ACCESS", None, data_access=v.data_access)


# --- SOC 2 report rules (on R) ---------------------------------------------------------------


def _stale(s: Snapshot, day: date) -> Iterator[Finding]:
    if day > s.currency_end:
        yield _found("SOC2_STALE", s.report.id, report=s.report, currency_end=s.currency_end)


def _going_stale(s: Snapshot, day: date) -> Iterator[Finding]:
    days_left = (s.currency_end - day).days
    severity = _warning_severity(s, days_left)
    if severity:
        r = s.report
        yield _found("SOC2_GOING_STALE", r.id, severity, report=r, currency_end=s.currency_end)


def _opinion(s: Snapshot, day: date) -> Iterator[Finding]:
    code = OPINION_CODES.get(s.report.opinion)
    if code:
        yield _found(code, s.report.id, report=s.report)


def _period_too_short(s: Snapshot, day: date) -> Iterator[Finding]:
    r, p = s.report, s.policy
    if r.report_type == "type1" or r.period_start is None:
        return
    for months, severity in ((p.min_type2_high_months, "high"), (p.min_type2_months, "medium")):
        if not _spans_months(r.period_start, r.period_end, months):
            facts = {"report": r, "months": months, "min_months": p.min_type2_months}
            yield _found("SOC2_PERIOD_TOO_SHORT", r.id, severity, **facts)
            return


def _tsc_missing(s: Snapshot, day: date) -> Iterator[Finding]:
    missing = tuple(t for t in s.required_tsc if t not in s.report.tsc)
    if missing:
        yield _found("SOC2_TSC_MISSING", s.report.id, report=s.report, missing=missing)


def _exceptions_noted(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.report.exceptions_noted > 0:
        yield _found("SOC2_EXCEPTIONS_NOTED", s.report.id, report=s.report)


def _cuecs(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.report.cuecs:
        yield _found("SOC2_CUECS", s.report.id, report=s.report)


def _carved_out(s: Snapshot, day: date) -> Iterator[Finding]:
    severity = "medium" if s.vendor.tier in s.policy.subservice_report_tiers else "info"
    r = s.report
    for org in r.subservice_orgs:
        if org.method == "carve_out":
            facts = {"report": r, "organisation": org.name}
            yield _found("SOC2_SUBSERVICE_CARVED_OUT", r.id, severity, **facts)


def _bridge_letter_needed(s: Snapshot, day: date) -> Iterator[Finding]:
    if not s.continuous or not s.bridge_due < day <= s.currency_end:
        return
    if not any(covers >= day for covers in s.letter_covers):
        months = s.policy.bridge_after_months
        yield _found("SOC2_BRIDGE_LETTER_NEEDED", s.report.id, report=s.report, months=months)


def _bridge_letter_invalid(s: Snapshot, day: date) -> Iterator[Finding]:
    for letter in s.invalid_letters:
        months = s.policy.bridge_max_months
        yield _found("BRIDGE_LETTER_INVALID", letter.id, letter=letter, months=months)


def _scope_not_covered(document, kind: str) -> Iterator[Finding]:
    severity = SCOPE_SEVERITY.get(document.scope_covers_services)
    if severity:
        facts = {kind: document, "judgement": document.scope_covers_services}
        yield _found("SCOPE_NOT_COVERED", document.id, severity, **facts)


def _report_scope(s: Snapshot, day: date) -> Iterator[Finding]:
    return _scope_not_covered(s.report, "report")


def scope_unconfirmed(s: Snapshot, document, kind: str) -> Iterator[Finding]:
    """A relied-on document whose scope nobody has judged yet."""
    if document.scope_covers_services is not None:
        return
    tier, p = s.vendor.tier, s.policy
    if tier in p.scope_required_tiers:
        severity = "high"
    else:
        severity = "medium" if tier in p.scope_confirmation_tiers else "info"
    yield _found("SCOPE_UNCONFIRMED", document.id, severity, **{kind: document})


REPORT_CHECKS = (
    _stale,
    _going_stale,
    _opinion,
    _period_too_short,
    _tsc_missing,
    _exceptions_noted,
    _cuecs,
    _carved_out,
    _bridge_letter_needed,
    _bridge_letter_invalid,
    _report_scope,
)


def remediation_findings(s: Snapshot, day: date) -> Iterator[Finding]:
    """A failed Type II not yet followed by a newer Type II (SPEC §4 v2): about T."""
    t = s.failed_type2
    if t is None or s.requirement not in NAMES_SOC2:
        return
    if s.failed_type2_current_until < day <= s.remediation_until:
        facts = {"report": t, "until": s.remediation_until, "newer": s.report is not t}
        yield _found("SOC2_REMEDIATION_UNPROVEN", t.id, **facts)


# --- ISO/IEC 27001 certificate rules (on C) --------------------------------------------------


def _after_sunset(s: Snapshot, day: date) -> bool:
    return str(s.certificate.standard_version) == "2013" and day > s.policy.iso_2013_sunset


def _expired(s: Snapshot, day: date) -> Iterator[Finding]:
    c = s.certificate
    # After the sunset a 2013-edition certificate gets ISO_2013_VERSION only.
    if day > c.expires_on and not _after_sunset(s, day):
        yield _found("ISO_EXPIRED", c.id, certificate=c)


def _version_2013(s: Snapshot, day: date) -> Iterator[Finding]:
    if _after_sunset(s, day):
        c = s.certificate
        yield _found("ISO_2013_VERSION", c.id, certificate=c, sunset=s.policy.iso_2013_sunset)


def _expiring(s: Snapshot, day: date) -> Iterator[Finding]:
    severity = _warning_severity(s, (s.effective_expiry - day).days)
    if severity:
        facts = {"certificate": s.certificate, "effective_expiry": s.effective_expiry}
        yield _found("ISO_EXPIRING", s.certificate.id, severity, **facts)


def _unaccredited(s: Snapshot, day: date) -> Iterator[Finding]:
    if not s.recognised:
        yield _found("ISO_UNACCREDITED", s.certificate.id, certificate=s.certificate)


def _issuer_is_accreditor(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.issuer_is_accreditor:
        yield _found("ISO_ISSUER_IS_ACCREDITOR", s.certificate.id, certificate=s.certificate)


def _status(s: Snapshot, day: date) -> Iterator[Finding]:
    code = STATUS_CODES.get(s.certificate.certificate_status)
    if code:
        yield _found(code, s.certificate.id, certificate=s.certificate)


def _validity_too_long(s: Snapshot, day: date) -> Iterator[Finding]:
    c = s.certificate
    if c.expires_on > s.validity_limit:
        months = s.policy.iso_max_validity_months
        yield _found("ISO_VALIDITY_TOO_LONG", c.id, certificate=c, months=months)


def _surveillance_overdue(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.surveillance_due < day <= s.effective_expiry:
        severity = "high" if day > s.surveillance_high_due else "medium"
        c = s.certificate
        facts = {"certificate": c, "last_audit": s.last_audit, "due": s.surveillance_due}
        yield _found("ISO_SURVEILLANCE_OVERDUE", c.id, severity, **facts)


def _certificate_scope(s: Snapshot, day: date) -> Iterator[Finding]:
    return _scope_not_covered(s.certificate, "certificate")


CERTIFICATE_CHECKS = (
    _expired,
    _version_2013,
    _expiring,
    _unaccredited,
    _issuer_is_accreditor,
    _status,
    _validity_too_long,
    _surveillance_overdue,
    _certificate_scope,
)


# --- which documents the requirement rests on, and how the others' flags are seen ------------


def _unrelied_severity(f: Finding, s: Snapshot, day: date) -> str:
    """A finding keeps its severity while its document counts; any other flag is info."""
    code = f.code
    if code in ("SOC2_OPINION_ADVERSE", "SOC2_OPINION_DISCLAIMER"):
        return f.severity if report_current(s, day) else "info"
    if code == "SOC2_OPINION_QUALIFIED":
        named = s.requirement in NAMES_SOC2
        return f.severity if named and report_current(s, day) else "info"
    if code in ("ISO_SUSPENDED", "ISO_ISSUER_IS_ACCREDITOR"):
        return f.severity if certificate_unexpired(s, day) else "info"
    if code == "ISO_WITHDRAWN":  # not a finding: often the holder's request, so ask why
        return "high" if certificate_unexpired(s, day) else "info"
    return "info"


def _as_seen(found: Iterable[Finding], s: Snapshot, day: date, *, relied: bool) -> list[Finding]:
    """The findings about a document, lowered when the requirement does not rest on it."""
    if relied:
        return list(found)
    cap = "high" if s.requirement == "none" else "block"  # a question, not a verdict
    return [f._replace(severity=_mildest(_unrelied_severity(f, s, day), cap)) for f in found]


def findings_relying_on(s: Snapshot, day: date, report: bool, certificate: bool) -> list[Finding]:
    """Every finding on `day` when the requirement rests on R and/or C as given."""
    found = [*requirement_findings(s, day, report_relied=report), *vendor_findings(s)]
    if s.report is not None:
        checks = (f for check in REPORT_CHECKS for f in check(s, day))
        found += _as_seen(checks, s, day, relied=report)
        if report:
            found += scope_unconfirmed(s, s.report, "report")
    if s.certificate is not None:
        checks = (f for check in CERTIFICATE_CHECKS for f in check(s, day))
        found += _as_seen(checks, s, day, relied=certificate)
        if certificate:
            found += scope_unconfirmed(s, s.certificate, "certificate")
    found += remediation_findings(s, day)
    return found


def status_before_waivers(found: Iterable[Finding]) -> int:
    """0 approved, 1 conditional, 2 blocked."""
    severities = {f.severity for f in found}
    return 2 if "block" in severities else int("high" in severities)


def _either_or(s: Snapshot, day: date) -> tuple[bool, bool]:
    report_ok, certificate_ok = report_acceptable(s, day), certificate_valid(s, day)
    if not (report_ok and certificate_ok):
        return (report_ok, certificate_ok) if report_ok or certificate_ok else (True, True)
    # Both hold: the one giving the better status, then the one that holds longer (R on a tie).
    on_report = status_before_waivers(findings_relying_on(s, day, True, False))
    on_certificate = status_before_waivers(findings_relying_on(s, day, False, True))
    if on_report != on_certificate:
        return on_report < on_certificate, on_certificate < on_report
    report_longer = s.currency_end >= s.effective_expiry
    return report_longer, not report_longer


def relied_on(s: Snapshot, day: date) -> tuple[bool, bool]:
    """Whether the requirement rests on (R, C) on `day` (SPEC §4 "Relied on")."""
    if s.requirement in SOC2_REQUIREMENTS:
        return True, False
    if s.requirement == "iso27001":
        return False, True
    if s.requirement == "soc2_or_iso27001":
        return _either_or(s, day)
    return False, False


def findings(s: Snapshot, day: date) -> list[Finding]:
    """Every finding on `day`, waivers not yet applied."""
    if s.vendor.lifecycle == "archived":
        return [Finding("VENDOR_ARCHIVED", "block", None, MappingProxyType({}), False)]
    return findings_relying_on(s, day, *relied_on(s, day))
