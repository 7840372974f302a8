"""The scale benchmark: every figure of the scale issue, side by side, on SQLite and PostgreSQL.

    python -m tests.perf.run --n 100000 --db both

Fills (or reuses) a database of N generated vendors per backend, plus the small ones the
ratios compare with, serves each with uvicorn[standard] in a subprocess on a free loopback
port, loads it with wrk, and prints one table: target, measured, ratio, limit, PASS/FAIL.
Each ratio's two sides are measured alternately in the same run (A B B A …, medians), so
the ratio holds on a noisy machine even when the absolute figures drift.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app import clock
from app.models import Vendor

from .bench_app import BARE_PATH, BODY_BYTES
from .generate import bench_engine, generate, migrate

ROOT = Path(__file__).resolve().parents[2]
STATUS_PATH = "/api/v1/vendors/{id}/status"
LIST_PATH = "/api/v1/vendors?status=blocked&limit=50"
# Issue 17's filters: reviews overdue or due within 30 days, renewal decisions within 90.
LIST_PATHS = (
    LIST_PATH,
    "/api/v1/vendors?review_due_within_days=30&limit=50",
    "/api/v1/vendors?decision_within_days=90&limit=50",
)
WRK_SCRIPT = """
local template = os.getenv("BENCH_PATH")
local lo, hi = tonumber(os.getenv("BENCH_LO")), tonumber(os.getenv("BENCH_HI"))
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function()
  local path = (template:gsub("{id}", tostring(math.random(lo, hi))))
  return wrk.format("GET", path)
end
"""


# --- figures -----------------------------------------------------------------------------------


@dataclass
class Figure:
    """One row of the table."""

    db: str
    target: str
    measured: str
    ratio: float | None = None
    limit: str = "—"
    passed: bool | None = None  # None: informational, or skipped (see `measured`)


def judged(
    db: str, target: str, measured: str, ratio: float, limit: str, *, absolute: bool = False
) -> Figure:
    """A figure whose ratio is held against `limit` ('≥ 0.6', '≤ 1.5'); an `absolute` one
    holds a measured value (seconds, vendors a second) and shows no ratio."""
    op, value = limit.split()
    bound = float(value.replace(",", ""))
    passed = ratio >= bound if op == "≥" else ratio <= bound
    return Figure(db, target, measured, None if absolute else ratio, limit, passed)


def print_table(figures: list[Figure]) -> None:
    """The table the issue asks for."""
    head = ("db", "target", "measured", "ratio", "limit", "result")
    rows = [head] + [
        (
            f.db,
            f.target,
            f.measured,
            "—" if f.ratio is None else f"{f.ratio:,.2f}",
            f.limit,
            {True: "PASS", False: "FAIL", None: "—"}[f.passed],
        )
        for f in figures
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


# --- databases ---------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str  # sqlite | postgres
    workdir: Path
    pg_url: str

    def url(self, n: int) -> str:
        if self.name == "sqlite":
            return f"sqlite:///{self.workdir / f'vetted_{n}.db'}"
        return f"{self.pg_url}/vetted_bench_{n}"

    def recreate(self, n: int) -> None:
        """An empty database for `n` vendors."""
        if self.name == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.workdir / f'vetted_{n}.db'}{suffix}").unlink(missing_ok=True)
            return
        admin = create_engine(f"{self.pg_url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS vetted_bench_{n} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE vetted_bench_{n}"))
        admin.dispose()


def _holds(url: str, n: int, today) -> bool:
    """True when `url` has `n` vendors materialised on `today` (made by an earlier run)."""
    try:
        engine = bench_engine(url)
        with engine.connect() as conn:
            query = select(func.count(), func.min(Vendor.status_on), func.max(Vendor.status_on))
            count, first, last = conn.execute(query).one()
        engine.dispose()
    except Exception:  # missing database or table: make it
        return False
    return count == n and first == last == today


def prepare(backend: Backend, n: int, today, *, regenerate: bool) -> tuple[str, float | None]:
    """The database of `n` vendors, made unless a usable one exists; seconds it took to fill."""
    url = backend.url(n)
    if backend.name == "sqlite" and make_url(url).database:
        backend.workdir.mkdir(parents=True, exist_ok=True)
    if not regenerate and _holds(url, n, today):
        migrate(url)  # a database made before a schema change gains it
        print(f"[{backend.name}] reusing {n:,} vendors at {url}", flush=True)
        return url, None
    backend.recreate(n)
    migrate(url)
    stats = generate(bench_engine(url), n, today=today)
    print(
        f"[{backend.name}] generated {stats.vendors:,} vendors, {stats.evidence:,} evidence, "
        f"{stats.waivers:,} waivers in {stats.seconds:.1f} s; statuses {stats.by_status}",
        flush=True,
    )
    return url, stats.seconds


def credentials(url: str) -> tuple[str, str | None]:
    """A reader API token, and a reader's web session cookie (when the web app exists)."""
    from app.auth.roles import Role
    from app.auth.tokens import create_token
    from app.auth.users import create_user

    engine, tag = bench_engine(url), os.urandom(4).hex()
    with Session(engine) as session:
        name, reader = f"bench-{tag}", Role.reader
        _, token = create_token(session=session, name=name, role=reader, actor="bench")
        user = create_user(
            session=session,
            email=f"bench-{tag}@bench.example",
            password=os.urandom(12).hex(),
            role=reader,
            actor="bench",
        )
        cookie = _web_cookie(session, user) if _exists("app.web.session") else None
        session.commit()
    engine.dispose()
    return token, cookie


