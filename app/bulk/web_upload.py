"""A CSV file posted from the import page: read under VETTED_MAX_UPLOAD_MB, refused sensibly
when it is no CSV, and held by its digest between the dry run and the confirmed import.

The body is read into memory (at most the cap plus a little for the form), then parsed. A file
over the cap is refused before anything is parsed, so nothing is read or written and the page
simply says so; every form that is parsed needs its CSRF token. Between the dry run and the
real run the file waits in the upload directory under its SHA-256, so the confirmation names
the file, never a plan the browser could alter, and any process can finish the import.
"""

import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.documents.storage import MB, max_upload_bytes, upload_root
from app.web.deps import require_csrf

FILE_FIELD = "file"
HOLD_DIR = ".imports"
HOLD_SECONDS = 24 * 3600
FORM_ALLOWANCE = 64 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SIGNATURES = {
    b"PK\x03\x04": "This is an Excel workbook or another zip file, not a CSV file: "
    "save it as “CSV UTF-8 (comma delimited)” and choose that file.",
    b"%PDF-": "This is a PDF, not a CSV file.",
    b"\xd0\xcf\x11\xe0": "This is an old Excel (.xls) workbook, not a CSV file: "
    "save it as “CSV UTF-8 (comma delimited)” and choose that file.",
}


class CsvRefused(Exception):
    """The upload is not an acceptable CSV file; `status` 413, 415, 400 or 422."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class CsvPost:
    """The import form posted: its text fields and the CSV file's name and bytes."""

    data: FormData
    filename: str
    content: bytes


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = CsvRefused(413, f"The file is larger than {limit // MB} MB.")
    if declared.isdigit() and int(declared) > limit + FORM_ALLOWANCE:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit + FORM_ALLOWANCE:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _parse(request: Request, body: bytes) -> FormData:
    """The multipart form in `body`, parsed by Starlette."""

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=1, max_fields=20)
    except HTTPException as exc:
        raise CsvRefused(400, f"The form could not be read: {exc.detail}") from exc


async def read_csv_post(request: Request) -> CsvPost:
    """The posted import form, CSRF-checked; CsvRefused when the file is too large or no CSV."""
    content_type, _ = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data":
        raise CsvRefused(415, "Send the form from the import page, with the CSV file attached.")
    data = await _parse(request, await _body(request, max_upload_bytes()))
    require_csrf(request, data)
    upload = data.get(FILE_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise CsvRefused(422, "Choose the CSV file to import.")
    content = await upload.read()
    await upload.close()
    check_csv(upload.filename, content)
    return CsvPost(data=data, filename=upload.filename, content=content)


def check_csv(filename: str, content: bytes) -> None:
    """CsvRefused unless the bytes could be a CSV file (the rows are checked by the import)."""
    for signature, message in _SIGNATURES.items():
        if content.startswith(signature):
            raise CsvRefused(415, message)
    if b"\x00" in content[:65536]:
        raise CsvRefused(415, "This is not a text file: choose the CSV file.")
    if Path(filename).suffix.lower() not in (".csv", ".txt", ""):
        raise CsvRefused(415, f"Choose a .csv file (this one is {Path(filename).suffix}).")
    if not content.strip():
        raise CsvRefused(422, "The file is empty.")


def _hold_dir() -> Path:
    directory = upload_root() / HOLD_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _prune(directory: Path) -> None:
    cutoff = time.time() - HOLD_SECONDS
    for path in directory.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def hold(content: bytes) -> str:
    """Keep the file until it is imported (a day at most); returns its SHA-256."""
    directory = _hold_dir()
    _prune(directory)
    sha = hashlib.sha256(content).hexdigest()
    fd, name = tempfile.mkstemp(dir=directory, prefix="upload-", suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(name, directory / f"{sha}.csv")
    return sha


def held(sha: object) -> bytes | None:
    """The held file with this digest, or None (unknown, malformed or pruned)."""
    if not isinstance(sha, str) or not _SHA256.match(sha):
        return None
    path = _hold_dir() / f"{sha}.csv"
    return path.read_bytes() if path.is_file() else None


def release(sha: str) -> None:
    """Forget a held file once it has been imported."""
    if _SHA256.match(sha):
        (_hold_dir() / f"{sha}.csv").unlink(missing_ok=True)
