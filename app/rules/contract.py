"""Contracts, renewal decisions and review due dates (SPEC §12): pure functions of dates.

The renewal decision is evaluated by the same engine as the status: the vendor's file as it
stands on `as_of` (documents received and waivers granted after `as_of` left out), judged on
the decision date — procurement learns today what the renewal will find, and why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.rules.dates import add_months
from app.rules.engine import Flag, evaluate
from app.rules.facts import VendorCase
from app.rules.policy import Policy

# The flags that would block or condition a decision: unwaived, of these severities.
DECIDING_SEVERITIES = ("block", "high")


@dataclass(frozen=True, slots=True)
class Contract:
    end_on: date
    notice_days: int = 0
    auto_renews: bool = False
    renewal_term_months: int = 12


@dataclass(frozen=True, slots=True)
class Decision:
    on: date  # the current end − notice_days: the last day to decide the renewal
    contract_end_on: date  # the current end
    missed: bool  # as_of is past the decision date
    status: str  # the status on the decision date (on as_of when missed)
    flags: tuple[Flag, ...]  # the unwaived flags that would block or condition it


def current_end(contract: Contract, as_of: date) -> date | None:
    """The end of the contract term running on `as_of`, or None when it has ended.

    An auto-renewing contract whose end has passed runs to add_months(end_on, k × term) for the
    smallest k ≥ 1 with that ≥ as_of — each end computed from the original date, never from the
    previous end, so a term starting on a month's last day keeps ending on month ends and a
    31st is not worn down to the 28th by a February."""
    if as_of <= contract.end_on:
        return contract.end_on
    if not contract.auto_renews:
        return None
    term = contract.renewal_term_months
    months = (as_of.year - contract.end_on.year) * 12 + as_of.month - contract.end_on.month
    k = max(1, months // term)
    while add_months(contract.end_on, k * term) < as_of:
        k += 1
    return add_months(contract.end_on, k * term)


def decision_date(end: date, notice_days: int) -> date:
    """The last day to decide a renewal: the end minus the notice period."""
    return end - timedelta(days=notice_days)


def counted_on(case: VendorCase, as_of: date) -> VendorCase:
    """The case as it stands on `as_of`: documents received and waivers granted later left
    out (they are not on file yet)."""
    return replace(
        case,
        evidence=tuple(e for e in case.evidence if e.received_on <= as_of),
        waivers=tuple(w for w in case.waivers if w.granted_on <= as_of),
    )


def decide(
    case: VendorCase, policy: Policy, contract: Contract | None, *, as_of: date
) -> Decision | None:
    """The renewal decision seen on `as_of`, or None (no contract, or it ended unrenewed)."""
    end = current_end(contract, as_of) if contract else None
    if end is None:
        return None
    on = decision_date(end, contract.notice_days)
    missed = as_of > on
    assessment = evaluate(counted_on(case, as_of), policy, as_of=as_of if missed else on)
    deciding = tuple(
        f for f in assessment.flags if not f.waived and f.severity in DECIDING_SEVERITIES
    )
    return Decision(on, end, missed, assessment.status, deciding)


def review_due(
    last_reviewed_on: date | None, every_months: int, first_due_on: date | None
) -> date | None:
    """When the next review is due: `every_months` after the last one, else the first due
    date (the creation day, or 90 days after reviews were introduced)."""
    if last_reviewed_on is None:
        return first_due_on
    return add_months(last_reviewed_on, every_months)


def review_wakeups(case: VendorCase, decision: Decision | None, as_of: date) -> list[date]:
    """The days after `as_of` on which `decide` may answer differently although nothing was
    written: the day after the decision date (it becomes missed), the day after the current end
    (the contract ends or renews), and a waiver's grant or a document's receipt dated later."""
    days = [w.granted_on for w in case.waivers if w.granted_on > as_of]
    days += [e.received_on for e in case.evidence if e.received_on > as_of]
    if decision is not None:
        if not decision.missed:
            days.append(decision.on + timedelta(days=1))
        days.append(decision.contract_end_on + timedelta(days=1))
    return days
