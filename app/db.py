"""Database engines, sessions and column types shared by every table."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, TypeVar
from weakref import WeakKeyDictionary

from fastapi import Depends, Request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine
from starlette.concurrency import run_in_threadpool

from app.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 1 << 30
SQLITE_POOL = 40  # AnyIO's worker threads, each holding at most one connection: all kept
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime; SQLite drops the zone, so it is re-attached here."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(dbapi_connection, _record) -> None:
    """WAL and a busy timeout, so concurrent writers queue instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads come from memory-mapped pages shared by every connection, not per-connection copies.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _begin(conn) -> None:
    """Writers take SQLite's write lock at BEGIN, so a read-then-write never fails on upgrade."""
    writes = conn.get_execution_options().get("writes", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def build_engine(
    url: str, *, pool_size: int | None = None, max_overflow: int | None = None
) -> Engine:
    """An engine for `url`, tuned for SQLite (WAL, busy timeout) or PostgreSQL (pre-ping).

    Pools: PostgreSQL keeps `db_pool_size` connections and may open as many again under
    load; SQLite (whose connections cost a file handle) keeps one per worker thread, so a
    request never waits for one, nor pays for opening one (its PRAGMAs) under load.
    """
    size = pool_size or get_settings().db_pool_size
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                "isolation_level": None,
            },
            **_file_pool(
                url,
                pool_size or max(size, SQLITE_POOL),
                size if max_overflow is None else max_overflow,
            ),
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin)
        return engine
    overflow = size if max_overflow is None else max_overflow
    return create_engine(url, pool_pre_ping=True, pool_size=size, max_overflow=overflow)


def _file_pool(url: str, size: int, overflow: int) -> dict:
    database = make_url(url).database
    if not database or database == ":memory:":
        return {}  # SQLAlchemy's single-connection pool for in-memory databases
    return {"pool_size": size, "max_overflow": overflow}


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return build_engine(get_settings().database_url.get_secret_value())


# --- the hot reads ------------------------------------------------------------------------------
# The token behind every API call, the web session's user, the status API and the vendor list and
# page are read with `read(fn)`: `fn` is plain synchronous SQLAlchemy on a session, awaited so the
# event loop is never blocked. On PostgreSQL it runs on SQLAlchemy's async engine (psycopg's
# async driver): the loop serves other requests during each round trip. On SQLite it runs on the
# engine above in a worker thread: measured against aiosqlite (an async engine whose every call
# hops to the connection's own thread) on 10,000 vendors, one hop per read served the status call
# 1.5x the requests a second and the pages 1.4-2.5x, and each read took 0.3-0.7x the time.


def build_read_engine(url: str) -> AsyncEngine:
    """The async engine of `url`'s hot reads: SQLAlchemy's own pool, pre-pinged (a connection
    PostgreSQL dropped is replaced), in autocommit: PostgreSQL's default isolation gives each
    statement a snapshot of its own anyway, and a read then costs no BEGIN and no ROLLBACK."""
    size = get_settings().db_pool_size
    return create_async_engine(
        url,
        pool_pre_ping=True,
        pool_size=size,
        max_overflow=size,
        isolation_level="AUTOCOMMIT",
    )


# A connection belongs to the event loop that opened it: an engine per loop (a server has one
# loop; a test client has its own), with the generator that closes it when the loop shuts down.
_READ_ENGINES: WeakKeyDictionary[asyncio.AbstractEventLoop, tuple] = WeakKeyDictionary()


async def read_engine() -> AsyncEngine:
    """The running event loop's async engine for the configured database."""
    loop = asyncio.get_running_loop()
    url = get_settings().database_url.get_secret_value()
    made = _READ_ENGINES.get(loop)
    if made is None or made[0] != url:
        engine = build_read_engine(url)
        closer = _closed_at_shutdown(engine)
        await anext(closer)
        _READ_ENGINES[loop] = (url, engine, closer)
        return engine
    return made[1]


async def _closed_at_shutdown(engine: AsyncEngine) -> AsyncIterator[None]:
    """Closes `engine`'s connections when its loop shuts down: asyncio closes a loop's
    unfinished async generators then (`asyncio.run`, uvicorn, a test client's loop)."""
    try:
        yield
    finally:
        await engine.dispose()


async def read(fn: Callable[[Session], T]) -> T:
    """`fn(session)` in a session that never writes, awaited without blocking the loop; `fn`
    is plain synchronous code, so the services' own functions serve reads as they are.

    What `fn` returns (rows, model instances) is detached: it reads every attribute it needs.
    """
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        return await run_in_threadpool(_read_in_thread, engine, fn)
    async with AsyncSession(
        await read_engine(), sync_session_class=Session, expire_on_commit=False
    ) as session:
        return await session.run_sync(fn)


def _read_in_thread(engine: Engine, fn: Callable[[Session], T]) -> T:
    with Session(engine, expire_on_commit=False) as session:
        return fn(session)


def new_session(*, writes: bool) -> Session:
    """A session; `writes` takes SQLite's write lock up front (no effect on PostgreSQL)."""
    return Session(get_engine().execution_options(writes=writes), expire_on_commit=False)


@contextmanager
def session_scope(*, writes: bool = True) -> Iterator[Session]:
    """A session for jobs and the CLI: commits on success, rolls back on error."""
    with new_session(writes=writes) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. A write route's changes are committed once, after the handler
    and before the response is sent (a commit that fails is the response: never "saved"
    followed by a lost write); services only flush. A read route's session is rolled back:
    reads do not write.

    `async` so that FastAPI opens and closes it on the event loop: a sync generator would
    be closed in a worker thread, and when every worker waits for a pooled connection, the
    close that would hand one back never runs (a deadlock until the pool times out).
    Opening connects nothing; the first query checks a connection out, in the route's thread.
    """
    writes = request.method not in SAFE_METHODS
    with new_session(writes=writes) as session:
        yield session
        if writes:
            await run_in_threadpool(session.commit)


# scope="function": the code after `yield` (the commit) runs before the response is sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
