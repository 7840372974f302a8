"""The rules of SPEC §4 as small check functions over a snapshot on one day.

Each check yields findings at the severity SPEC gives for a relied-on document; `findings`
lowers those of a document the requirement does not rest on to `info`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.rules.dates import spans_months
from app.rules.snapshot import Snapshot, certificate_valid, report_acceptable

SOC2_REQUIREMENTS = frozenset({"soc2", "soc2_type2"})
OPINION_CODES = {
    "qualified": ("SOC2_OPINION_QUALIFIED", "high"),
    "adverse": ("SOC2_OPINION_ADVERSE", "block"),
    "disclaimer": ("SOC2_OPINION_DISCLAIMER", "block"),
}
STATUS_CODES = {"suspended": "ISO_SUSPENDED", "withdrawn": "ISO_WITHDRAWN"}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    evidence_id: int | None
    facts: Mapping[str, object] = field(default_factory=dict)  # what its message is built from


Check = Callable[[Snapshot, date], Iterator[Finding]]


def _warning_severity(s: Snapshot, days_left: int) -> str | None:
    if not 0 <= days_left <= s.policy.expiry_warning_days:
        return None
    return "medium" if days_left <= s.policy.expiry_urgent_days else "info"


# --- requirement rules ------------------------------------------------------------------------


def _substitutes(s: Snapshot, *, with_iso: bool) -> Iterator[Finding]:
    wanted = {"requirement": s.requirement}
    if with_iso and s.certificate is not None:
        yield Finding(
            "ISO_IN_PLACE_OF_SOC2",
            "block",
            s.certificate.id,
            {"certificate": s.certificate, **wanted},
        )
    if s.soc3 is not None:
        yield Finding("SOC3_IN_PLACE_OF_SOC2", "block", s.soc3.id, {"report": s.soc3, **wanted})
    if s.soc1 is not None:
        yield Finding("SOC1_IN_PLACE_OF_SOC2", "block", s.soc1.id, {"report": s.soc1, **wanted})


def _substitutes_or_missing(s: Snapshot, *, with_iso: bool) -> Iterator[Finding]:
    found = list(_substitutes(s, with_iso=with_iso))
    yield from found or [Finding("EVIDENCE_MISSING", "block", None, {"requirement": s.requirement})]


def _iso_requirement(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.certificate is not None:
        return
    if report_acceptable(s, day):
        yield Finding("SOC2_IN_PLACE_OF_ISO", "high", s.report.id, {"report": s.report})
    else:
        yield Finding("EVIDENCE_MISSING", "block", None, {"requirement": s.requirement})


def requirement_findings(s: Snapshot, day: date) -> Iterator[Finding]:
    """What stands in for the required evidence when it is missing; severities are fixed."""
    r = s.report
    if s.requirement in SOC2_REQUIREMENTS and r is None:
        yield from _substitutes_or_missing(s, with_iso=True)
    elif s.requirement == "soc2_type2" and r.report_type == "type1":
        yield Finding("SOC2_TYPE1_ONLY", "high", r.id, {"report": r})
    elif s.requirement == "soc2_or_iso27001" and r is None and s.certificate is None:
        yield from _substitutes_or_missing(s, with_iso=False)
    elif s.requirement == "iso27001":
        yield from _iso_requirement(s, day)


# --- SOC 2 report rules (on R) ---------------------------------------------------------------


def _stale(s: Snapshot, day: date) -> Iterator[Finding]:
    if day > s.currency_end:
        yield Finding(
            "SOC2_STALE", "block", s.report.id, {"report": s.report, "currency_end": s.currency_end}
        )


def _going_stale(s: Snapshot, day: date) -> Iterator[Finding]:
    days_left = (s.currency_end - day).days
    severity = _warning_severity(s, days_left)
    if severity:
        facts = {"report": s.report, "currency_end": s.currency_end, "days_left": days_left}
        yield Finding("SOC2_GOING_STALE", severity, s.report.id, facts)


def _opinion(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.report.opinion in OPINION_CODES:
        code, severity = OPINION_CODES[s.report.opinion]
        yield Finding(code, severity, s.report.id, {"report": s.report})


def _period_too_short(s: Snapshot, day: date) -> Iterator[Finding]:
    r, p = s.report, s.policy
    if r.report_type == "type1" or r.period_start is None:
        return
    for months, severity in ((p.min_type2_high_months, "high"), (p.min_type2_months, "medium")):
        if not spans_months(r.period_start, r.period_end, months):
            facts = {"report": r, "months": months, "min_months": p.min_type2_months}
            yield Finding("SOC2_PERIOD_TOO_SHORT", severity, r.id, facts)
            return


def _tsc_missing(s: Snapshot, day: date) -> Iterator[Finding]:
    missing = tuple(t for t in s.required_tsc if t not in s.report.tsc)
    if missing:
        yield Finding(
            "SOC2_TSC_MISSING", "high", s.report.id, {"report": s.report, "missing": missing}
        )


def _exceptions_noted(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.report.exceptions_noted > 0:
        yield Finding("SOC2_EXCEPTIONS_NOTED", "medium", s.report.id, {"report": s.report})


def _cuecs(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.report.cuecs:
        yield Finding("SOC2_CUECS", "info", s.report.id, {"report": s.report})


def _carved_out(s: Snapshot, day: date) -> Iterator[Finding]:
    for org in s.report.subservice_orgs:
        if org.method == "carve_out":
            facts = {"report": s.report, "organisation": org.name}
            yield Finding("SOC2_SUBSERVICE_CARVED_OUT", "info", s.report.id, facts)


def _bridge_letter_needed(s: Snapshot, day: date) -> Iterator[Finding]:
    if not s.continuous or not s.bridge_due < day <= s.currency_end:
        return
    if not any(covers >= day for covers in s.valid_covers):
        facts = {"report": s.report, "months": s.policy.bridge_after_months}
        yield Finding("SOC2_BRIDGE_LETTER_NEEDED", "medium", s.report.id, facts)


def _bridge_letter_invalid(s: Snapshot, day: date) -> Iterator[Finding]:
    for letter in s.invalid_letters:
        facts = {"letter": letter, "months": s.policy.bridge_max_months}
        yield Finding("BRIDGE_LETTER_INVALID", "medium", letter.id, facts)


REPORT_CHECKS: tuple[Check, ...] = (
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
)


# --- ISO/IEC 27001 certificate rules (on C) --------------------------------------------------


def _after_sunset(s: Snapshot, day: date) -> bool:
    return str(s.certificate.standard_version) == "2013" and day > s.policy.iso_2013_sunset


def _expired(s: Snapshot, day: date) -> Iterator[Finding]:
    c = s.certificate
    if day > c.expires_on and not _after_sunset(s, day):
        yield Finding("ISO_EXPIRED", "block", c.id, {"certificate": c})


def _version_2013(s: Snapshot, day: date) -> Iterator[Finding]:
    if _after_sunset(s, day):
        facts = {"certificate": s.certificate, "sunset": s.policy.iso_2013_sunset}
        yield Finding("ISO_2013_VERSION", "block", s.certificate.id, facts)


def _expiring(s: Snapshot, day: date) -> Iterator[Finding]:
    days_left = (s.effective_expiry - day).days
    severity = _warning_severity(s, days_left)
    if severity:
        facts = {
            "certificate": s.certificate,
            "effective_expiry": s.effective_expiry,
            "days_left": days_left,
        }
        yield Finding("ISO_EXPIRING", severity, s.certificate.id, facts)


def _unaccredited(s: Snapshot, day: date) -> Iterator[Finding]:
    if not s.recognised:
        yield Finding("ISO_UNACCREDITED", "block", s.certificate.id, {"certificate": s.certificate})


def _status(s: Snapshot, day: date) -> Iterator[Finding]:
    code = STATUS_CODES.get(s.certificate.certificate_status)
    if code:
        yield Finding(code, "block", s.certificate.id, {"certificate": s.certificate})


def _validity_too_long(s: Snapshot, day: date) -> Iterator[Finding]:
    c = s.certificate
    if c.expires_on > s.validity_limit:
        facts = {"certificate": c, "months": s.policy.iso_max_validity_months}
        yield Finding("ISO_VALIDITY_TOO_LONG", "medium", c.id, facts)


def _surveillance_overdue(s: Snapshot, day: date) -> Iterator[Finding]:
    if s.surveillance_due < day <= s.effective_expiry:
        facts = {
            "certificate": s.certificate,
            "last_audit": s.last_audit,
            "due": s.surveillance_due,
        }
        yield Finding("ISO_SURVEILLANCE_OVERDUE", "medium", s.certificate.id, facts)


CERTIFICATE_CHECKS: tuple[Check, ...] = (
    _expired,
    _version_2013,
    _expiring,
    _unaccredited,
    _status,
    _validity_too_long,
    _surveillance_overdue,
)


# --- putting them together -------------------------------------------------------------------


def relied_on(s: Snapshot, day: date) -> tuple[bool, bool]:
    """Whether the requirement rests on (R, C) on `day` (SPEC §4 "Relied on")."""
    if s.requirement in SOC2_REQUIREMENTS:
        return True, False
    if s.requirement == "iso27001":
        return False, True
    if s.requirement != "soc2_or_iso27001":
        return False, False
    report_ok, certificate_ok = report_acceptable(s, day), certificate_valid(s, day)
    if report_ok and certificate_ok:
        report_longer = s.currency_end >= s.effective_expiry
        return report_longer, not report_longer
    if report_ok or certificate_ok:
        return report_ok, certificate_ok
    return True, True


def _run(checks: tuple[Check, ...], s: Snapshot, day: date, *, relied: bool) -> Iterator[Finding]:
    for check in checks:
        for finding in check(s, day):
            if relied or finding.severity == "info":
                yield finding
            else:
                yield Finding(finding.code, "info", finding.evidence_id, finding.facts)


def findings(s: Snapshot, day: date) -> list[Finding]:
    """Every finding on `day`, waivers not yet applied."""
    report_relied, certificate_relied = relied_on(s, day)
    found = list(requirement_findings(s, day))
    if s.report is not None:
        found.extend(_run(REPORT_CHECKS, s, day, relied=report_relied))
    if s.certificate is not None:
        found.extend(_run(CERTIFICATE_CHECKS, s, day, relied=certificate_relied))
    return found
