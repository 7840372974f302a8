"""The weekly trigger inside `vetted serve`: wake at VETTED_DIGEST_WEEKDAY / VETTED_DIGEST_TIME
(in VETTED_TIMEZONE) and send the week's digest.

Every worker and replica runs this loop; the (week, recipient) claim in the database makes
sure the digest goes out once. A server that was down at the appointed time sends the
week's digest when it starts again later in the same ISO week.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from app import clock
from app.config import Settings, get_settings
from app.digest.build import iso_week

log = logging.getLogger("vetted.digest")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RETRY_AFTER = timedelta(minutes=15)  # after a failed run (SMTP down), within the same week
MAX_SLEEP = timedelta(hours=1)  # wake now and then, so clock changes cannot make it oversleep


@dataclass(frozen=True, slots=True)
class Schedule:
    weekday: str  # mon … sun
    at: str  # HH:MM
    tz: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> Schedule:
        """VETTED_DIGEST_WEEKDAY at VETTED_DIGEST_TIME in VETTED_TIMEZONE."""
        return cls(settings.digest_weekday, settings.digest_time, ZoneInfo(settings.timezone))

    def local_day(self, now: datetime) -> date:
        """The date `now` falls on in the organisation's time zone."""
        return now.astimezone(self.tz).date()

    def slot(self, day: date) -> datetime:
        """The appointed moment (in UTC) of the ISO week that contains `day`."""
        monday = day - timedelta(days=day.weekday())
        d = monday + timedelta(days=WEEKDAYS.index(self.weekday))
        hour, minute = (int(part) for part in self.at.split(":"))
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=self.tz).astimezone(UTC)

    def is_due(self, now: datetime) -> bool:
        """True once this ISO week's appointed moment has come."""
        return now >= self.slot(self.local_day(now))

    def next_run(self, now: datetime) -> datetime:
        """The first appointed moment after `now`."""
        day = self.local_day(now)
        this_week = self.slot(day)
        return this_week if this_week > now else self.slot(day + timedelta(days=7))


@dataclass(frozen=True, slots=True)
class Step:
    run: bool  # send the digest for `as_of` now
    as_of: date
    week: str


def step(schedule: Schedule, now: datetime, *, done_week: str | None) -> Step:
    """What the loop does at `now`: send when this week's moment has come and not yet done."""
    day = schedule.local_day(now)
    week = iso_week(day)
    return Step(run=schedule.is_due(now) and done_week != week, as_of=day, week=week)


def wait_after(schedule: Schedule, now: datetime, *, ok: bool | None) -> timedelta:
    """How long to sleep: until the next moment, or RETRY_AFTER after a failed run."""
    wait = RETRY_AFTER if ok is False else schedule.next_run(now) - now
    return max(timedelta(0), min(wait, MAX_SLEEP))


Job = Callable[[date], bool]


async def run_weekly(
    schedule: Schedule,
    job: Job,
    *,
    now: Callable[[], datetime] = clock.utc_now,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> None:
    """Forever: sleep until the appointed moment, send (in a thread), repeat."""
    done_week: str | None = None
    while True:
        current, ok = now(), None
        todo = step(schedule, current, done_week=done_week)
        if todo.run:
            ok = await asyncio.to_thread(job, todo.as_of)
            done_week = todo.week if ok else done_week
            current = now()
        await sleep(wait_after(schedule, current, ok=ok).total_seconds())


def scheduled_send(day: date) -> bool:
    """One scheduled run; True when every recipient has the week's digest."""
    from app.digest.job import send_digest

    try:
        report = send_digest(as_of=day, settings=get_settings(), today=day, actor="scheduler")
    except Exception:  # the server must keep serving; the next wake-up retries
        log.exception("weekly digest for %s failed", iso_week(day))
        return False
    for failure in report.failed:
        log.error("digest %s to %s not sent: %s", report.week, failure.recipient, failure.detail)
    return not report.failed


def enabled(settings: Settings) -> bool:
    """The weekly trigger runs only when SMTP and some recipient are configured."""
    return bool(settings.smtp_host) and bool(settings.digest_to or settings.digest_owners)


@asynccontextmanager
async def weekly_digest(app: FastAPI) -> AsyncIterator[None]:
    """FastAPI lifespan: run the weekly trigger beside the server, stop it on shutdown."""
    settings = get_settings()
    task = None
    if enabled(settings):
        schedule = Schedule.from_settings(settings)
        log.info("weekly digest: next run at %s", schedule.next_run(clock.utc_now()))
        task = asyncio.create_task(run_weekly(schedule, scheduled_send))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
