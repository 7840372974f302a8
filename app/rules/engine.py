"""evaluate(): a vendor's case, the policy and a day in → status, flags, next review out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from app.rules.catalog import SEVERITY_RANK, message
from app.rules.checks import (
    DATED_CERTIFICATE_CHECKS,
    DATED_REPORT_CHECKS,
    Finding,
    Undated,
    dated_findings,
    findings,
    relied_on,
    requirement_findings,
    undated_findings,
)
from app.rules.dates import add_days_or_none
from app.rules.facts import IsoCertificate, SocReport, VendorCase, Waiver
from app.rules.policy import Policy
from app.rules.snapshot import Snapshot, take_snapshot

Signature = tuple[tuple[str, str, bool], ...]
Key = tuple[str, str]  # a finding's code and severity


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    severity: str
    message: str
    evidence_id: int | None
    waived: bool = False
    waiver_id: int | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    status: str  # approved | conditional | blocked
    requirement: str
    flags: tuple[Flag, ...]
    next_review_on: date | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """The documents the vendor's file rests on, with the day each stops counting."""

    report: SocReport | None
    report_currency_end: date | None
    certificate: IsoCertificate | None
    certificate_effective_expiry: date | None


def waiver_for(code: str, waivers: Iterable[Waiver], day: date) -> Waiver | None:
    """The waiver covering `code` on `day`: of those that count, the one ending last."""
    counting = (w for w in waivers if w.code == code and w.granted_on <= day <= w.expires_on)
    return max(counting, key=lambda w: (w.expires_on, w.id), default=None)


def _flag(finding: Finding, waiver: Waiver | None) -> Flag:
    return Flag(
        code=finding.code,
        severity=finding.severity,
        message=message(finding.code, **finding.facts),
        evidence_id=finding.evidence_id,
        waived=waiver is not None,
        waiver_id=waiver.id if waiver else None,
    )


def _sort_key(flag: Flag) -> tuple[int, str, int]:
    evidence_id = -1 if flag.evidence_id is None else flag.evidence_id
    return SEVERITY_RANK[flag.severity], flag.code, evidence_id


def status_of(flags: Iterable[Flag]) -> str:
    """blocked on an unwaived block flag, conditional on an unwaived high one, else approved."""
    counted = {f.severity for f in flags if not f.waived}
    if "block" in counted:
        return "blocked"
    return "conditional" if "high" in counted else "approved"


def _keys(found: Iterable[Finding]) -> tuple[Key, ...]:
    return tuple((f.code, f.severity) for f in found)


def _as_relied(keys: tuple[Key, ...], relied: bool) -> tuple[Key, ...]:
    """The severities `findings` gives: all `info` about a document not relied on."""
    return keys if relied else tuple((code, "info") for code, _ in keys)


def _day_keys(s: Snapshot, day: date, undated: tuple[tuple[Key, ...], ...]) -> list[Key]:
    """(code, severity) of every finding on `day`, as `findings` gives them, in less time."""
    report_relied, certificate_relied = relied_on(s, day)
    keys = [(f.code, f.severity) for f in requirement_findings(s, day)]
    if s.report is not None:
        dated = _keys(dated_findings(DATED_REPORT_CHECKS, s, day))
        keys += _as_relied(undated[0] + dated, report_relied)
    if s.certificate is not None:
        dated = _keys(dated_findings(DATED_CERTIFICATE_CHECKS, s, day))
        keys += _as_relied(undated[1] + dated, certificate_relied)
    return keys


def _signature(s: Snapshot, day: date, keys: Iterable[Key]) -> Signature:
    waived_codes = {w.code for w in s.waivers if w.granted_on <= day <= w.expires_on}
    return tuple(sorted((code, severity, code in waived_codes) for code, severity in keys))


@lru_cache(maxsize=64)
def _window(days: int) -> tuple[date, date, timedelta] | None:
    """The anchors that `days` keeps on the calendar (low..high), and the shift itself."""
    low = add_days_or_none(date.min, -days) if days < 0 else date.min
    high = add_days_or_none(date.max, -days) if days > 0 else date.max
    return None if low is None or high is None else (low, high, timedelta(days=days))


def _shifted(days: int, anchors: Iterable[date | None]) -> list[date]:
    """The anchors moved by `days`, those moved off the calendar left out."""
    if (window := _window(days)) is None:
        return []
    low, high, delta = window
    return [a + delta for a in anchors if a is not None and low <= a <= high]


def change_dates(s: Snapshot) -> list[date]:
    """Every day on which some rule's outcome may change; between them nothing does."""
    p = s.policy
    ends = (s.currency_end, s.effective_expiry)
    expires_on = s.certificate.expires_on if s.certificate else None
    sunset = p.iso_2013_sunset if s.certificate else None
    day_after = (*ends, s.bridge_due, *s.valid_covers, expires_on, s.surveillance_due, sunset)
    candidates = {
        *_shifted(1, (*day_after, *(w.expires_on for w in s.waivers))),
        *_shifted(-p.expiry_warning_days, ends),
        *_shifted(-p.expiry_urgent_days, ends),
        *(w.granted_on for w in s.waivers),
    }
    return sorted(candidates)


def next_review(
    s: Snapshot,
    *,
    as_of: date,
    undated: Undated | None = None,
    found: list[Finding] | None = None,
) -> date | None:
    """The first day after `as_of` whose flags (code, severity, waived) differ, if any.

    Only the change dates are tried, and on each only the checks that read the day run
    again; `undated` and `found` (the findings on `as_of`): when the caller has them.
    """
    later = [day for day in change_dates(s) if day > as_of]
    if not later:
        return None
    undated = undated or undated_findings(s)
    fixed = (_keys(undated.report), _keys(undated.certificate))
    today = _signature(s, as_of, _day_keys(s, as_of, fixed) if found is None else _keys(found))
    for day in later:
        if _signature(s, day, _day_keys(s, day, fixed)) != today:
            return day
    return None


def assessment_of(s: Snapshot, as_of: date) -> Assessment:
    """The assessment on `as_of` of a snapshot taken on it."""
    undated = undated_findings(s)
    found = findings(s, as_of, undated)
    waivers = s.waivers
    flags = [_flag(f, waiver_for(f.code, waivers, as_of) if waivers else None) for f in found]
    flags.sort(key=_sort_key)
    return Assessment(
        status=status_of(flags),
        requirement=s.requirement,
        flags=tuple(flags),
        next_review_on=next_review(s, as_of=as_of, undated=undated, found=found),
    )


def coverage_of(s: Snapshot) -> Coverage:
    """The documents a snapshot rests on, with the day each stops counting."""
    return Coverage(
        report=s.report,
        report_currency_end=s.currency_end,
        certificate=s.certificate,
        certificate_effective_expiry=s.effective_expiry,
    )


def evaluate(case: VendorCase, policy: Policy, *, as_of: date) -> Assessment:
    """Assess a vendor's file on `as_of` (SPEC §4–§5)."""
    return assessment_of(take_snapshot(case, policy, as_of=as_of), as_of)


def coverage(case: VendorCase, policy: Policy, *, as_of: date) -> Coverage:
    """R with its currency end and C with its effective expiry, as they stand on `as_of`."""
    return coverage_of(take_snapshot(case, policy, as_of=as_of))


def evaluate_with_coverage(
    case: VendorCase, policy: Policy, *, as_of: date
) -> tuple[Assessment, Coverage]:
    """`evaluate` and `coverage` from one snapshot: what materialising a status stores."""
    s = take_snapshot(case, policy, as_of=as_of)
    return assessment_of(s, as_of), coverage_of(s)