def _web_cookie(session: Session, user) -> str:
    from app.auth.sessions import start
    from app.web.session import WebSession

    web = WebSession({})
    web.log_in(start(session=session, user=user, now=clock.utc_now()))
    return web.set_cookie_header(secure=False).split(";")[0]


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def id_range(url: str) -> tuple[int, int]:
    engine = bench_engine(url)
    with engine.connect() as conn:
        lo, hi = conn.execute(select(func.min(Vendor.id), func.max(Vendor.id))).one()
    engine.dispose()
    return lo, hi


# --- servers and load ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a process serving or probing the database at `url`."""
    return os.environ | {"VETTED_DATABASE_URL": url, "VETTED_DAILY_REFRESH": "false", **extra}


@contextmanager
def server(url: str, **extra: str) -> Iterator[str]:
    """uvicorn[standard] (uvloop, httptools), one process, serving the bench app on `url`."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "tests.perf.bench_app:create_bench_app", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools"),
        *("--log-level", "warning", "--no-access-log"),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=app_env(url, **extra))
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not start within 60 s")


@dataclass
class Load:
    """What wrk saw: requests per second, 99th percentile latency, failed responses."""

    rps: float
    p99_ms: float
    errors: int = 0


@dataclass
class Wrk:
    workdir: Path
    duration: float
    connections: int
    threads: int
    script: Path = field(init=False)

    def __post_init__(self) -> None:
        self.script = self.workdir / "random_ids.lua"
        self.script.write_text(WRK_SCRIPT)

    def __call__(self, base: str, path: str, ids: tuple[int, int], header: str) -> Load:
        command = [
            *("wrk", f"-t{self.threads}", f"-c{self.connections}", f"-d{self.duration:g}s"),
            *("--latency", "-s", str(self.script), "-H", header, base),
        ]
        env = os.environ | {"BENCH_PATH": path, "BENCH_LO": str(ids[0]), "BENCH_HI": str(ids[1])}
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
        return parse_wrk(out)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(out: str) -> Load:
    """Requests/sec, the 99% latency and the failures from wrk's report."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Load(rps, float(value) * _UNITS[unit], errors)


def alternate(
    sides: dict[str, Callable[[], object]], rounds: int, *, warm_up: bool = False
) -> dict[str, list]:
    """Every side once a round, in turn, the order reversed every other round; with
    `warm_up`, a first round whose results are dropped (caches, pools, page faults)."""
    names, results = list(sides), {name: [] for name in sides}
    if warm_up:
        for name in names:
            sides[name]()
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            results[name].append(sides[name]())
    return results


def median_load(loads: list[Load]) -> Load:
    """The medians of several runs, and every failed request they saw."""
    return Load(
        statistics.median(x.rps for x in loads),
        statistics.median(x.p99_ms for x in loads),
        sum(x.errors for x in loads),
    )


