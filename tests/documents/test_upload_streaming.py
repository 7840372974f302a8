"""A huge upload is refused while it streams in, without reading (or storing) the whole body.

The request goes through httpx's ASGI transport, which hands the app the body chunk by chunk
as the app asks for it, so the test can count how much of a "2 GB" upload the app consumed.
"""

import anyio
import httpx
import pytest
from documents.helpers import BOUNDARY, MULTIPART_HEADERS, stored_files

from app import config

CHUNK = 64 * 1024
TWO_GB = 2 * 1024**3


@pytest.fixture
def one_mb_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETTED_MAX_UPLOAD_MB", "1")
    config.get_settings.cache_clear()


class Body:
    """A multipart body with a PDF part of `size` bytes, produced lazily and counted."""

    def __init__(self, size: int) -> None:
        self.size, self.sent = size, 0

    async def __aiter__(self):
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
        ).encode()
        self.sent += len(head)
        yield head
        while self.sent < self.size:
            self.sent += CHUNK
            yield b"0" * CHUNK
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _post(app, token: str, url: str, body: Body, headers: dict) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(url, content=body, headers={**headers, "Authorization": token})

    return anyio.run(run)


def test_a_2gb_chunked_upload_is_refused_after_about_the_cap(
    app, analyst, evidence, upload_dir, one_mb_cap
):
    body = Body(TWO_GB)
    url = f"/api/v1/evidence/{evidence['id']}/document"
    response = _post(app, analyst.headers["Authorization"], url, body, MULTIPART_HEADERS)
    assert response.status_code == 413
    assert body.sent < 3 * 1024 * 1024  # read about 1 MB (+ the form allowance), not 2 GB
    assert stored_files(upload_dir) == []


def test_a_declared_2gb_upload_is_refused_before_the_body_is_read(
    app, analyst, evidence, upload_dir
):
    body = Body(TWO_GB)
    headers = {**MULTIPART_HEADERS, "Content-Length": str(TWO_GB)}
    url = f"/api/v1/evidence/{evidence['id']}/document"
    response = _post(app, analyst.headers["Authorization"], url, body, headers)
    assert response.status_code == 413
    assert body.sent == 0


def test_the_extract_route_has_the_same_cap(app, analyst, vendor, upload_dir, one_mb_cap):
    body = Body(TWO_GB)
    url = f"/api/v1/vendors/{vendor['id']}/evidence/extract"
    response = _post(app, analyst.headers["Authorization"], url, body, MULTIPART_HEADERS)
    assert response.status_code == 413
    assert body.sent < 3 * 1024 * 1024


def test_an_unauthenticated_upload_is_refused_before_the_body_is_read(app, evidence):
    body = Body(TWO_GB)
    url = f"/api/v1/evidence/{evidence['id']}/document"
    response = _post(app, "Bearer nope", url, body, MULTIPART_HEADERS)
    assert response.status_code == 401
    assert body.sent == 0
