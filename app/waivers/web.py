"""Forms to grant a waiver for one of the vendor's current flags, and to revoke one."""

from datetime import date

from fastapi import APIRouter, Request
from sqlmodel import Session

from app.api_common import VendorId, WaiverId
from app.db import SessionDep
from app.deps import Today
from app.errors import Invalid
from app.evidence.service import list_evidence
from app.models import Vendor
from app.records import get_vendor
from app.rules.dates import add_months
from app.status.schemas import FlagRead
from app.status.service import status_on
from app.waivers import service
from app.waivers.schemas import Revocation, WaiverCreate
from app.web import labels
from app.web.deps import CsrfForm, WebAnalyst
from app.web.forms import FormState, submit
from app.web.respond import archived_refusal, invalid, saved, status_words
from app.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("flag", "reason", "approved_by", "granted_on", "expires_on")
GRANT = "evidence/waiver.html"
REVOKE = "evidence/revoke_waiver.html"


def flag_key(flag: FlagRead) -> str:
    """How the form names one flag: its code, and the document it is about."""
    return flag.code if flag.evidence_id is None else f"{flag.code}@{flag.evidence_id}"


def current_flags(*, session: Session, vendor: Vendor, today: date) -> dict[str, FlagRead]:
    """Today's flags by their key, those that count first."""
    flags = status_on(session=session, vendor=vendor, as_of=today).flags
    return {flag_key(f): f for f in sorted(flags, key=lambda f: f.waived)}


def _context(
    vendor: Vendor, form: FormState, flags: dict[str, FlagRead], records: dict, today: date
) -> dict:
    return {
        "vendor": vendor,
        "form": form,
        "flags": flags,
        "chosen": flags.get(form.value("flag")),
        "records": records,  # evidence id → what the document is, for the flags' labels
        "today": today,
        "latest_expiry": add_months(today, service.MAX_WAIVER_MONTHS),
    }


def _records(*, session: Session, vendor: Vendor) -> dict[int, str]:
    records = list_evidence(session=session, vendor_id=vendor.id)
    return {r.id: f"{labels.title_of(r)} #{r.id}" for r in records}


@router.get("/vendors/{vendor_id}/waivers/new")
def new_waiver(
    request: Request,
    vendor_id: VendorId,
    _: WebAnalyst,
    session: SessionDep,
    today: Today,
    code: str = "",
    evidence_id: int | None = None,
):
    """The form to accept the risk of one of the vendor's current flags (opened from it)."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    if refused := archived_refusal(request, vendor, "waivers"):
        return refused
    flags = current_flags(session=session, vendor=vendor, today=today)
    key = code if evidence_id is None else f"{code}@{evidence_id}"
    form = FormState({"flag": key if key in flags else "", "granted_on": today.isoformat()})
    records = _records(session=session, vendor=vendor)
    return render(request, GRANT, _context(vendor, form, flags, records, today))


def _waiver_input(form: FormState, flags: dict[str, FlagRead]) -> dict:
    """The schema's input: the chosen flag's code and document, and what was typed."""
    data = {k: v for k, v in form.data().items() if k != "flag"}
    flag = flags.get(form.value("flag"))
    if flag is None:  # refused by the action: only today's flags are offered
        return {**data, "code": form.value("flag").partition("@")[0]}
    return {**data, "code": flag.code, "evidence_id": flag.evidence_id}


def _grant(*, session: Session, vendor: Vendor, chosen: FlagRead | None, actor: str, today: date):
    def action(data: WaiverCreate):
        if chosen is None:
            raise Invalid("flag", "choose one of this vendor's current flags")
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
    """Record the risk acceptance of one flag; it stays shown, marked waived."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    if refused := archived_refusal(request, vendor, "waivers"):
        return refused
    flags = current_flags(session=session, vendor=vendor, today=today)
    form = FormState.read(posted, FIELDS)
    form.shown_as = {"code": "flag", "evidence_id": "flag"}
    chosen, actor = flags.get(form.value("flag")), principal.name
    action = _grant(session=session, vendor=vendor, chosen=chosen, actor=actor, today=today)
    waiver = submit(form, WaiverCreate, _waiver_input(form, flags), action)
    if waiver is None:
        records = _records(session=session, vendor=vendor)
        return invalid(request, session, GRANT, _context(vendor, form, flags, records, today))
    notice = f"Granted waiver #{waiver.id} for {waiver.code}. " + status_words(
        vendor.name, vendor.status
    )
    return saved(request, f"/vendors/{vendor.id}", notice)


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
    return saved(request, f"/vendors/{vendor.id}", notice)
