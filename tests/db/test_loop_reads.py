"""PostgreSQL's hot reads, awaited on the event loop (`app/loop_reads.py`).

Each loop keeps at most CONNECTIONS_PER_LOOP connections; a cancelled read leaves nothing
running on the server and its connection usable; connections the database dropped are
replaced; the pools of finished loops and of disposed engines are closed; an unreachable
database is SQLAlchemy's OperationalError (the app's 503).
"""

import asyncio
import socket
import time

import pytest
from conftest import PG_URL
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import OperationalError

from app import config, db
from app.db import read_row
from app.loop_reads import CONNECTIONS_PER_LOOP

pytestmark = pytest.mark.skipif(not PG_URL, reason="SQLite reads in the process: no pool")

# the serving backend's pid, after sleeping the given seconds on the server
BACKEND_AFTER_SLEEP = select(
    func.pg_backend_pid().label("pid"),
    func.pg_sleep(bindparam("seconds")).label("slept"),
)


async def _backend(seconds: float = 0) -> int:
    return (await read_row(BACKEND_AFTER_SLEEP, {"seconds": seconds}))["pid"]


async def _backends(reads: int, seconds: float = 0) -> set[int]:
    """The backends that served `reads` concurrent reads, each sleeping `seconds`."""
    return set(await asyncio.gather(*(_backend(seconds) for _ in range(reads))))


def _live_backends(pids: set[int]) -> set[int]:
    with db.get_engine().connect() as conn:
        rows = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE pid = ANY(:p)"), {"p": list(pids)}
        )
        return {pid for (pid,) in rows}


def _wait_until_gone(pids: set[int]) -> set[int]:
    """The pids among `pids` still connected after up to 5 s (a backend exits shortly after
    its client closes)."""
    deadline = time.monotonic() + 5
    while (live := _live_backends(pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return live


def test_concurrent_reads_share_the_loops_few_connections(database_url):
    assert len(asyncio.run(_backends(20, 0.05))) == CONNECTIONS_PER_LOOP


def test_a_smaller_db_pool_size_bounds_them_too(database_url, monkeypatch):
    monkeypatch.setenv("VETTED_DB_POOL_SIZE", "2")
    config.get_settings.cache_clear()

    assert len(asyncio.run(_backends(20, 0.05))) == 2


def test_a_cancelled_read_leaves_no_query_running_and_the_pool_usable(database_url):
    async def cancel_then_read() -> set[int]:
        slow = asyncio.create_task(_backend(30))
        await asyncio.sleep(0.3)  # the sleep is running on the server
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        with db.get_engine().connect() as conn:
            running = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' "
                    "AND state = 'active' AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        assert running == 0
        return await _backends(8, 0.05)

    started = time.monotonic()
    assert len(asyncio.run(cancel_then_read())) <= CONNECTIONS_PER_LOOP
    assert time.monotonic() - started < 10  # nothing waited for the 30 s sleep


def test_connections_the_database_dropped_are_replaced(database_url):
    async def read_kill_read() -> tuple[set[int], set[int]]:
        before = await _backends(8, 0.05)
        with db.get_engine().connect() as conn:  # what a PostgreSQL restart does to them
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM unnest(:p) AS pid"), {"p": list(before)}
            )
        _wait_until_gone(before)
        after = await _backends(8)
        return before, after

    before, after = asyncio.run(read_kill_read())
    assert len(before) == CONNECTIONS_PER_LOOP
    assert after and not after & before


def test_the_pool_of_a_finished_loop_is_closed_when_another_loop_reads(database_url):
    first = asyncio.run(_backend())
    assert _live_backends({first}) == {first}  # kept while its loop might read again
    second = asyncio.run(_backend())  # a new loop, a new pool: the first one is closed
    assert second != first
    assert _wait_until_gone({first}) == set()


def test_disposing_the_engine_closes_its_pools(database_url):
    async def read_then_dispose() -> int:
        pid = await _backend()
        db.get_engine().dispose()
        assert _wait_until_gone({pid}) == set()
        return await _backend()  # and reading again opens a new one

    assert asyncio.run(read_then_dispose())


def test_an_unreachable_database_is_an_operational_error(database_url, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("VETTED_DATABASE_URL", f"postgresql+psycopg://nobody@127.0.0.1:{port}/x")
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with pytest.raises(OperationalError):
        asyncio.run(_backend())
