"""The vendor page and the forms that create and edit a vendor."""

from datetime import date

from fastapi import APIRouter, Request
from sqlmodel import Session

from app.api_common import VendorId
from app.db import SessionDep, read
from app.deps import Today
from app.models import Vendor
from app.portal.review_views import VendorRequests, vendor_requests
from app.records import get_vendor
from app.vendors import queries, service
from app.vendors.schemas import VENDOR_FIELDS, VendorCreate, VendorUpdate
from app.vendors.views import HISTORY_LIMIT, vendor_view
from app.web.deps import CsrfForm, WebAnalyst, WebUser
from app.web.forms import FormState, submit
from app.web.respond import invalid, parse_day, saved, status_words
from app.web.templating import render

router = APIRouter(include_in_schema=False)
CONFLICTS = {"a vendor named": "name", "a vendor with domain": "domain"}
FORM = "vendors/form.html"


NUMBERS = ("notice_days", "renewal_term_months")  # a blank box: the default, or unchanged


def _values(vendor: Vendor) -> dict:
    values = {field: getattr(vendor, field) or "" for field in VENDOR_FIELDS}
    values["required_tsc"] = list(vendor.required_tsc or [])
    values.update({field: str(getattr(vendor, field)) for field in NUMBERS})
    values["auto_renews"] = "on" if vendor.auto_renews else ""
    values["version"] = str(vendor.version)
    return values


def _data(form: FormState, *, drop_empty: bool) -> dict:
    data = form.data(drop_empty=drop_empty)
    if not data.get("required_tsc"):  # none ticked: the tier's list applies
        data["required_tsc"] = None
    for field in NUMBERS:
        if not str(data.get(field, "")).strip():
            data.pop(field, None)
    data["auto_renews"] = form.value("auto_renews") == "on"  # an unticked box is not sent
    return data


@router.get("/vendors/new")
def new_vendor(request: Request, _: WebAnalyst):
    """The form for a new vendor."""
    form = FormState({"tier": "", "required_tsc": []})
    return render(request, FORM, {"form": form, "vendor": None})


@router.post("/vendors/new")
def create_vendor(
    request: Request, principal: WebAnalyst, posted: CsrfForm, session: SessionDep, today: Today
):
    """Create the vendor and show its page."""
    form = FormState.read(posted, VENDOR_FIELDS, lists=("required_tsc",))
    vendor = submit(
        form,
        VendorCreate,
        _data(form, drop_empty=True),
        lambda data: service.create_vendor(
            session=session, data=data, actor=principal.name, today=today
        ),
        conflicts=CONFLICTS,
    )
    if vendor is None:
        return invalid(request, session, FORM, {"form": form, "vendor": None})
    notice = f"Created {vendor.name}. " + status_words(vendor.name, vendor.status)
    return saved(request, f"/vendors/{vendor.id}", notice)


@router.get("/vendors/{vendor_id}")
async def vendor_page(request: Request, vendor_id: VendorId, _: WebUser, today: Today):
    """The vendor's status as of a date (`as_of`), what to do next, what it handed in to
    review, its evidence, waivers, evidence requests and history: indexed reads on the event
    loop (one awaited round trip on PostgreSQL) and a live evaluation."""
    day, as_of_error = parse_day(request.query_params.get("as_of"), today)
    found, asked = await read(lambda session: _vendor_reads(session, vendor_id, today))
    view = vendor_view(found, as_of=day)
    context = {"view": view, "today": today, "as_of_error": as_of_error, "asked": asked}
    return render(request, "vendors/detail.html", context)


def _vendor_reads(
    session: Session, vendor_id: int, today: date
) -> tuple[queries.VendorFile, VendorRequests]:
    """The vendor's file and its evidence requests, in one read."""
    found = queries.read_vendor_file(session, vendor_id, HISTORY_LIMIT)
    return found, vendor_requests(session=session, vendor_id=vendor_id, today=today)


@router.get("/vendors/{vendor_id}/edit")
def edit_vendor(request: Request, vendor_id: VendorId, _: WebAnalyst, session: SessionDep):
    """The vendor's fields in a form."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    return render(request, FORM, {"form": FormState(_values(vendor)), "vendor": vendor})


@router.post("/vendors/{vendor_id}/edit")
def update_vendor(
    request: Request,
    vendor_id: VendorId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Save the changes; a vendor changed meanwhile by someone else is a conflict."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    form = FormState.read(posted, (*VENDOR_FIELDS, "version"), lists=("required_tsc",))
    updated = submit(
        form,
        VendorUpdate,
        _data(form, drop_empty=False),
        lambda data: service.update_vendor(
            session=session,
            vendor_id=vendor_id,
            data=data,
            expected_version=None,
            actor=principal.name,
            today=today,
        ),
        conflicts=CONFLICTS,
    )
    if updated is None:
        return invalid(request, session, FORM, {"form": form, "vendor": vendor})
    notice = f"Saved {updated.name}. " + status_words(updated.name, updated.status)
    return saved(request, f"/vendors/{vendor_id}", notice)
