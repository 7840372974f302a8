"""evaluate(): a vendor's case, the policy and a day in → status, flags, next review out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from app.rules.catalog import SEVERITY_RANK, message
from app.rules.checks import Finding, findings
from app.rules.dates import add_days_or_none
from app.rules.facts import IsoCertificate, SocReport, VendorCase, Waiver
from app.rules.policy import Policy
from app.rules.snapshot import Snapshot, take_snapshot

Signature = tuple[tuple[str, str, bool], ...]
ONE_DAY = timedelta(days=1)
# What a waiver of missing evidence also covers: the flags that take its place (SPEC §5 v2).
STANDS_IN_FOR_MISSING = frozenset(
    {
        "ISO_IN_PLACE_OF_SOC2",
        "SOC3_IN_PLACE_OF_SOC2",
        "SOC1_IN_PLACE_OF_SOC2",
        "SOC2_IN_PLACE_OF_ISO",
        "SOC2_TYPE1_ONLY",
    }
)


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


def covers(waiver: Waiver, finding: Finding) -> bool:
    """Whether `waiver` accepts `finding`, on any day it counts (SPEC §5)."""
    if waiver.code == finding.code:
        # A waiver recorded before v2 has no document: it covers every flag with its code.
        document = waiver.evidence_id is None or waiver.evidence_id == finding.evidence_id
        return finding.waivable and document
    return waiver.code == "EVIDENCE_MISSING" and finding.code in STANDS_IN_FOR_MISSING


def waiver_for(finding: Finding, waivers: Iterable[Waiver], day: date) -> Waiver | None:
    """The waiver covering `finding` on `day`: of those that do, the one ending last
    (on equal ends, the lowest id)."""
    counting = (w for w in waivers if w.granted_on <= day <= w.expires_on and covers(w, finding))
    return min(counting, key=lambda w: (-w.expires_on.toordinal(), w.id), default=None)


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


def _flags(s: Snapshot, day: date) -> list[Flag]:
    waivers = s.waivers
    return [_flag(f, waiver_for(f, waivers, day) if waivers else None) for f in findings(s, day)]


def _signature(flags: Iterable[Flag]) -> Signature:
    return tuple(sorted((f.code, f.severity, f.waived) for f in flags))


def _signature_on(s: Snapshot, day: date) -> Signature:
    """`_signature` of the flags on `day`, without writing their messages."""
    waivers = s.waivers
    return tuple(
        sorted(
            (f.code, f.severity, bool(waivers) and waiver_for(f, waivers, day) is not None)
            for f in findings(s, day)
        )
    )


def change_dates(s: Snapshot) -> list[date]:
    """Every day on which some rule's outcome may change; between them nothing does."""
    p = s.policy
    # Each rule's outcome reads a date as "on or before it": it may change the day after.
    last_days = (
        s.currency_end,
        s.effective_expiry,
        s.bridge_due,
        *s.letter_covers,
        s.certificate.expires_on if s.certificate else None,
        p.iso_2013_sunset if s.certificate else None,
        s.surveillance_due,
        s.surveillance_high_due,
        s.remediation_until,
        s.soc1_current_until,
        s.soc3_current_until,
        *(w.expires_on for w in s.waivers),
    )
    days = {d + ONE_DAY for d in last_days if d is not None and d < date.max}
    # Warnings start a number of days before the report's currency end and C's expiry.
    for end in (s.currency_end, s.effective_expiry):
        if end is not None:
            days.add(add_days_or_none(end, -p.expiry_warning_days))
            days.add(add_days_or_none(end, -p.expiry_urgent_days))
    days.update(w.granted_on for w in s.waivers)
    days.discard(None)  # moved off the calendar
    return sorted(days)


def next_review(s: Snapshot, *, as_of: date, flags: Iterable[Flag] | None = None) -> date | None:
    """The first day after `as_of` whose flags (code, severity, waived) differ, if any.

    Only the days on which some rule may change are tried; `flags`: those on `as_of`.
    """
    if s.vendor.lifecycle == "archived":
        return None
    today = _signature_on(s, as_of) if flags is None else _signature(flags)
    for day in change_dates(s):
        if day > as_of and _signature_on(s, day) != today:
            return day
    return None


def assessment_of(s: Snapshot, as_of: date) -> Assessment:
    """The assessment on `as_of` of a snapshot taken on it."""
    flags = _flags(s, as_of)
    flags.sort(key=_sort_key)
    return Assessment(
        status=status_of(flags),
        requirement=s.requirement,
        flags=tuple(flags),
        next_review_on=next_review(s, as_of=as_of, flags=flags),
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
