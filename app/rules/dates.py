"""Calendar arithmetic of SPEC §4: whole months, inclusive ranges."""

from __future__ import annotations

from calendar import isleap
from datetime import date, timedelta

_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _last_day(year: int, month: int) -> int:
    if month == 2 and isleap(year):
        return 29
    return _MONTH_LENGTHS[month - 1]


def add_months(d: date, n: int) -> date:
    """Move `d` by `n` months; a month's last day maps to the target month's last day."""
    years, month_index = divmod(d.month - 1 + n, 12)
    year, month = d.year + years, month_index + 1
    if not date.min.year <= year <= date.max.year:
        raise OverflowError(f"add_months({d.isoformat()}, {n}) is out of range")
    last = _last_day(year, month)
    if d.day == _last_day(d.year, d.month):
        return date(year, month, last)
    return date(year, month, min(d.day, last))


def spans_months(start: date, end: date, n: int) -> bool:
    """Whether the inclusive period `start..end` lasts at least `n` whole months."""
    before_start = start - timedelta(days=1)
    return end >= add_months(before_start, n)


def add_months_or_none(d: date, n: int) -> date | None:
    """`add_months`, or None when the result would fall outside the calendar."""
    try:
        return add_months(d, n)
    except OverflowError:
        return None


def add_days_or_none(d: date, n: int) -> date | None:
    """`d + n days`, or None when the result would fall outside the calendar."""
    try:
        return d + timedelta(days=n)
    except OverflowError:
        return None
