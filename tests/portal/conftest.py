"""Fixtures for evidence requests and the portal: a private upload directory, a vendor, a
small PDF."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import vendor_body

from app import config

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """VETTED_UPLOAD_DIR points at a fresh directory for each test."""
    directory = tmp_path / "uploads"
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(directory))
    config.get_settings.cache_clear()
    yield directory
    config.get_settings.cache_clear()


@pytest.fixture
def vendor(analyst) -> dict:
    """A high-tier vendor with a security contact."""
    body = vendor_body(tier="high")
    return analyst.post("/api/v1/vendors", json=body).json()
