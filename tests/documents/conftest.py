"""Fixtures for the document tests: a private upload directory, a vendor with a report,
and the generated PDFs (built once per session: fpdf2 takes a moment per document)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from documents.corpus import Sample, named
from factories import soc2_body, vendor_body

from app import config


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """VETTED_UPLOAD_DIR points at a fresh directory for each test."""
    directory = tmp_path / "uploads"
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(directory))
    config.get_settings.cache_clear()
    yield directory
    config.get_settings.cache_clear()


@pytest.fixture(scope="session")
def samples() -> dict[str, Sample]:
    """The named report and certificate wordings, as PDFs with their true values."""
    return named()


@pytest.fixture
def vendor(analyst) -> dict:
    return analyst.post("/api/v1/vendors", json=vendor_body(tier="high")).json()


@pytest.fixture
def evidence(analyst, vendor) -> dict:
    response = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body())
    assert response.status_code == 201, response.text
    return response.json()["evidence"]
