"""Database engine, sessions and column types shared by every table."""

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

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
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
    options = conn.get_execution_options()
    if options.get("single_read"):
        return  # one SELECT needs no transaction around it
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("writes", False) else "BEGIN")


def build_engine(url: str) -> Engine:
    """An engine for `url`, tuned for SQLite (WAL, busy timeout) or PostgreSQL (pooled)."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                "isolation_level": None,
            },
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin)
        return engine
    pool = get_settings().db_pool_size
    return create_engine(url, pool_pre_ping=True, pool_size=pool, max_overflow=pool)


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return build_engine(get_settings().database_url)


@lru_cache(maxsize=4)
def _single_reads(engine: Engine) -> Engine:
    if engine.dialect.name == "sqlite":
        return engine.execution_options(single_read=True)
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def read_once() -> Connection:
    """A pooled connection for one SELECT: no BEGIN and ROLLBACK around it (hot read paths)."""
    return _single_reads(get_engine()).connect()


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
    """A request's session; a write route commits once, before responding.

    `async` so that FastAPI opens and closes it on the event loop: a sync generator would
    be closed in a worker thread, and when every worker waits for a pooled connection, the
    close that would hand one back never runs (a deadlock until the pool times out).
    Opening connects nothing; the first query checks a connection out, in the route's thread.
    """
    with new_session(writes=request.method not in SAFE_METHODS) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
