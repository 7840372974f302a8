"""The child process that reads a PDF's text for `pdftext.page_texts`; nothing else runs it.

Run as a script in isolated mode (`python -I pdfchild.py LIMITS_JSON [PATH]`), it first caps
its own CPU time and address space (`resource.setrlimit`), then reads the PDF from PATH (or
stdin) and writes one JSON object to stdout: `{"pages": [...]}` or
`{"error": "encrypted" | "unreadable" | "too_complex"}`. Before any page is parsed it adds up
the decompressed size of every page's content streams (a stream shared by many pages counts on
each), so the usual decompression bomb is refused in milliseconds; anything subtler runs into
the CPU and memory limits here or the parent's wall-clock deadline.

It imports nothing from the app (only the standard library and pypdf), so the child starts in
about 0.1 s and a bug in pypdf cannot reach the server's memory.
"""

import io
import json
import logging
import resource
import sys

TOO_COMPLEX_EXIT = 3  # the parent reads this exit code as "too large or complex"


class TooComplex(Exception):
    """The PDF asks for more work than the limits allow."""


def _limit(limits: dict) -> None:
    cpu = int(limits["cpu_seconds"])
    memory = int(limits["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU, then SIGKILL
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))  # allocations fail past it
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _stream_size(obj, budget: int) -> int:
    from pypdf.generic import ArrayObject

    obj = obj.get_object() if obj is not None else None
    if obj is None:
        return 0
    if isinstance(obj, ArrayObject):
        total = 0
        for part in obj:
            total += _stream_size(part, budget - total)
            if total > budget:
                break
        return total
    get_data = getattr(obj, "get_data", None)
    return len(get_data()) if get_data else 0


def _content_sizes(pages: list, limits: dict) -> None:
    """TooComplex when one page's content, or all pages' together, decompress past the caps."""
    total = 0
    for page in pages:
        size = _stream_size(page.get("/Contents"), limits["page_bytes"])
        total += size
        if size > limits["page_bytes"] or total > limits["total_bytes"]:
            raise TooComplex()


def _page_text(page) -> str:
    from pypdf.errors import LimitReachedError

    try:
        return page.extract_text() or ""
    except (LimitReachedError, MemoryError, RecursionError):
        raise
    except Exception:
        return ""  # one damaged page should not hide the others


def _open(data: bytes):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        return None
    return reader


def read(data: bytes, limits: dict) -> dict:
    """The texts of the first `max_pages` pages, or why there are none."""
    from pypdf import overwrite_configuration
    from pypdf.errors import LimitReachedError

    overwrite_configuration(
        zlib_maximum_output_length=limits["stream_bytes"],
        xform_maximum_invocations_per_extraction=limits["xforms"],
    )
    try:
        reader = _open(data)
        if reader is None:
            return {"error": "encrypted"}
        pages = [reader.pages[i] for i in range(min(len(reader.pages), limits["max_pages"]))]
    except (LimitReachedError, MemoryError, RecursionError):
        return {"error": "too_complex"}
    except Exception:
        return {"error": "unreadable"}
    try:
        _content_sizes(pages, limits)
        texts = [_page_text(page) for page in pages]
    except (TooComplex, LimitReachedError, MemoryError, RecursionError):
        return {"error": "too_complex"}
    if sum(map(len, texts)) > limits["text_chars"]:
        return {"error": "too_complex"}
    return {"pages": texts}


def main(argv: list[str]) -> int:
    limits = json.loads(argv[1])
    _limit(limits)
    logging.disable(logging.CRITICAL)  # a damaged PDF is answered, not logged
    try:
        if len(argv) > 2:
            with open(argv[2], "rb") as file:
                data = file.read()
        else:
            data = sys.stdin.buffer.read()
        result = json.dumps(read(data, limits))
    except MemoryError:
        return TOO_COMPLEX_EXIT
    sys.stdout.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
