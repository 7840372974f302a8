"""Web fixtures: logged-in browser-like clients, and a real chromium against uvicorn."""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from conftest import CHROMIUM, TEST_TODAY
from web.support import WebClient, web_client

from app import config, db
from app.config import ROOT

ARTIFACTS = ROOT / "test-artifacts"


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


@pytest.fixture
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """VETTED_UPLOAD_DIR points at a fresh directory (documents, held CSV files)."""
    directory = tmp_path / "uploads"
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(directory))
    config.get_settings.cache_clear()
    yield directory
    config.get_settings.cache_clear()


@pytest.fixture
def web(app) -> Iterator[WebClient]:
    """A browser-like client with no session yet."""
    with web_client(app, None) as client:
        yield client


@pytest.fixture
def web_analyst(app) -> Iterator[WebClient]:
    """Logged in as analyst@example.com."""
    with web_client(app, "analyst") as client:
        yield client


@pytest.fixture
def web_reader(app) -> Iterator[WebClient]:
    """Logged in as reader@example.com."""
    with web_client(app, "reader") as client:
        yield client


# --- browser tests ------------------------------------------------------------------------------


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


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def demo_data(database_url: str) -> None:
    """The demo vendors of seed/demo.toml, loaded as of TEST_TODAY."""
    from app.seed import load_demo

    with db.session_scope() as session:
        load_demo(session=session, today=TEST_TODAY)
