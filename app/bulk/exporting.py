"""Exporting every vendor with its status today, as CSV or as an Excel workbook, streamed.

Vendors are read a batch at a time (keyset on id) and evaluated as of `today`, so the status,
flags and review date are current even when a stored assessment has lapsed. The columns of the
import come first, unchanged, so an export imports straight back.
"""

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import Session, col, select

from app.bulk.csvfile import BOM, neutralise, write_rows
from app.models import Vendor
from app.rules.engine import coverage, evaluate
from app.rules.facts import VendorCase
from app.status.service import current_policy, load_cases
from app.vendors.schemas import VENDOR_FIELDS
from app.vendors.service import VendorFilter, filtered_query

Format = Literal["csv", "xlsx"]
BATCH = 1000
CHUNK = 64 * 1024
IMPORT_COLUMNS = VENDOR_FIELDS  # a vendor's fields, as the API names them
LIST_COLUMNS = frozenset({"required_tsc"})  # `;`-separated in a cell, empty for none
EXPORT_COLUMNS = (
    *IMPORT_COLUMNS,
    "id",
    "status",
    "flags",
    "next_review_on",
    "soc2_report_type",
    "soc2_period_start",
    "soc2_period_end",
    "soc2_opinion",
    "soc2_auditor",
    "iso_standard_version",
    "iso_certificate_number",
    "iso_expires_on",
    "soc2_scope_covers_services",  # v2: the analyst's scope judgement; blank = not judged
    "iso_scope_covers_services",
)
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportFile:
    """A download: its file name, media type and the bytes, produced as they are read."""

    filename: str
    media_type: str
    chunks: Iterator[bytes]


def _flags(flags) -> str:
    labels = []
    for f in flags:
        extra = ", waived" if f.waived else ""
        labels.append(f"{f.code} ({f.severity}{extra})")
    return "; ".join(labels)


def _cell(vendor: Vendor, column: str) -> object:
    value = getattr(vendor, column)
    return "; ".join(value or ()) if column in LIST_COLUMNS else value


def vendor_row(vendor: Vendor, case: VendorCase, today: date) -> list:
    """One exported row: the vendor's fields, its status today, its current report and
    certificate (R and C of the rules)."""
    policy = current_policy()
    assessment = evaluate(case, policy, as_of=today)
    cover = coverage(case, policy, as_of=today)
    report, certificate = cover.report, cover.certificate
    return [
        *(_cell(vendor, column) for column in IMPORT_COLUMNS),
        vendor.id,
        assessment.status,
        _flags(assessment.flags),
        assessment.next_review_on,
        report.report_type if report else None,
        report.period_start if report else None,
        report.period_end if report else None,
        report.opinion if report else None,
        report.auditor if report else None,
        certificate.standard_version if certificate else None,
        certificate.certificate_number if certificate else None,
        certificate.expires_on if certificate else None,
        report.scope_covers_services if report else None,
        certificate.scope_covers_services if certificate else None,
    ]


def iter_rows(
    *,
    session: Session,
    today: date,
    progress: Progress | None = None,
    flt: VendorFilter | None = None,
) -> Iterator[list[list]]:
    """Every vendor's row (or those matching the list filters `flt`), a batch at a time, by id."""
    last_id = 0
    base = filtered_query(select(Vendor), flt, today) if flt else select(Vendor)
    while True:
        query = base.where(col(Vendor.id) > last_id).order_by(col(Vendor.id))
        vendors = session.exec(query.limit(BATCH)).all()
        if not vendors:
            return
        cases = load_cases(session=session, vendors=vendors)
        yield [vendor_row(v, c, today) for v, c in zip(vendors, cases, strict=True)]
        if progress:
            progress(len(vendors))
        last_id = vendors[-1].id  # the session's identity map is weak: read rows are let go


def _csv_chunks(batches: Iterator[list[list]]) -> Iterator[bytes]:
    yield (BOM + "".join(write_rows([list(EXPORT_COLUMNS)]))).encode()
    for batch in batches:
        for text in write_rows(batch):
            yield text.encode()


def _xlsx_cell(sheet, value: object) -> object:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
    cell.data_type = "s"  # a string, never a formula, whatever it starts with
    return cell


def _xlsx_chunks(batches: Iterator[list[list]]) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Vendors")
    sheet.append(list(EXPORT_COLUMNS))
    for batch in batches:
        for row in batch:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def export_vendors(
    *,
    session: Session,
    fmt: Format,
    today: date,
    progress: Progress | None = None,
    flt: VendorFilter | None = None,
) -> ExportFile:
    """Every vendor (or those matching `flt`) as `fmt`; iterate `chunks` while the session is
    open."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    batches = iter_rows(session=session, today=today, progress=progress, flt=flt)
    chunks = _csv_chunks(batches) if fmt == "csv" else _xlsx_chunks(batches)
    return ExportFile(f"vendors-{today.isoformat()}.{fmt}", MEDIA_TYPES[fmt], chunks)
