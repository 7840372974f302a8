"""The weekly trigger of `vetted serve`: when it is due and when it wakes next (pure), and the
loop driven by a fake clock."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.config import Settings
from app.digest.scheduler import (
    MAX_SLEEP,
    RETRY_AFTER,
    Schedule,
    enabled,
    run_weekly,
    step,
    wait_after,
)

UTC_MONDAY_7 = Schedule("mon", "07:00", ZoneInfo("UTC"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "due", "next_run"),
    [
        (utc(2026, 11, 23, 6, 59), False, utc(2026, 11, 23, 7, 0)),  # Monday, a minute early
        (utc(2026, 11, 23, 7, 0), True, utc(2026, 11, 30, 7, 0)),  # Monday, on the dot
        (utc(2026, 11, 26, 12, 0), True, utc(2026, 11, 30, 7, 0)),  # Thursday: catch up
        (utc(2026, 11, 29, 23, 59), True, utc(2026, 11, 30, 7, 0)),  # Sunday night
        (utc(2026, 11, 30, 0, 0), False, utc(2026, 11, 30, 7, 0)),  # a new ISO week
    ],
)
def test_due_once_the_weekly_moment_has_come(now, due, next_run):
    assert UTC_MONDAY_7.is_due(now) is due
    assert UTC_MONDAY_7.next_run(now) == next_run


def test_the_weekday_and_time_are_read_in_the_organisation_s_zone():
    berlin = Schedule("fri", "16:30", ZoneInfo("Europe/Berlin"))
    # Friday 2026-11-27 16:30 in Berlin (UTC+1) is 15:30 UTC.
    assert berlin.next_run(utc(2026, 11, 23, 8, 0)) == utc(2026, 11, 27, 15, 30)
    assert not berlin.is_due(utc(2026, 11, 27, 15, 29))
    assert berlin.is_due(utc(2026, 11, 27, 15, 30))
    # In summer Berlin is UTC+2.
    assert berlin.next_run(utc(2026, 7, 1)) == utc(2026, 7, 3, 14, 30)


def test_a_moment_skipped_by_the_clock_change_still_comes():
    # 02:30 does not exist in Berlin on Sunday 2026-03-29; the run happens within the hour.
    spring = Schedule("sun", "02:30", ZoneInfo("Europe/Berlin"))
    run = spring.next_run(utc(2026, 3, 28))
    assert utc(2026, 3, 29, 0, 0) <= run <= utc(2026, 3, 29, 1, 30)
    assert spring.is_due(run) and not spring.is_due(run - timedelta(minutes=1))


def test_the_week_is_that_of_the_organisation_s_date():
    sydney = Schedule("mon", "07:00", ZoneInfo("Australia/Sydney"))
    # Sunday 21:00 UTC is already Monday 08:00 in Sydney: due, for Monday's ISO week.
    todo = step(sydney, utc(2026, 11, 22, 21, 0), done_week=None)
    assert (todo.run, todo.as_of, todo.week) == (True, date(2026, 11, 23), "2026-W48")
    assert not step(sydney, utc(2026, 11, 22, 21, 0), done_week="2026-W48").run


def test_waits_are_capped_and_a_failure_retries_soon():
    now = utc(2026, 11, 23, 8, 0)
    assert wait_after(UTC_MONDAY_7, now, ok=True) == MAX_SLEEP
    assert wait_after(UTC_MONDAY_7, now, ok=False) == RETRY_AFTER
    assert wait_after(UTC_MONDAY_7, utc(2026, 11, 23, 6, 50), ok=None) == timedelta(minutes=10)


class FakeClock:
    def __init__(self, start: datetime, stop_after: int) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.stop_after = stop_after

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if len(self.sleeps) >= self.stop_after:
            raise asyncio.CancelledError
        self.now += timedelta(seconds=seconds)


def test_the_loop_sends_at_the_moment_retries_a_failure_and_then_waits_a_week():
    clock = FakeClock(utc(2026, 11, 23, 6, 30), stop_after=200)
    runs: list[tuple[date, datetime]] = []
    results = iter([False, True, True])

    def job(day: date) -> bool:
        runs.append((day, clock.now))
        return next(results)

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(run_weekly(UTC_MONDAY_7, job, now=clock, sleep=clock.sleep))
    assert runs[0] == (date(2026, 11, 23), utc(2026, 11, 23, 7, 0))  # on the dot
    assert runs[1] == (date(2026, 11, 23), utc(2026, 11, 23, 7, 15))  # SMTP was down
    assert runs[2] == (date(2026, 11, 30), utc(2026, 11, 30, 7, 0))  # next week, once
    assert max(clock.sleeps) <= MAX_SLEEP.total_seconds()


def test_enabled_only_with_smtp_and_recipients():
    assert not enabled(Settings(smtp_host=None, digest_to=["a@example.com"]))
    assert not enabled(Settings(smtp_host="mail.example.com"))
    assert enabled(Settings(smtp_host="mail.example.com", digest_to="a@example.com"))
    assert enabled(Settings(smtp_host="mail.example.com", digest_owners=True))
