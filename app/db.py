"""Database engine, sessions and column types shared by every table."""

from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from threading import Lock
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import orjson
from fastapi import Depends, Request
from psycopg.types.json import set_json_loads
from sqlalchemy import JSON, DateTime, Select, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from app.config import get_settings
from app.loop_reads import loop_pool

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


def build_engine(
    url: str, *, pool_size: int | None = None, max_overflow: int | None = None, pre_ping=True
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
    set_json_loads(orjson.loads)  # json columns parsed by orjson: the same values, faster
    return create_engine(url, pool_pre_ping=pre_ping, pool_size=size, max_overflow=overflow)


def _file_pool(url: str, size: int, overflow: int) -> dict:
    database = make_url(url).database
    if not database or database == ":memory:":
        return {}  # SQLAlchemy's single-connection pool for in-memory databases
    return {"pool_size": size, "max_overflow": overflow}


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return build_engine(get_settings().database_url.get_secret_value())


_READERS: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()
_READERS_LOCK = Lock()


def _reader(engine: Engine) -> Engine:
    """A SQLite engine's twin for the hot one-statement reads: a pool of its own that never
    makes a caller wait (the event loop must not block on a pool its worker threads can
    exhaust), no pre-ping (a dropped connection is replaced once instead); disposed with
    `engine`. SQLite's connections autocommit already (no BEGIN, no ROLLBACK)."""
    with _READERS_LOCK:
        if (reader := _READERS.get(engine)) is None:
            url = engine.url.render_as_string(hide_password=False)
            reader = build_engine(url, pool_size=2, max_overflow=-1, pre_ping=False)
            _READERS[engine] = reader
            event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
        return reader


@lru_cache(maxsize=1024)
def _driver_sql(
    statement: Select, dialect: Dialect
) -> tuple[str, tuple | None, tuple, dict[str, Any]]:
    """`statement` compiled once for the driver: its SQL, its parameters' order (if
    positional), its columns' names and the values it carries itself (`.limit(1)`)."""
    compiled = statement.compile(dialect=dialect)
    order = tuple(compiled.positiontup) if compiled.positional else None
    return compiled.string, order, tuple(statement.selected_columns.keys()), compiled.params


async def read_row(statement: Select, params: dict[str, Any]) -> dict[str, Any] | None:
    """The first row of `statement` (a module-level SELECT), by column name, or None.

    For the hot read paths (the token behind every API call, the stored status): the
    compiled SQL runs on the driver's connection, without SQLAlchemy's per-execution work;
    values come as the driver gives them (SQLite: dates and JSON as text). PostgreSQL's
    round trip is awaited (`app.loop_reads`), SQLite reads in the process. A connection the
    database dropped (a restart) is replaced once.
    """
    names, rows = await _driver_read(statement, params, many=False)
    return dict(zip(names, rows[0], strict=True)) if rows else None


def _record_maker(statement: Select, dialect: Dialect) -> Callable[[tuple], tuple]:
    """A driver's row of `statement` as a named tuple, each value converted as its column's
    type converts it (SQLite's ISO text and JSON text by the C parsers)."""
    text = dialect.name == "sqlite"  # dates and JSON arrive as text
    return _converter(statement, dialect, dates_as_text=text, json_as_text=text)


@lru_cache(maxsize=256)
def _converter(
    statement: Select, dialect: Dialect, *, dates_as_text: bool, json_as_text: bool
) -> Callable[[Sequence], tuple]:
    """Values in the order of `statement`'s columns as a named tuple, converted by type."""
    columns = statement.selected_columns
    record = namedtuple("Record", columns.keys())  # noqa: PYI024
    steps = [
        (i, step)
        for i, column in enumerate(columns)
        if (
            step := _loader(
                column.type, dialect, dates_as_text=dates_as_text, json_as_text=json_as_text
            )
        )
    ]
    if not steps:
        return record._make

    def make(row: Sequence) -> tuple:
        values = list(row)
        for i, step in steps:  # only the columns whose type converts the driver's value
            if values[i] is not None:
                values[i] = step(values[i])
        return record._make(values)

    return make


_ISO_PARSERS = {datetime: datetime.fromisoformat, date: date.fromisoformat}


def _loader(
    type_: Any, dialect: Dialect, *, dates_as_text: bool, json_as_text: bool
) -> Callable[[Any], Any] | None:
    """How a column's non-null value, as it arrives, becomes what the column's type gives
    (None: as it is). ISO dates and JSON given as text are parsed by the C parsers, falling
    back to SQLAlchemy's own conversion for any other text; then a TypeDecorator's step."""
    decorated = isinstance(type_, TypeDecorator)
    base = type_.impl_instance if decorated else type_
    slow = type_.dialect_impl(dialect).result_processor(dialect, None)
    if isinstance(base, JSON):
        fast = orjson.loads if json_as_text else None
    else:
        fast = _ISO_PARSERS.get(_python_type(base)) if dates_as_text else None
    if fast is None:
        return slow
    fallback = slow or _same
    if not decorated:

        def load(value: Any) -> Any:
            try:
                return fast(value)
            except ValueError:  # not what the fast parser reads (JSON with NaN, say)
                return fallback(value)

        return load
    after = type_.process_result_value

    def load_decorated(value: Any) -> Any:
        try:
            parsed = fast(value)
        except ValueError:
            return fallback(value)
        return after(parsed, dialect)

    return load_decorated


def _python_type(type_: Any) -> type | None:
    try:
        return type_.python_type
    except NotImplementedError:
        return None


def _same(value: Any) -> Any:
    return value


def driver_date(value: date | str | None) -> date | None:
    """A date column's value as the driver gives it (SQLite: ISO text) as a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


async def read_tuples(statement: Select, params: dict[str, Any]) -> list[tuple]:
    """Every row of `statement` as the driver's tuple, in the statement's column order; the
    statement must be built once (module level or cached), so it is compiled once."""
    return (await _driver_read(statement, params, many=True))[1]


async def _driver_read(
    statement: Select, params: dict[str, Any], *, many: bool
) -> tuple[tuple, list]:
    engine = get_engine()
    sql, values, names = _driver_call(statement, params, engine.dialect)
    return names, (await _execute(engine, [(sql, values)], many=many))[0]


async def read_records_together(
    reads: list[tuple[Select, dict[str, Any]]],
) -> list[list[tuple]]:
    """The rows of several statements, on one pooled connection, in order: each row a named
    tuple of Python values (dates, datetimes, JSON) converted by the columns' own types as
    SQLAlchemy would, without its per-row work. For pages that show a few rows of several
    tables; each statement is built once (module level) and so compiled once."""
    engine = get_engine()
    calls = [_driver_call(statement, params, engine.dialect)[:2] for statement, params in reads]
    results = await _execute(engine, calls, many=True)
    makers = (_record_maker(statement, engine.dialect) for statement, _ in reads)
    return [[make(row) for row in rows] for make, rows in zip(makers, results, strict=True)]


def reads_in_process() -> bool:
    """True when the database runs in this process (SQLite): a read costs no round trip."""
    return get_engine().dialect.name == "sqlite"


async def read_json_records(
    statement: Select, params: dict[str, Any], shapes: tuple[Select, ...]
) -> list[list[tuple]]:
    """The records of one row of `statement` whose columns each hold a JSON array of rows
    (PostgreSQL's `json_agg` of `json_build_array`), the i-th column's rows holding the values
    of `shapes[i]`'s columns in order: named tuples as `read_records_together` gives them,
    dates, datetimes and JSON included. One round trip where `read_records_together` takes
    one per statement."""
    engine = get_engine()
    sql, values, _ = _driver_call(statement, params, engine.dialect)
    (row,) = (await _execute(engine, [(sql, values)], many=True))[0]
    # dates and timestamps are ISO text in JSON; JSON columns arrive parsed
    makers = (
        _converter(shape, engine.dialect, dates_as_text=True, json_as_text=False)
        for shape in shapes
    )
    return [[make(item) for item in items or ()] for make, items in zip(makers, row, strict=True)]


async def _execute(engine: Engine, calls: list[tuple], *, many: bool) -> list[list]:
    """(sql, values) calls on one connection: PostgreSQL's awaited on the event loop, SQLite's
    run in the process (there is no round trip to wait for)."""
    if engine.dialect.name != "sqlite":
        return await loop_pool(engine).run(calls, many=many)
    return _execute_in_process(_reader(engine), calls, many=many)


def _execute_in_process(engine: Engine, calls: list[tuple], *, many: bool) -> list[list]:
    """(sql, values) calls on one of `engine`'s connections; a dropped one is replaced once."""
    for attempt in (1, 2):
        raw = engine.raw_connection()
        try:
            return _run(raw.driver_connection, calls, many=many)
        except engine.dialect.loaded_dbapi.OperationalError as exc:
            raw.invalidate()
            engine.dispose()  # its other connections died with this one
            if attempt == 2:
                raise OperationalError(calls[0][0], calls[0][1], exc) from exc
        finally:
            raw.close()
    return []


def _driver_call(statement: Select, params: dict[str, Any], dialect: Dialect) -> tuple:
    """The statement's SQL, its values in the driver's form, and its columns' names."""
    sql, order, names, own = _driver_sql(statement, dialect)
    params = {**own, **params} if own else params
    values = tuple(params[name] for name in order) if order is not None else params
    return sql, values, names


def _run(connection: Any, calls: list[tuple], *, many: bool) -> list[list]:
    # psycopg's pipeline mode was measured slower here than plain prepared statements
    cursors = (connection.execute(sql, values) for sql, values in calls)
    return [cursor.fetchall() if many else cursor.fetchmany(1) for cursor in cursors]


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
