"""The daily pass: re-evaluate, once a day, exactly the vendors whose stored status lapsed.

A vendor's stored status holds until its `next_review_on`; the pass finds the vendors whose
day has come with an indexed query and re-evaluates them in short transactions. Every
`vetted serve` process runs the loop below, and `vetted refresh` runs one pass (for cron);
a row in `job_runs` with a unique (job, day) key lets one process do each day's pass. The
pass also deletes the PDFs stored by "Prefill from PDF" and not attached within a day, then
runs the extra jobs its caller hands it (callables taking the day: the portal's reminders,
passed in by app/main.py and app/cli.py, so that this layer imports nothing above it).
Reads never store: they evaluate a lapsed vendor for their answer, so a missed pass costs time,
never truth (lists filter by the stored status until the pass has run).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import date, datetime
from threading import Event

from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app import clock
from app.config import get_settings
from app.db import session_scope
from app.deps import get_today
from app.documents.prefill_uploads import sweep as sweep_prefill_uploads
from app.models import JobRun
from app.status.service import refresh_some

log = logging.getLogger("vetted.daily")
JOB = "refresh"
BATCH = 500
CHECK_EVERY_SECONDS = 300  # how often the loop looks whether the day has changed
DailyJob = Callable[[date], object]  # one more thing the pass does once a day, given the day


def worker_name() -> str:
    """Who runs a pass: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def claim(*, day: date, who: str) -> bool:
    """Record that `who` runs the pass for `day`; False when another process has already."""
    try:
        with session_scope() as session:
            session.add(JobRun(job=JOB, day=day, claimed_by=who, claimed_at=clock.utc_now()))
    except IntegrityError:
        return False
    return True


def claimed_by(day: date) -> JobRun | None:
    """The claim of `day`'s pass, if any process made it."""
    with session_scope(writes=False) as session:
        query = select(JobRun).where(JobRun.job == JOB, JobRun.day == day)
        return session.exec(query).first()


def refresh_all_due(*, today: date, batch: int = BATCH, stop: Event | None = None) -> int:
    """Re-evaluate every lapsed vendor, one batch per transaction (short write locks).

    Setting `stop` ends the pass after the batch in hand (the server is shutting down).
    """
    total = 0
    while stop is None or not stop.is_set():
        with session_scope() as session:
            done = refresh_some(session=session, today=today, limit=batch)
        total += done
        if done == 0:
            break
    return total


def _finish(*, day: date, processed: int) -> None:
    with session_scope() as session:
        session.exec(
            update(JobRun)
            .where(col(JobRun.job) == JOB, col(JobRun.day) == day)
            .values(finished_at=clock.utc_now(), processed=processed)
        )


def run_daily(
    *,
    day: date,
    who: str | None = None,
    force: bool = False,
    stop: Event | None = None,
    now: datetime | None = None,
    jobs: Sequence[DailyJob] = (),
) -> int | None:
    """`day`'s pass unless another process claimed it (None); returns how many re-evaluated.

    `force` runs it even so (the claim stays with whoever made it). The pass also deletes the
    prefill PDFs not attached within a day of `now` (default: the clock's), then runs `jobs`.
    """
    claimed = claim(day=day, who=who or worker_name())
    if not claimed and not force:
        return None
    processed = refresh_all_due(today=day, stop=stop)
    if claimed and not (stop and stop.is_set()):
        _finish(day=day, processed=processed)
    log.info("daily pass for %s: re-evaluated %d vendors", day, processed)
    if not (stop and stop.is_set()):
        sweep_prefill_uploads(now=now or clock.utc_now())
        run_jobs(jobs, day=day, stop=stop)
    return processed


def run_jobs(jobs: Sequence[DailyJob], *, day: date, stop: Event | None = None) -> None:
    """Each job in turn; one that fails is logged and the next still runs."""
    for job in jobs:
        if stop is not None and stop.is_set():
            return
        try:
            job(day)
        except Exception:
            log.exception("daily job %s for %s failed", getattr(job, "__name__", job), day)


Today = Callable[[], date | Awaitable[date]]


async def _today(provider: Today) -> date:
    value = provider()
    return await value if inspect.isawaitable(value) else value


async def run_daily_loop(
    provider: Today,
    *,
    stop: Event,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    jobs: Sequence[DailyJob] = (),
) -> None:
    """Forever: when the day has changed, run its pass (in a thread); look again shortly."""
    done: date | None = None
    while True:
        day = await _today(provider)
        if day != done:
            try:
                await _in_thread(run_daily, day=day, stop=stop, jobs=jobs)
                done = day
            except Exception:  # keep serving; the next look retries
                log.exception("daily pass for %s failed", day)
        await sleep(CHECK_EVERY_SECONDS)


async def _in_thread(func, **kwargs) -> None:
    """Run `func` in a thread; when cancelled, wait for it (it stops at `stop`) and re-raise."""
    running = asyncio.ensure_future(asyncio.to_thread(func, **kwargs))
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        await asyncio.wait([running])
        raise


@asynccontextmanager
async def daily_refresh(app: FastAPI, jobs: Sequence[DailyJob] = ()) -> AsyncIterator[None]:
    """FastAPI lifespan: the daily pass beside the server (VETTED_DAILY_REFRESH turns it off),
    with the `jobs` the app adds to it.

    "Today" comes from the app's `get_today` dependency, so a pinned day pins the pass too.
    """
    task, stop = None, Event()
    if get_settings().daily_refresh:
        provider = app.dependency_overrides.get(get_today, get_today)
        task = asyncio.create_task(run_daily_loop(provider, stop=stop, jobs=jobs))
    try:
        yield
    finally:
        if task is not None:
            stop.set()
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
