"""One measurement in a fresh process (VETTED_DATABASE_URL names the database); prints JSON.

    python -m tests.perf.probe read-rows|evaluate|digest|digest-memory|due|daily

The runner starts one process per measurement, so caches, pools and peak memory of one do
not leak into the next.
"""

import contextlib
import json
import os
import sys
import time
import tracemalloc
from datetime import timedelta

from app import clock
from app.config import get_settings
from app.db import session_scope


def _today():
    return clock.today(get_settings().timezone)


def read_rows() -> dict:
    """The rows `vetted evaluate` reads, with the same queries, and nothing built from them."""
    from app.status.bulk import read_all

    started = time.perf_counter()
    with session_scope(writes=False) as session:
        vendors = read_all(session.connection())
    return {"seconds": time.perf_counter() - started, "vendors": vendors}


def evaluate() -> dict:
    """`vetted evaluate` as the admin runs it, its table sent to /dev/null."""
    from app.cli import app

    started = time.perf_counter()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        app(["evaluate"], standalone_mode=False)
    return {"seconds": time.perf_counter() - started}


def _build_digest() -> int:
    from app.digest.job import collect
    from app.digest.render import render_html, render_text

    with session_scope(writes=False) as session:
        digest = collect(session=session, as_of=_today(), base_url="http://127.0.0.1")
    return len(render_text(digest)) + len(render_html(digest))


def digest() -> dict:
    """Building (gathering, evaluating, rendering) this week's digest."""
    started = time.perf_counter()
    size = _build_digest()
    return {"seconds": time.perf_counter() - started, "bytes": size}


def digest_memory() -> dict:
    """The same, under tracemalloc: the peak of Python allocations while building it.

    The code, the policy and the templates are loaded first (an empty digest rendered), so
    the peak is the digest's own, not the same modules counted at both sizes.
    """
    from app.digest.build import build_digest
    from app.digest.job import collect  # noqa: F401
    from app.digest.render import render_html, render_text
    from app.status.service import current_policy

    empty = build_digest([], as_of=_today(), policy=current_policy(), base_url="http://x")
    render_text(empty), render_html(empty)
    tracemalloc.start()
    _build_digest()
    _, peak = tracemalloc.get_traced_memory()
    return {"peak_bytes": peak}


def due() -> dict:
    """Whether any vendor's stored status lapsed (the daily pass's three index ranges, as
    `due_ids`): best time of a call."""
    from app.status.service import due_ids

    today, best = _today(), float("inf")
    first_due = due_ids(today).limit(1)
    with session_scope(writes=False) as session:
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(200):
                assert session.execute(first_due).first() is None
            best = min(best, (time.perf_counter() - started) / 200)
    return {"seconds": best}


def daily() -> dict:
    """The daily pass a month from now, in a transaction rolled back: vendors re-evaluated."""
    from app.status.service import refresh_due

    day = _today() + timedelta(days=30)
    with session_scope(writes=True) as session:
        started = time.perf_counter()
        refreshed = refresh_due(session=session, today=day)
        seconds = time.perf_counter() - started
        session.rollback()
    return {"seconds": seconds, "vendors": refreshed}


PROBES = {
    "read-rows": read_rows,
    "evaluate": evaluate,
    "digest": digest,
    "digest-memory": digest_memory,
    "due": due,
    "daily": daily,
}


if __name__ == "__main__":
    print(json.dumps(PROBES[sys.argv[1]]()))
