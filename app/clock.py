"""The only place that reads the clock: every other module takes dates as arguments."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    """Now, as a timezone-aware UTC datetime (audit timestamps)."""
    return datetime.now(UTC)


def today(timezone: str = "UTC") -> date:
    """Today's date in the organisation's time zone (the default `as_of`)."""
    return datetime.now(ZoneInfo(timezone)).date()
