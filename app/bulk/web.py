"""Bulk work in the browser: import vendors.csv or evidence.csv (a dry run first, then the real
run: every row or none) and download the vendor list as CSV or Excel."""

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.bulk.api import download_headers, export_stream
from app.bulk.csvfile import read_csv_bytes
from app.bulk.exporting import MEDIA_TYPES
from app.bulk.importing import ImportReport, import_vendors
from app.bulk.importing_evidence import import_evidence
from app.bulk.web_upload import CsvPost, CsvRefused, held, hold, read_csv_post, release
from app.config import get_settings
from app.db import SessionDep
from app.deps import Today
from app.documents.service import clean_filename
from app.vendors.list_web import ListParams
from app.web.deps import CsrfForm, WebAnalyst, WebUser
from app.web.forms import FormState
from app.web.respond import saved
from app.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = "bulk/import.html"
SHOWN = 500  # planned rows listed on the page (every bad row is listed)
IMPORTS = {"vendors": import_vendors, "evidence": import_evidence}
GONE = (
    "The checked file is no longer here (it was imported already, or checked over a day ago): "
    "choose it again."
)


@dataclass(frozen=True)
class Checked:
    """A file that was checked: what it holds, its name, its digest while held, the report."""

    what: str
    filename: str
    sha256: str
    report: ImportReport


def _what(value: object) -> str:
    return value if isinstance(value, str) and value in IMPORTS else "vendors"


def _page(
    request: Request, form: FormState, checked: Checked | None = None, status: int = 200
) -> Response:
    context = {
        "form": form,
        "checked": checked,
        "shown": SHOWN,
        "max_upload_mb": get_settings().max_upload_mb,
    }
    return render(request, PAGE, context, status_code=status)


def counts(report: ImportReport, what: str) -> str:
    """`3 vendors created, 1 updated, 2 unchanged` (what it did, or would do)."""
    if what == "evidence":
        return f"{report.created} records created, {report.unchanged} already on file"
    return (
        f"{report.created} vendors created, {report.updated} updated, {report.unchanged} unchanged"
    )


@router.get("/import")
def import_page(request: Request, _: WebAnalyst, what: str = "vendors"):
    """Choose a CSV file of vendors or of evidence to check."""
    return _page(request, FormState({"what": _what(what)}))


@router.post("/import")
async def check_import(request: Request, principal: WebAnalyst, session: SessionDep, today: Today):
    """The dry run: what the file would create or update, and every bad row; writes nothing."""
    try:
        post = await read_csv_post(request)
    except CsvRefused as exc:
        form = FormState({"what": "vendors", "file": ""})
        form.add("file", exc.message)
        return _page(request, form, status=exc.status)
    return await run_in_threadpool(_dry_run, request, session, principal.name, today, post)


def _run(
    session: Session, what: str, content: bytes, *, dry_run: bool, actor: str, today: date
) -> ImportReport:
    table = read_csv_bytes(content)
    return IMPORTS[what](session=session, table=table, dry_run=dry_run, actor=actor, today=today)


def _dry_run(
    request: Request, session: Session, actor: str, today: date, post: CsvPost
) -> Response:
    what = _what(post.data.get("what"))
    report = _run(session, what, post.content, dry_run=True, actor=actor, today=today)
    session.rollback()
    sha = "" if report.errors else hold(post.content)
    checked = Checked(what, clean_filename(post.filename), sha, report)
    return _page(request, FormState({"what": what}), checked, 422 if report.errors else 200)


@router.post("/import/confirm")
def confirm_import(
    request: Request, principal: WebAnalyst, posted: CsrfForm, session: SessionDep, today: Today
):
    """The real run of the checked file, read again from the server's copy: every row, or
    none when a row has gone wrong since the dry run."""
    what, sha = _what(posted.get("what")), posted.get("sha256")
    filename = clean_filename(str(posted.get("filename") or ""))
    content = held(sha)
    if content is None:
        form = FormState({"what": what, "file": ""})
        form.add("file", GONE)
        return _page(request, form, status=409)
    report = _run(session, what, content, dry_run=False, actor=principal.name, today=today)
    if not report.applied:
        session.rollback()
        checked = Checked(what, filename, "", report)
        return _page(request, FormState({"what": what}), checked, status=422)
    response = saved(request, "/vendors", f"Imported {filename}: {counts(report, what)}.")
    release(str(sha))
    return response


@router.get("/export/vendors")
def export_vendor_list(
    _: WebUser,
    today: Today,
    format: str = "csv",
    q: str = "",
    status: str = "",
    tier: str = "",
    lifecycle: str = "",
    review_due_within_days: str = "",
    decision_within_days: str = "",
) -> StreamingResponse:
    """The vendor list as CSV or Excel: every vendor, or those the list's filters show."""
    fmt = format if format in MEDIA_TYPES else "csv"
    calendar = (lifecycle, review_due_within_days, decision_within_days)
    params = ListParams.parse(q, status, tier, "name", "1", *calendar)
    flt = params.vendor_filter()
    return StreamingResponse(
        export_stream(fmt, today, flt),
        media_type=MEDIA_TYPES[fmt],
        headers=download_headers(f"vendors-{today.isoformat()}.{fmt}"),
    )
