"""Several app processes on one database: nothing one process knows that another would miss."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from perf.generate import bench_engine, generate, migrate
from sqlalchemy import create_engine
from sqlmodel import Session, func, select

from app import clock
from app.auth.roles import Role
from app.auth.tokens import create_token, revoke_token
from app.auth.users import create_user
from app.config import ROOT
from app.models import JobRun
from app.status.daily import JOB
from app.status.service import due_filter

PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_process(url: str, secret: str) -> Iterator[str]:
    """`uvicorn app.main:create_app` in a process of its own, with the daily pass on."""
    port = _free_port()
    env = os.environ | {
        "VETTED_DATABASE_URL": url,
        "VETTED_SECRET_KEY": secret,
        "VETTED_DAILY_REFRESH": "true",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app process exited"
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the app process did not start")


def _log_in(base: str) -> httpx.Cookies:
    """Log in through the web form on one process; the session lives in the cookie."""
    with httpx.Client(base_url=base) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        done = client.post(
            "/login",
            data={"email": "reader@bank.example", "password": PASSWORD, "csrf_token": csrf},
        )
        assert done.status_code == 303, done.text
        return client.cookies


@pytest.fixture
def lapsed_vendors(database_url) -> int:
    """Vendors materialised 40 days ago: today some of them have lapsed."""
    engine = bench_engine(database_url)
    generate(engine, 150, today=clock.today() - timedelta(days=40), seed=11, workers=0)
    with Session(engine) as session:
        lapsed = session.exec(select(func.count()).where(due_filter(clock.today()))).one()
        create_user(
            session=session,
            email="reader@bank.example",
            password=PASSWORD,
            role=Role.reader,
            actor="test",
        )
        session.commit()
    engine.dispose()
    assert lapsed > 0
    return lapsed


def _token(name: str) -> str:
    from app.db import session_scope

    with session_scope() as session:
        return create_token(session=session, name=name, role=Role.reader, actor="test")[1]


def _daily_runs(url: str) -> list[JobRun]:
    engine = bench_engine(url)
    with Session(engine) as session:
        runs = list(session.exec(select(JobRun).where(JobRun.job == JOB)))
    engine.dispose()
    return runs


def test_two_processes_share_sessions_tokens_and_one_daily_pass(database_url, lapsed_vendors):
    token, secret = _token("procurement"), secrets.token_urlsafe(32)
    bearer = {"Authorization": f"Bearer {token}"}
    with app_process(database_url, secret) as a, app_process(database_url, secret) as b:
        for base in (a, b):
            assert httpx.get(f"{base}/api/v1/vendors/1/status", headers=bearer).status_code == 200
        cookies = _log_in(a)
        page = httpx.get(f"{b}/vendors", cookies=cookies)
        assert page.status_code == 200 and "Log in to Vetted" not in page.text
        deadline = time.monotonic() + 20
        while not (runs := _daily_runs(database_url)) or runs[0].finished_at is None:
            assert time.monotonic() < deadline, "no daily pass ran"
            time.sleep(0.1)
        from app.db import session_scope

        with session_scope() as session:
            revoke_token(session=session, name="procurement", actor="test")
        for base in (a, b):  # no process keeps a stale copy of the token
            assert httpx.get(f"{base}/api/v1/vendors/1/status", headers=bearer).status_code == 401
    assert len(runs) == 1 and runs[0].day == clock.today()
    assert runs[0].processed == lapsed_vendors


PGBIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


@contextmanager
def private_postgres() -> Iterator[tuple[str, Callable[[], None]]]:
    """A throwaway PostgreSQL cluster of our own; yields its URL and a restart function."""
    home = Path(tempfile.mkdtemp(prefix="vetted-pg-"))
    shutil.chown(home, "postgres")
    pgbin, data, port = PGBIN[-1], home / "data", _free_port()

    def as_postgres(*args: str) -> None:
        subprocess.run(["su", "postgres", "-c", " ".join(args)], cwd="/", check=True)

    as_postgres(f"{pgbin}/initdb", "-D", str(data), "-U", "postgres", "--auth=trust", ">/dev/null")
    options = f"'-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off'"
    ctl = [f"{pgbin}/pg_ctl", "-D", str(data), "-l", str(home / "log"), "-w", "-o", options]
    as_postgres(*ctl, "start", ">/dev/null")
    try:
        as_postgres(f"{pgbin}/createdb", "-h", "127.0.0.1", "-p", str(port), "vetted")
        yield (
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/vetted",
            lambda: as_postgres(*ctl, "-m", "fast", "restart", ">/dev/null"),
        )
    finally:
        as_postgres(*ctl, "-m", "immediate", "stop", ">/dev/null")
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.skipif(
    not PGBIN or os.geteuid() != 0 or shutil.which("su") is None,
    reason="needs PostgreSQL's binaries and root (to start a private cluster as postgres)",
)
def test_the_app_survives_a_postgresql_restart():
    with private_postgres() as (url, restart):
        migrate(url)
        engine = create_engine(url)
        with Session(engine) as session:
            _, token = create_token(session=session, name="p", role=Role.reader, actor="test")
            session.commit()
        engine.dispose()
        bearer = {"Authorization": f"Bearer {token}"}
        with app_process(url, secrets.token_urlsafe(32)) as base:
            assert httpx.get(f"{base}/api/v1/vendors", headers=bearer).status_code == 200
            restart()
            for _ in range(3):  # every pooled connection died: pre-ping replaces each one
                assert httpx.get(f"{base}/api/v1/vendors", headers=bearer).status_code == 200
            assert httpx.get(f"{base}/readyz").json() == {"status": "ok"}
