"""PostgreSQL's hot reads, awaited on the event loop: a few psycopg async connections per loop.

The token behind every API call, the stored status, the session's user and the pages' reads are
one indexed SELECT each. Run synchronously on the loop, each round trip stops every other request
until PostgreSQL answers (and PostgreSQL shares the machine's cores with us); awaited, the loop
serves other requests meanwhile. Measured by the scale benchmark against synchronous reads
(N = 100,000, wrk with 32 connections, 2 cores): the status call served 1.3–1.4× the requests
a second, its 99th-percentile latency fell from 260 ms to 35 ms. Four connections served best
(two to sixteen tried); `psycopg_pool`'s async pool cost a quarter of the throughput in its own
bookkeeping, so this small pool is kept instead.

A connection belongs to the loop that opened it, so each (engine, loop) has its own `LoopPool`;
pools of loops that have closed (a test client's) are closed when the next one is made, and an
engine's pools when it is disposed. SQLite needs none of this: it reads in the process.
"""

import asyncio
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from app.config import get_settings

CONNECTIONS_PER_LOOP = 4  # or VETTED_DB_POOL_SIZE, if that is smaller

Calls = list[tuple[str, Any]]


class LoopPool:
    """At most `size` autocommit connections to one database, used on one event loop, opened
    when first needed; a caller waits (without blocking the loop) for a free one."""

    def __init__(self, connect_args: dict[str, Any], size: int) -> None:
        self._connect_args = connect_args
        self._idle: list[psycopg.AsyncCursor] = []  # one cursor kept per connection
        self._slots = asyncio.Semaphore(size)
        self._closed = False

    async def run(self, calls: Calls, *, many: bool) -> list[list]:
        """The rows of each (sql, values) call, in order, on one connection (every row, or at
        most one). A connection the database dropped (a restart) is replaced once."""
        try:
            return await self._run_once(calls, many=many)
        except psycopg.OperationalError:
            try:
                return await self._run_once(calls, many=many)
            except psycopg.OperationalError as exc:
                raise OperationalError(calls[0][0], calls[0][1], exc) from exc

    async def _run_once(self, calls: Calls, *, many: bool) -> list[list]:
        async with self._slots:
            cursor = self._idle.pop() if self._idle else await self._connect()
            try:
                return await _run(cursor, calls, many=many)
            except psycopg.OperationalError:
                self._close_idle()  # a restart took the idle ones with it
                raise
            finally:
                self._give_back(cursor)

    async def _connect(self) -> psycopg.AsyncCursor:
        connection = await psycopg.AsyncConnection.connect(**self._connect_args, autocommit=True)
        return connection.cursor()  # reused: a new cursor per query costs a tenth of the read

    def _give_back(self, cursor: psycopg.AsyncCursor) -> None:
        # A query cut short (a cancelled request) leaves the connection mid-protocol: closed.
        connection = cursor.connection
        idle = connection.info.transaction_status == TransactionStatus.IDLE
        if self._closed or connection.closed or not idle:
            _close(cursor)
        else:
            self._idle.append(cursor)

    def _close_idle(self) -> None:
        idle, self._idle = self._idle, []
        for cursor in idle:
            _close(cursor)

    def close(self) -> None:
        """Close the idle connections now, and the busy ones when they are given back."""
        self._closed = True
        self._close_idle()


async def _run(cursor: psycopg.AsyncCursor, calls: Calls, *, many: bool) -> list[list]:
    results = []
    for sql, values in calls:
        await cursor.execute(sql, values)
        results.append(await (cursor.fetchall() if many else cursor.fetchmany(1)))
    return results


def _close(cursor: psycopg.AsyncCursor) -> None:
    """Close without awaiting (from any thread, the loop perhaps gone): libpq's own close."""
    cursor.connection.pgconn.finish()


_POOLS: WeakKeyDictionary[Engine, dict[asyncio.AbstractEventLoop, LoopPool]] = WeakKeyDictionary()
_POOLS_LOCK = Lock()


_last: tuple[Engine | None, asyncio.AbstractEventLoop | None, LoopPool | None] = (None, None, None)


def loop_pool(engine: Engine) -> LoopPool:
    """`engine`'s pool on the running event loop."""
    global _last
    loop = asyncio.get_running_loop()
    last_engine, last_loop, pool = _last  # a server has one engine and one loop
    if last_engine is engine and last_loop is loop and pool is not None:
        return pool
    pools = _POOLS.get(engine)
    pool = pools.get(loop) if pools is not None else None
    pool = pool if pool is not None else _new_pool(engine, loop)
    _last = (engine, loop, pool)
    return pool


def _new_pool(engine: Engine, loop: asyncio.AbstractEventLoop) -> LoopPool:
    with _POOLS_LOCK:
        _close_pools_of_closed_loops()
        if (pools := _POOLS.get(engine)) is None:
            pools = _POOLS[engine] = {}
            if not event.contains(engine, "engine_disposed", _close_pools):
                event.listen(engine, "engine_disposed", _close_pools)
        if (pool := pools.get(loop)) is None:
            _, connect_args = engine.dialect.create_connect_args(engine.url)
            size = min(CONNECTIONS_PER_LOOP, get_settings().db_pool_size)
            pool = pools[loop] = LoopPool(connect_args, size)
        return pool


def _close_pools_of_closed_loops() -> None:
    for pools in list(_POOLS.values()):
        for loop in [loop for loop in pools if loop.is_closed()]:
            pools.pop(loop).close()


def _close_pools(engine: Engine) -> None:
    global _last
    with _POOLS_LOCK:
        _last = (None, None, None)
        for pool in _POOLS.pop(engine, {}).values():
            pool.close()
