"""next_review's shortcut (only the checks that read the day are run again on each change
date) gives the very day the plain search gives: every check run on every change date."""

from __future__ import annotations

import inspect
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules.test_next_review_property import POLICY, cases_and_days, days

from app.rules.checks import (
    DATED_CERTIFICATE_CHECKS,
    DATED_REPORT_CHECKS,
    UNDATED_CERTIFICATE_CHECKS,
    UNDATED_REPORT_CHECKS,
    dated_findings,
    findings,
    undated_findings,
)
from app.rules.engine import change_dates, evaluate, next_review
from app.rules.facts import case_from_dict
from app.rules.snapshot import Snapshot, take_snapshot

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def plain_signature(s: Snapshot, day: date) -> tuple:
    waived = {w.code for w in s.waivers if w.granted_on <= day <= w.expires_on}
    return tuple(sorted((f.code, f.severity, f.code in waived) for f in findings(s, day)))


def plain_next_review(s: Snapshot, as_of: date) -> date | None:
    """The search as first written: all of `findings` on every change date."""
    today = plain_signature(s, as_of)
    for day in change_dates(s):
        if day > as_of and plain_signature(s, day) != today:
            return day
    return None


def test_undated_checks_cannot_read_the_day() -> None:
    for check in (*UNDATED_REPORT_CHECKS, *UNDATED_CERTIFICATE_CHECKS):
        assert list(inspect.signature(check).parameters) == ["s"], check.__name__
    for check in (*DATED_REPORT_CHECKS, *DATED_CERTIFICATE_CHECKS):
        assert list(inspect.signature(check).parameters) == ["s", "day"], check.__name__


@FAST
@given(case_and_day=cases_and_days())
def test_next_review_is_the_plain_searchs_day(case_and_day) -> None:
    case, as_of = case_and_day
    s = take_snapshot(case, POLICY, as_of=as_of)
    expected = plain_next_review(s, as_of)
    assert next_review(s, as_of=as_of) == expected
    assert next_review(s, as_of=as_of, found=findings(s, as_of)) == expected
    assert evaluate(case, POLICY, as_of=as_of).next_review_on == expected


@FAST
@given(case_and_day=cases_and_days(), other=days | st.sampled_from([date.min, date.max]))
def test_findings_are_the_undated_and_the_dated_ones(case_and_day, other: date) -> None:
    case, as_of = case_and_day
    s = take_snapshot(case, POLICY, as_of=as_of)
    undated = undated_findings(s)
    assert findings(s, other, undated) == findings(s, other)
    codes = {f.code for f in findings(s, other)}
    dated = [*dated_findings(DATED_REPORT_CHECKS, s, other)] if s.report else []
    dated += [*dated_findings(DATED_CERTIFICATE_CHECKS, s, other)] if s.certificate else []
    assert {f.code for f in (*undated.report, *undated.certificate, *dated)} <= codes


def test_change_dates_at_the_ends_of_the_calendar() -> None:
    """Anchors near date.min/date.max: shifts off the calendar are left out, not raised."""
    case = case_from_dict(
        {"tier": "high"},
        [
            {
                "id": 1,
                "kind": "iso27001_certificate",
                "standard_version": "2022",
                "accreditation_body": "UKAS",
                "issued_on": "0001-01-01",
                "expires_on": "9999-12-31",
            }
        ],
        [
            {
                "id": 2,
                "code": "ISO_VALIDITY_TOO_LONG",
                "granted_on": "0001-01-01",
                "expires_on": "9999-12-31",
            }
        ],
    )
    s = take_snapshot(case, POLICY, as_of=date(2026, 6, 15))
    assert date.max not in change_dates(s)
    assert date.max - timedelta(days=POLICY.expiry_warning_days) in change_dates(s)
    assert next_review(s, as_of=date(2026, 6, 15)) == plain_next_review(s, date(2026, 6, 15))
