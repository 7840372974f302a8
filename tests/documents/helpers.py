"""Small helpers shared by the document tests."""

from pathlib import Path

BOUNDARY = "vetted-test-boundary"


def stored_files(directory: Path) -> list[Path]:
    """Every file in the store, temporary ones included."""
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def multipart(data: bytes, name_param: str = 'filename="report.pdf"', field: str = "file") -> bytes:
    """A multipart/form-data body with one file part whose Content-Disposition carries
    `name_param` as written (for names a client library would clean up before sending)."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; {name_param}\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


MULTIPART_HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
