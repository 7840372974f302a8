"""Shared fixtures: a fresh, migrated database per test, an app, clients for every role."""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app import config, db
from app.config import ROOT

TEST_TODAY = date(2026, 6, 15)
PG_URL = os.environ.get("VETTED_TEST_DATABASE_URL")


def alembic_config(url: str) -> Config:
    """Alembic's config pointed at `url`."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def use_database(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the settings and the engine at `url` for this test."""
    monkeypatch.setenv("VETTED_DATABASE_URL", url)
    monkeypatch.setenv("VETTED_DAILY_REFRESH", "false")  # tests/scale turns the pass on
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the latest migration: a SQLite file to copy, or the PostgreSQL URL."""
    if PG_URL:
        _reset_postgres(PG_URL)
        command.upgrade(alembic_config(PG_URL), "head")
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
    return str(path)


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(
    migrated_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh database at the latest migration, used by the app for this test."""
    if PG_URL:
        _truncate_postgres(PG_URL)
        url = PG_URL
    else:
        target = tmp_path / "vetted.db"
        shutil.copyfile(migrated_template, target)
        url = f"sqlite:///{target}"
    use_database(url, monkeypatch)
    yield url
    db.get_engine().dispose()
    db.get_engine.cache_clear()


@pytest.fixture
def session(database_url: str) -> Iterator[db.Session]:
    """A read session on the test database, for asserting on what the app stored."""
    with db.session_scope(writes=False) as s:
        yield s


@pytest.fixture
def app(database_url: str):
    """The application, with 'today' pinned to TEST_TODAY."""
    from app.deps import get_today
    from app.main import create_app

    application = create_app()
    application.dependency_overrides[get_today] = lambda: TEST_TODAY
    return application


def _token(role: str) -> str:
    from app.auth.roles import Role
    from app.auth.tokens import create_token

    with db.session_scope() as s:
        _, plaintext = create_token(session=s, name=f"test-{role}", role=Role(role), actor="test")
    return plaintext


@pytest.fixture
def anonymous(app) -> Iterator[TestClient]:
    """A client with no credentials."""
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


def _client(app, role: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=True)
    client.headers["Authorization"] = f"Bearer {_token(role)}"
    return client


@pytest.fixture
def reader(app) -> Iterator[TestClient]:
    """A client holding a reader (procurement) token."""
    with _client(app, "reader") as client:
        yield client


@pytest.fixture
def analyst(app) -> Iterator[TestClient]:
    """A client holding an analyst token."""
    with _client(app, "analyst") as client:
        yield client


@pytest.fixture
def admin(app) -> Iterator[TestClient]:
    """A client holding an admin token."""
    with _client(app, "admin") as client:
        yield client


# --- browser tests (tests/web, tests/reliability): Debian's chromium through Playwright ----------

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last (pytest-playwright leaves an event loop running) and are
    skipped, saying why, where Debian's chromium is not installed."""
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("browser") is not None)
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is not installed: `apt-get install -y chromium` to run browser tests"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, tmp_path_factory):
    """Debian's chromium, never a downloaded browser; its files kept out of $HOME."""
    home = tmp_path_factory.mktemp("chromium-home")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
        "env": {**os.environ, "HOME": str(home)},
    }


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1, on a socket bound here; yields its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
