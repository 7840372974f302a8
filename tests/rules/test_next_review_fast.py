"""next_review's shortcut (only the checks that read the day are run again on each change
date) gives the very day the plain search gives: every check run on every change date."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules.test_next_review_property import POLICY, cases_and_days, days

from app.rules.checks import (
    CERTIFICATE_CHECKS,
    DATED_CERTIFICATE_CHECKS,
    DATED_REPORT_CHECKS,
    REPORT_CHECKS,
    UNDATED_CERTIFICATE_CHECKS,
    UNDATED_REPORT_CHECKS,
    findings,
)
from app.rules.engine import change_dates, evaluate, next_review
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


def test_the_checks_are_split_into_dated_and_undated() -> None:
    for every, dated, undated in (
        (REPORT_CHECKS, DATED_REPORT_CHECKS, UNDATED_REPORT_CHECKS),
        (CERTIFICATE_CHECKS, DATED_CERTIFICATE_CHECKS, UNDATED_CERTIFICATE_CHECKS),
    ):
        assert set(dated) | set(undated) == set(every)
        assert not set(dated) & set(undated)


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
def test_undated_checks_find_the_same_on_every_day(case_and_day, other: date) -> None:
    case, as_of = case_and_day
    s = take_snapshot(case, POLICY, as_of=as_of)
    for checks, present in (
        (UNDATED_REPORT_CHECKS, s.report is not None),
        (UNDATED_CERTIFICATE_CHECKS, s.certificate is not None),
    ):
        if present:
            for check in checks:
                assert list(check(s, as_of)) == list(check(s, other))
