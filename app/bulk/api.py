"""GET /exports/vendors: every vendor with its status, as CSV or xlsx, streamed."""

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.api_common import UNAUTHORIZED
from app.auth.deps import Reader
from app.bulk.exporting import MEDIA_TYPES, Format, export_vendors
from app.db import session_scope
from app.deps import Today
from app.vendors.service import VendorFilter

router = APIRouter(tags=["bulk"])


def export_stream(fmt: Format, today: date, flt: VendorFilter | None = None) -> Iterator[bytes]:
    """The export's bytes (every vendor, or those matching `flt`), read in a session of its own
    that lives as long as the stream."""
    with session_scope(writes=False) as session:
        yield from export_vendors(session=session, fmt=fmt, today=today, flt=flt).chunks


def download_headers(filename: str) -> dict[str, str]:
    """An attachment, never sniffed into something else."""
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
    }


@router.get(
    "/exports/vendors",
    response_class=StreamingResponse,
    responses={
        **UNAUTHORIZED,
        200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The file"},
    },
)
def export_vendors_file(
    _: Reader,
    today: Today,
    format: Annotated[Format, Query(description="csv or xlsx")] = "csv",
) -> StreamingResponse:
    """Every vendor with tier, status, flags, next review, the current SOC 2 report's period
    and opinion and the ISO certificate's expiry. Cells are safe to open in a spreadsheet."""
    filename = f"vendors-{today.isoformat()}.{format}"
    return StreamingResponse(
        export_stream(format, today),
        media_type=MEDIA_TYPES[format],
        headers=download_headers(filename),
    )
