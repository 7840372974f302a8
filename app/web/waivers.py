"""Forms to grant a waiver for one of the vendor's current flags, and to revoke one."""

from datetime import date

from fastapi import APIRouter, Request
from sqlmodel import Session

from app.api_common import VendorId, WaiverId
from app.db import SessionDep
from app.deps import Today
from app.errors import Invalid
from app.evidence import service
from app.evidence.schemas import Revocation, WaiverCreate
from app.models import Vendor
from app.rules.dates import add_months
from app.status.service import status_on
from app.vendors.schemas import FlagRead
from app.vendors.service import get_vendor
from app.web.deps import CsrfForm, WebAnalyst
from app.web.forms import FormState, submit
from app.web.respond import invalid, saved, status_words
from app.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("code", "reason", "approved_by", "granted_on", "expires_on")
GRANT = "evidence/waiver.html"
REVOKE = "evidence/revoke_waiver.html"


def current_flags(*, session: Session, vendor: Vendor, today: date) -> list[FlagRead]:
    """Today's flags, one per code, those that count first."""
    first: dict[str, FlagRead] = {}
    for flag in status_on(session=session, vendor=vendor, as_of=today).flags:
        first.setdefault(flag.code, flag)
    return sorted(first.values(), key=lambda f: f.waived)  # stable: worst first within each


def _context(vendor: Vendor, form: FormState, flags: list[FlagRead], today: date) -> dict:
    return {
        "vendor": vendor,
        "form": form,
        "flags": flags,
        "today": today,
        "latest_expiry": add_months(today, service.MAX_WAIVER_MONTHS),
    }


@router.get("/vendors/{vendor_id}/waivers/new")
def new_waiver(
    request: Request,
    vendor_id: VendorId,
    _: WebAnalyst,
    session: SessionDep,
    today: Today,
    code: str = "",
):
    """The form to accept the risk of one of the vendor's current flags."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    flags = current_flags(session=session, vendor=vendor, today=today)
    chosen = code if code in {f.code for f in flags} else ""
    form = FormState({"code": chosen, "granted_on": today.isoformat()})
    return render(request, GRANT, _context(vendor, form, flags, today))


def _grant(*, session: Session, vendor: Vendor, flags: list[FlagRead], actor: str, today: date):
    def action(data: WaiverCreate):
        flag = next((f for f in flags if f.code == data.code), None)
        if flag is None:
            raise Invalid("code", "choose one of this vendor's current flags")
        if data.evidence_id is None and data.code not in service.CODES_WITHOUT_DOCUMENT:
            # The form is opened from a flag: the risk accepted is about that flag's document.
            data = data.model_copy(update={"evidence_id": flag.evidence_id})
        return service.create_waiver(
            session=session, vendor_id=vendor.id, data=data, actor=actor, today=today
        )

    return action


@router.post("/vendors/{vendor_id}/waivers/new")
def create_waiver(
    request: Request,
    vendor_id: VendorId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Record the risk acceptance; the flag stays shown, marked waived."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    flags = current_flags(session=session, vendor=vendor, today=today)
    form = FormState.read(posted, FIELDS)
    action = _grant(session=session, vendor=vendor, flags=flags, actor=principal.name, today=today)
    waiver = submit(form, WaiverCreate, form.data(), action)
    if waiver is None:
        return invalid(request, session, GRANT, _context(vendor, form, flags, today))
    notice = f"Granted waiver #{waiver.id} for {waiver.code}. " + status_words(
        vendor.name, vendor.status
    )
    return saved(request, session, f"/vendors/{vendor.id}", notice)


@router.get("/waivers/{waiver_id}/revoke")
def revoke_form(
    request: Request, waiver_id: WaiverId, _: WebAnalyst, session: SessionDep, today: Today
):
    """Confirm a revocation."""
    waiver = service.get_waiver(session=session, waiver_id=waiver_id)
    vendor = get_vendor(session=session, vendor_id=waiver.vendor_id)
    form = FormState({"reason": ""})
    context = {"waiver": waiver, "vendor": vendor, "form": form, "today": today}
    return render(request, REVOKE, context)


@router.post("/waivers/{waiver_id}/revoke")
def revoke(
    request: Request,
    waiver_id: WaiverId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Revoke the waiver: its flag counts again, from every date."""
    waiver = service.get_waiver(session=session, waiver_id=waiver_id)
    vendor = get_vendor(session=session, vendor_id=waiver.vendor_id)
    form = FormState.read(posted, ("reason",))
    done = submit(
        form,
        Revocation,
        form.data(),
        lambda data: service.revoke_waiver(
            session=session, waiver_id=waiver_id, data=data, actor=principal.name, today=today
        ),
    )
    if done is None:
        context = {"waiver": waiver, "vendor": vendor, "form": form, "today": today}
        return invalid(request, session, REVOKE, context)
    notice = f"Revoked waiver #{waiver_id}. " + status_words(vendor.name, vendor.status)
    return saved(request, session, f"/vendors/{vendor.id}", notice)
