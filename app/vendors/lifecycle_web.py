"""The forms of reviews and the lifecycle (SPEC §12): record a review, archive, reactivate."""

from datetime import date

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session

from app.api_common import VendorId
from app.db import SessionDep
from app.deps import Today
from app.errors import Conflict
from app.fields import FROM_TEXT
from app.models import Vendor
from app.records import get_vendor
from app.status.service import status_on
from app.vendors import lifecycle
from app.vendors.schemas import ArchiveRequest, ReviewCreate
from app.web import labels
from app.web.deps import CsrfForm, WebAnalyst
from app.web.forms import FORM_ERROR, FormState, message_for, submit, tidy
from app.web.respond import invalid, saved
from app.web.templating import render

router = APIRouter(include_in_schema=False)
REVIEW = "vendors/review.html"
ARCHIVE = "vendors/archive.html"
REACTIVATE = "vendors/reactivate.html"
REVIEW_FIELDS = ("reviewed_on", "outcome", "notes")
CHECKS = ("data_returned_or_deleted", "access_removed")


def _refused(vendor: Vendor) -> int:
    """422 for input to fix; 409 when the vendor's lifecycle refuses the write."""
    return 409 if vendor.lifecycle == "archived" else 422


def _review_context(session: Session, vendor: Vendor, form: FormState, today: date) -> dict:
    status = status_on(session=session, vendor=vendor, as_of=today)
    return {"vendor": vendor, "form": form, "status": status, "today": today}


@router.get("/vendors/{vendor_id}/reviews/new")
def new_review(
    request: Request, vendor_id: VendorId, _: WebAnalyst, session: SessionDep, today: Today
):
    """The form to record a review, beside the vendor's status and flags today."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    form = FormState({"reviewed_on": today.isoformat()})
    return render(request, REVIEW, _review_context(session, vendor, form, today))


@router.post("/vendors/{vendor_id}/reviews/new")
def create_review(
    request: Request,
    vendor_id: VendorId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Record the review; an accepting one makes an onboarding vendor active."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    form = FormState.read(posted, REVIEW_FIELDS)
    review = submit(
        form,
        ReviewCreate,
        form.data(),
        lambda data: lifecycle.record_review(
            session=session, vendor_id=vendor_id, data=data, actor=principal.name, today=today
        ),
    )
    if review is None:
        context = _review_context(session, vendor, form, today)
        return invalid(request, session, REVIEW, context, status=_refused(vendor))
    outcome = labels.label(review.outcome, "review_outcome")
    notice = f"Recorded a review of {vendor.name} on {review.reviewed_on}: {outcome}."
    return saved(request, f"/vendors/{vendor_id}", notice)


@router.get("/vendors/{vendor_id}/archive")
def archive_form(request: Request, vendor_id: VendorId, _: WebAnalyst, session: SessionDep):
    """The form to archive the vendor: why, and the offboarding checks."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    return render(request, ARCHIVE, {"vendor": vendor, "form": FormState({})})


def _archive(form: FormState, run) -> Vendor | None:
    """Validate with the API's schema (its nested checks shown beside their own fields)."""
    checks = {name: form.value(name) for name in CHECKS if form.value(name)}
    data = {"reason": form.value("reason"), "checks": checks}
    try:
        return run(ArchiveRequest.model_validate(data, context=FROM_TEXT))
    except ValidationError as exc:
        for error in exc.errors():
            loc = error["loc"]
            form.add(str(loc[-1] if loc[0] == "checks" else loc[0]), message_for(error))
    except Conflict as exc:  # archived already
        form.add(FORM_ERROR, tidy(str(exc.detail)))
    return None


@router.post("/vendors/{vendor_id}/archive")
def archive(
    request: Request,
    vendor_id: VendorId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Archive the vendor; its open evidence requests are cancelled."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    was_archived = vendor.lifecycle == "archived"
    form = FormState.read(posted, ("reason", *CHECKS))
    done = _archive(
        form,
        lambda data: lifecycle.archive_vendor(
            session=session, vendor_id=vendor_id, data=data, actor=principal.name, today=today
        ),
    )
    if done is None:
        status = 409 if was_archived else 422
        return invalid(request, session, ARCHIVE, {"vendor": vendor, "form": form}, status)
    return saved(request, f"/vendors/{vendor_id}", f"Archived {vendor.name}.")


@router.get("/vendors/{vendor_id}/reactivate")
def reactivate_form(request: Request, vendor_id: VendorId, _: WebAnalyst, session: SessionDep):
    """Confirm bringing an archived vendor back."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    return render(request, REACTIVATE, {"vendor": vendor, "form": FormState({})})


@router.post("/vendors/{vendor_id}/reactivate")
def reactivate(
    request: Request,
    vendor_id: VendorId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Bring the archived vendor back as active."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    form = FormState({})
    try:
        lifecycle.reactivate_vendor(
            session=session, vendor_id=vendor_id, actor=principal.name, today=today
        )
    except Conflict as exc:
        form.add(FORM_ERROR, tidy(str(exc.detail)))
        return invalid(request, session, REACTIVATE, {"vendor": vendor, "form": form}, 409)
    return saved(request, f"/vendors/{vendor_id}", f"Reactivated {vendor.name}: it is active.")
