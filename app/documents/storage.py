"""Content-addressed storage of uploaded PDFs under VETTED_UPLOAD_DIR.

Bytes arrive in chunks into a temporary file inside the store (so the final rename stays on
one file system), are hashed and counted as they come, fsynced, and only then renamed to
`<upload_dir>/<sha[:2]>/<sha>`. A reader therefore never sees a half-written document, and
the same bytes uploaded twice are kept once. Names a client sends are never used in a path.
"""

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.config import ROOT, get_settings
from app.errors import DomainError

PDF_MAGIC = b"%PDF-"
PDF_MEDIA_TYPE = "application/pdf"
TMP_DIR = ".tmp"
MB = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Directories the web server publishes; the store must never sit under one of them.
PUBLIC_DIRS = (ROOT / "app" / "static", ROOT / "static")


class TooLarge(DomainError):
    """The upload is larger than VETTED_MAX_UPLOAD_MB."""

    status_code = 413


class UnsupportedMedia(DomainError):
    """The upload is not a PDF (judged by its bytes), or the request is not multipart."""

    status_code = 415


@dataclass(frozen=True)
class StoredFile:
    """A document in the store: its digest, size and where it lives."""

    sha256: str
    size: int
    path: Path


def upload_root() -> Path:
    """The store's directory; refuses one that the web server publishes."""
    root = get_settings().upload_dir.resolve()
    for public in PUBLIC_DIRS:
        if root == public.resolve() or public.resolve() in root.parents:
            raise RuntimeError(f"VETTED_UPLOAD_DIR ({root}) must not be under {public}")
    return root


def max_upload_bytes() -> int:
    """VETTED_MAX_UPLOAD_MB in bytes."""
    return get_settings().max_upload_mb * MB


def path_for(sha256: str, root: Path | None = None) -> Path:
    """Where the document with this digest lives (the digest is checked, never trusted)."""
    if not _SHA256.match(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return (root or upload_root()) / sha256[:2] / sha256


def stored_file(sha256: str, root: Path | None = None) -> StoredFile | None:
    """The stored document with this digest, or None when the store lacks it."""
    try:
        path = path_for(sha256, root)
    except ValueError:
        return None
    if not path.is_file():
        return None
    return StoredFile(sha256=sha256, size=path.stat().st_size, path=path)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _touch(path: Path) -> bool:
    """Mark a stored file as just stored again (the sweep of unattached prefill PDFs spares
    what was touched since its cutoff); False when there is no such file."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


class StagedPdf:
    """A PDF being received: written to a temporary file, checked, then promoted or discarded.

    Use it as a context manager: whatever was not promoted is deleted on exit.
    """

    def __init__(self, *, root: Path | None = None, max_bytes: int | None = None) -> None:
        self.root = root or upload_root()
        self.max_bytes = max_bytes if max_bytes is not None else max_upload_bytes()
        (self.root / TMP_DIR).mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.root / TMP_DIR, prefix="upload-", suffix=".part")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._head = b""
        self.size = 0
        self.stored: StoredFile | None = None

    def write(self, data: bytes) -> None:
        """Append a chunk; past the cap → TooLarge, a first chunk that is no PDF → 415."""
        self.size += len(data)
        if self.size > self.max_bytes:
            raise TooLarge(f"the file is larger than {self.max_bytes // MB} MB")
        if len(self._head) < len(PDF_MAGIC):
            self._head += data[: len(PDF_MAGIC) - len(self._head)]
            if not PDF_MAGIC.startswith(self._head):
                raise UnsupportedMedia("only PDF files are accepted (the file is not a PDF)")
        self._hash.update(data)
        self._file.write(data)

    def finish(self) -> None:
        """All bytes received: check it is a whole PDF header, then flush to disk."""
        if self._head != PDF_MAGIC:
            raise UnsupportedMedia("only PDF files are accepted (the file is empty or no PDF)")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    @property
    def sha256(self) -> str:
        """The digest of the bytes received so far."""
        return self._hash.hexdigest()

    def promote(self) -> StoredFile:
        """Rename into place (atomic); when those bytes are stored already keep the old copy."""
        if self.stored is not None:
            return self.stored
        target = path_for(self.sha256, self.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file() and _touch(target):
            self.path.unlink(missing_ok=True)
        else:
            os.replace(self.path, target)
            _fsync_dir(target.parent)
        self.stored = StoredFile(sha256=self.sha256, size=self.size, path=target)
        return self.stored

    def discard(self) -> None:
        """Forget the bytes (unless promoted)."""
        if not self._file.closed:
            self._file.close()
        if self.stored is None:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> "StagedPdf":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


def store_pdf_bytes(data: bytes, *, root: Path | None = None) -> StoredFile:
    """Store a PDF held in memory (CLI, seeds, tests): the same checks as an upload."""
    with StagedPdf(root=root) as staged:
        for start in range(0, len(data), MB):
            staged.write(data[start : start + MB])
        staged.finish()
        return staged.promote()
