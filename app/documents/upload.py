"""Receiving a multipart form with one PDF straight from the request stream.

FastAPI's `UploadFile` would have Starlette parse the whole body first (spooling the file to
disk) and only then let us look at its size: a 2 GB upload would be written out in full
before being refused. Here the body is fed chunk by chunk to python-multipart's streaming
parser: the declared Content-Length is checked before a byte is read, the file's bytes go
straight into a `StagedPdf` (which counts them, hashes them and checks the `%PDF-` magic on
the first chunk), and the request is refused with 413 the moment the cap is passed.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.documents.storage import MB, StagedPdf, TooLarge, UnsupportedMedia, max_upload_bytes
from app.errors import DomainError, Invalid

FILE_FIELD = "file"
FORM_OVERHEAD = MB  # room for the multipart framing and the small text fields of a form
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 200


class MalformedForm(DomainError):
    """The multipart body cannot be parsed."""

    status_code = 400


@dataclass
class ReceivedForm:
    """The text fields of the form and the PDF received in its file field.

    `fields` holds each field's last value; `pairs` every (name, value) in the order sent, so
    a name repeated by checkboxes or table rows keeps all of its values."""

    fields: dict[str, str] = field(default_factory=dict)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    file: StagedPdf | None = None
    filename: str = ""


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


class _FormReader:
    """python-multipart callbacks: text fields into memory (bounded), the PDF to its file."""

    def __init__(
        self, staged: StagedPdf, file_field: str, form: ReceivedForm, *, file_allowed: bool = True
    ) -> None:
        self.staged, self.file_field = staged, file_field
        self.form = form
        self.file_allowed = file_allowed  # False: refuse at the file's first byte (too large)
        self.pending: list[bytes] = []  # file bytes parsed but not yet written
        self._part = _Part()
        self._header = (b"", b"")
        self._disposition = b""
        self.complete = False

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._part, self._disposition = _Part(), b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header = (self._header[0] + data[start:end], self._header[1])

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header = (self._header[0], self._header[1] + data[start:end])

    def on_header_end(self) -> None:
        name, value = self._header
        if name.strip().lower() == b"content-disposition":
            self._disposition = value
        self._header = (b"", b"")

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise MalformedForm("a multipart part has no name")
        self._part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            self._part.filename = _decode_filename(options[b"filename"])
        self._check_part()

    def _check_part(self) -> None:
        part = self._part
        if part.filename is not None and part.name == self.file_field:
            if self.form.file is not None:
                raise Invalid(self.file_field, "send one file only")
            self.form.file, self.form.filename = self.staged, part.filename
        elif part.filename is not None:
            raise Invalid(part.name, f"unexpected file; send the PDF as {self.file_field!r}")
        elif len(self.form.pairs) >= MAX_FIELDS:
            raise MalformedForm("too many form fields")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.filename is not None:
            if not self.file_allowed and end > start:
                raise TooLarge(too_large(self.staged.max_bytes))
            self.pending.append(data[start:end])
            return
        self._part.data += data[start:end]
        if len(self._part.data) > MAX_FIELD_BYTES:
            raise Invalid(self._part.name, f"longer than {MAX_FIELD_BYTES} bytes")

    def on_part_end(self) -> None:
        if self._part.filename is None:
            value = self._part.data.decode("utf-8", "replace")
            self.form.fields[self._part.name] = value
            self.form.pairs.append((self._part.name, value))

    def on_end(self) -> None:
        self.complete = True


def _decode_filename(raw: bytes) -> str:
    """A part's file name as browsers send it (UTF-8; RFC 7578 rules out `filename*`)."""
    return raw.decode("utf-8", "replace")


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise UnsupportedMedia(f"send multipart/form-data with the PDF in the {FILE_FIELD!r} field")
    return options[b"boundary"]


def too_large(limit: int) -> str:
    """The reason a file over `limit` bytes is refused."""
    return f"the file is larger than {limit // MB} MB"


def _declared_too_large(request: Request, limit: int) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit + FORM_OVERHEAD


async def _feed(request: Request, reader: _FormReader, parser: MultipartParser, cap: int) -> None:
    received, limit = 0, (cap if reader.file_allowed else 0) + FORM_OVERHEAD
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise TooLarge(too_large(cap))
        try:
            parser.write(chunk)
        except FormParserError as exc:
            raise MalformedForm("malformed multipart body") from exc
        if reader.pending:
            data, reader.pending = b"".join(reader.pending), []
            await run_in_threadpool(reader.staged.write, data)
    if not reader.complete:
        raise MalformedForm("incomplete multipart body (no closing boundary)")


@asynccontextmanager
async def receive_pdf_form(
    request: Request,
    *,
    file_field: str = FILE_FIELD,
    required: bool = True,
    partial: ReceivedForm | None = None,
) -> AsyncIterator[ReceivedForm]:
    """Read a multipart form whose `file_field` holds a PDF; the file is staged, not stored.

    Inside the block call `form.file.promote()` to keep the document; anything not promoted is
    deleted when the block ends. Raises 413, 415, 400 or 422 (missing file) as it reads.

    `partial` (for web forms shown again after a refusal) collects the text fields as they
    arrive, so those sent before the refusal are known; with it, a declared Content-Length over
    the cap is read up to the file's first byte (at most FORM_OVERHEAD) instead of not at all.
    """
    cap = max_upload_bytes()
    boundary = _boundary(request)
    too_big = _declared_too_large(request, cap)
    if too_big and partial is None:
        raise TooLarge(too_large(cap))
    with StagedPdf(max_bytes=cap) as staged:
        form = partial if partial is not None else ReceivedForm()
        reader = _FormReader(staged, file_field, form, file_allowed=not too_big)
        parser = MultipartParser(boundary, reader.callbacks())
        await _feed(request, reader, parser, cap)
        if form.file is not None and staged.size == 0 and not form.filename:
            form.file = None  # a browser's empty file input: no file was chosen
        if form.file is not None:
            await run_in_threadpool(staged.finish)
        elif required:
            raise Invalid(file_field, f"attach the PDF as the multipart field {file_field!r}")
        yield form
