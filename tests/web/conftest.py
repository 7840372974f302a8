"""Web fixtures: logged-in browser-like clients, an upload directory, the demo data (the
browser and the live server are in tests/conftest.py)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TEST_TODAY
from web.support import WebClient, web_client

from app import config, db
from app.config import ROOT

ARTIFACTS = ROOT / "test-artifacts"


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