def failed(figure: Figure, *loads: Load) -> Figure:
    """A figure is failed whatever its ratio when some request failed."""
    if errors := sum(load.errors for load in loads):
        figure.measured += f" ({errors} failed requests)"
        figure.passed = False
    return figure


# --- the targets ---------------------------------------------------------------------------------


@dataclass
class Context:
    db: str
    url: str
    small_url: str
    digest_url: str
    n: int
    small: int
    digest_small: int
    rounds: int
    wrk: Wrk | None
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure, *loads: Load) -> None:
        figure = failed(figure, *loads)
        self.figures.append(figure)
        print(f"[{self.db}] {figure.target}: {figure.measured}", flush=True)

    def skip(self, target: str, why: str) -> None:
        self.add(Figure(self.db, target, f"skipped: {why}"))


def mean_status_bytes(base: str, token: str, ids: tuple[int, int]) -> int:
    """The mean size of status responses over 100 ids spread across the range."""
    step = max(1, (ids[1] - ids[0]) // 100)
    sizes = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        for vendor_id in range(ids[0], ids[1] + 1, step):
            response = client.get(STATUS_PATH.format(id=vendor_id))
            response.raise_for_status()
            sizes.append(len(response.content))
    return round(statistics.mean(sizes))


def http_targets(ctx: Context) -> None:
    """Targets 1, 2 and 6: wrk against servers on the big and the small database."""
    if ctx.wrk is None:
        for target in ("1 status API", "2 filtered list", "6 pages"):
            ctx.skip(target, "wrk is not installed (apt-get install -y wrk)")
        return
    token, cookie = credentials(ctx.url)
    small_token, _ = credentials(ctx.small_url)
    ids, auth = id_range(ctx.url), f"Authorization: Bearer {token}"
    with server(ctx.url) as probe_base:
        size = mean_status_bytes(probe_base, token, ids)
    with server(ctx.url, **{BODY_BYTES: str(size)}) as big, server(ctx.small_url) as small:
        status_target(ctx, big, ids, auth, size)
        list_target(ctx, big, small, auth, f"Authorization: Bearer {small_token}")
        if cookie is None:
            ctx.skip("6 pages", "app/web is not there yet")
        else:
            pages_target(ctx, big, ids, auth, f"Cookie: {cookie}")


def status_target(ctx: Context, base: str, ids, auth: str, size: int) -> None:
    runs = alternate(
        {
            "status": lambda: ctx.wrk(base, STATUS_PATH, ids, auth),
            "bare": lambda: ctx.wrk(base, BARE_PATH.replace("{vendor_id}", "{id}"), ids, auth),
        },
        ctx.rounds,
        warm_up=True,
    )
    status, bare = median_load(runs["status"]), median_load(runs["bare"])
    ctx.add(
        judged(
            ctx.db,
            f"1 status API req/s at N={ctx.n:,} vs bare async endpoint ({size} B body)",
            f"{status.rps:,.0f} vs {bare.rps:,.0f} req/s",
            status.rps / bare.rps,
            "≥ 0.5",
        ),
        status,
        bare,
    )
    ctx.add(
        judged(
            ctx.db,
            "1 status API p99 latency vs bare",
            f"{status.p99_ms:.1f} vs {bare.p99_ms:.1f} ms",
            status.p99_ms / bare.p99_ms,
            "≤ 3",
        ),
        status,
        bare,
    )


def list_target(ctx: Context, big: str, small: str, auth: str, small_auth: str) -> None:
    for path in LIST_PATHS:
        runs = alternate(
            {
                "big": lambda p=path: ctx.wrk(big, p, (1, 1), auth),
                "small": lambda p=path: ctx.wrk(small, p, (1, 1), small_auth),
            },
            ctx.rounds,
            warm_up=True,
        )
        big_load, small_load = median_load(runs["big"]), median_load(runs["small"])
        ctx.add(
            judged(
                ctx.db,
                f"2 GET {path} time at N={ctx.n:,} vs N={ctx.small:,}",
                f"{1000 / big_load.rps:.2f} vs {1000 / small_load.rps:.2f} ms/req",
                small_load.rps / big_load.rps,
                "≤ 1.5",
            ),
            big_load,
            small_load,
        )


def pages_target(ctx: Context, base: str, ids, auth: str, cookie: str) -> None:
    runs = alternate(
        {
            "status": lambda: ctx.wrk(base, STATUS_PATH, ids, auth),
            "list page": lambda: ctx.wrk(base, "/vendors", ids, cookie),
            "vendor page": lambda: ctx.wrk(base, "/vendors/{id}", ids, cookie),
            "dashboard page": lambda: ctx.wrk(base, "/", ids, cookie),
        },
        ctx.rounds,
        warm_up=True,
    )
    status = median_load(runs["status"])
    for name in ("list page", "vendor page", "dashboard page"):
        page = median_load(runs[name])
        figure = judged(
            ctx.db,
            f"6 {name} render time at N={ctx.n:,} vs the status API call",
            f"{1000 / page.rps:.2f} vs {1000 / status.rps:.2f} ms/req",
            status.rps / page.rps,
            "≤ 10",
        )
        if name == "dashboard page":
            figure = informational(figure)
        ctx.add(figure, status, page)


def informational(figure: Figure) -> Figure:
    """Target 6 names the list and vendor pages. The dashboard counts every tracked vendor by
    status, exactly, so its time grows with N; it is shown beside them, not judged."""
    return replace(figure, limit="—", passed=None)


def probe(url: str, name: str) -> dict:
    """One measurement of tests/perf/probe.py in a fresh process."""
    command = [sys.executable, "-m", "tests.perf.probe", name]
    done = subprocess.run(command, cwd=ROOT, env=app_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"probe {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def daily_target(ctx: Context) -> None:
    """Target 3: finding lapsed vendors is an indexed query; the pass's pace."""
    runs = alternate(
        {"big": lambda: probe(ctx.url, "due"), "small": lambda: probe(ctx.small_url, "due")},
        ctx.rounds,
        warm_up=True,
    )
    big = statistics.median(r["seconds"] for r in runs["big"])
    small = statistics.median(r["seconds"] for r in runs["small"])
    ctx.add(
        judged(
            ctx.db,
            f"3 lapsed-vendor check (due_ids) at N={ctx.n:,} vs N={ctx.small:,}",
            f"{big * 1e6:.0f} vs {small * 1e6:.0f} µs",
            big / small,
            "≤ 1.5",
        )
    )
    done = probe(ctx.url, "daily")
    settle(ctx.url)
    pace = done["vendors"] / done["seconds"] if done["seconds"] else 0
    ctx.add(
        Figure(
            ctx.db,
            "3 daily pass 30 days ahead (rolled back)",
            f"{done['vendors']:,} lapsed vendors re-evaluated in {done['seconds']:.1f} s "
            f"({pace:,.0f}/s)",
        )
    )


def evaluate_target(ctx: Context) -> None:
    """Target 4: `vetted evaluate` against reading the same rows with the same queries."""
    runs = alternate(
        {"read": lambda: probe(ctx.url, "read-rows"), "eval": lambda: probe(ctx.url, "evaluate")},
        ctx.rounds,
        warm_up=True,
    )
    read = statistics.median(r["seconds"] for r in runs["read"])
    evaluated = statistics.median(r["seconds"] for r in runs["eval"])
    ctx.add(
        judged(
            ctx.db,
            f"4 vetted evaluate at N={ctx.n:,} vs reading its rows",
            f"{evaluated:.1f} vs {read:.1f} s",
            evaluated / read,
            "≤ 2",
        )
    )
    ctx.add(
        judged(
            ctx.db,
            "4 vetted evaluate throughput",
            f"{ctx.n / evaluated:,.0f} vendors/s",
            ctx.n / evaluated,
            "≥ 10,000",
            absolute=True,
        )
    )


def digest_target(ctx: Context) -> None:
    """Target 5: building the weekly digest at N against N=10,000: time and peak memory."""
    if not _exists("app.digest.job"):
        ctx.skip("5 digest", "app/digest is not there yet")
        return
    runs = alternate(
        {"big": lambda: probe(ctx.url, "digest"), "small": lambda: probe(ctx.digest_url, "digest")},
        max(2, ctx.rounds - 1),
    )
    big = statistics.median(r["seconds"] for r in runs["big"])
    small = statistics.median(r["seconds"] for r in runs["small"])
    ctx.add(
        judged(
            ctx.db,
            f"5 digest build time at N={ctx.n:,} vs N={ctx.digest_small:,}",
            f"{big:.1f} vs {small:.1f} s",
            big / small,
            "≤ 11",
        )
    )
    big_peak = probe(ctx.url, "digest-memory")["peak_bytes"]
    small_peak = probe(ctx.digest_url, "digest-memory")["peak_bytes"]
    ctx.add(
        judged(
            ctx.db,
            "5 digest peak memory (tracemalloc)",
            f"{big_peak / 2**20:.1f} vs {small_peak / 2**20:.1f} MiB",
            big_peak / small_peak,
            "≤ 1.5",
        )
    )


TARGETS = {"1": http_targets, "3": daily_target, "4": evaluate_target, "5": digest_target}


# --- the run -------------------------------------------------------------------------------------


def settle(url: str) -> None:
    """PostgreSQL: VACUUM ANALYZE, so figures do not depend on when autovacuum last ran (the
    daily probe's rolled-back pass leaves dead tuples, and index-only counts then visit the
    heap). SQLite: nothing to do."""
    if make_url(url).get_backend_name() != "postgresql":
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
        _warm(conn)
    engine.dispose()


# Every table and index of the database, read once (pg_prewarm's 'read' mode: into the OS cache)
PREWARM = """SELECT count(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')"""


def _warm(conn) -> None:
    """Read the database into the OS page cache, so that pages of random vendors measure the
    app and not the disk (the vendor page reads evidence and audit rows no other figure
    touches, and the SQLite run before may have pushed them out). Skipped, saying why, where
    the pg_prewarm extension (in Debian's postgresql package) cannot be created."""
    try:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        conn.execute(text(PREWARM))
    except DBAPIError as exc:
        print(f"  PostgreSQL's cache not warmed: {str(exc.orig).strip()}", flush=True)


def run_backend(backend: Backend, args, today) -> list[Figure]:
    """Every target on one backend."""
    urls, figures = {}, []
    for n in sorted({args.n, args.small, args.digest_small}):
        urls[n], seconds = prepare(backend, n, today, regenerate=args.regenerate)
        settle(urls[n])
        if seconds is not None and n == args.n:
            figures.append(
                judged(
                    backend.name,
                    f"generator at N={n:,}",
                    f"{seconds:.1f} s",
                    seconds,
                    "≤ 60",
                    absolute=True,
                )
            )
    wrk = Wrk(args.workdir, args.duration, args.connections, args.threads)
    ctx = Context(
        db=backend.name,
        url=urls[args.n],
        small_url=urls[args.small],
        digest_url=urls[args.digest_small],
        n=args.n,
        small=args.small,
        digest_small=args.digest_small,
        rounds=args.rounds,
        wrk=wrk if shutil.which("wrk") else None,
        figures=figures,
    )
    for key, target in TARGETS.items():
        if key in args.only:
            target(ctx)
    return ctx.figures


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description="Vetted's scale benchmark (see the README).")
    parser.add_argument("--n", type=int, default=100_000, help="vendors in the big database")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--small", type=int, default=1_000, help="the list's and check's base")
    parser.add_argument("--digest-small", type=int, default=10_000, help="the digest's base")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "VETTED_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:55432"
        ),
        help="PostgreSQL server (no database); vetted_bench_N databases are made there",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vetted-bench"))
    parser.add_argument("--duration", type=float, default=4, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each side of a ratio")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="1345", help="targets to run, e.g. 14 (2, 6 go with 1)")
    parser.add_argument("--regenerate", action="store_true", help="fill the databases anew")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    today = clock.today()
    backends = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    print(
        f"Vetted scale benchmark: N={args.n:,}, today {today}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    figures = []
    for name in backends:
        figures += run_backend(Backend(name, args.workdir, args.pg_url), args, today)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}\n")
    print_table(figures)
    return 1 if any(f.passed is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
