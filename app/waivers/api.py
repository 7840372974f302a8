"""The waiver API: grant, list and revoke risk acceptances."""

from typing import Annotated

from fastapi import APIRouter, Body

from app.api_common import READ_ERRORS, WRITE_ERRORS, VendorId, WaiverId
from app.auth.deps import Analyst, Reader
from app.db import SessionDep
from app.deps import Today
from app.waivers import service
from app.waivers.schemas import Revocation, WaiverCreate, WaiverRead

router = APIRouter(tags=["waivers"])


@router.post(
    "/vendors/{vendor_id}/waivers",
    response_model=WaiverRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def create_waiver(
    vendor_id: VendorId, data: WaiverCreate, session: SessionDep, principal: Analyst, today: Today
) -> WaiverRead:
    """Accept the risk of one rule code for a while (at most 12 months)."""
    waiver = service.create_waiver(
        session=session, vendor_id=vendor_id, data=data, actor=principal.name, today=today
    )
    return WaiverRead.model_validate(waiver)


@router.get("/vendors/{vendor_id}/waivers", response_model=list[WaiverRead], responses=READ_ERRORS)
def list_waivers(vendor_id: VendorId, session: SessionDep, _: Reader) -> list[WaiverRead]:
    """Every waiver of the vendor, revoked ones included."""
    return [
        WaiverRead.model_validate(w)
        for w in service.list_waivers(session=session, vendor_id=vendor_id)
    ]


@router.post("/waivers/{waiver_id}/revoke", response_model=WaiverRead, responses=WRITE_ERRORS)
def revoke_waiver(
    waiver_id: WaiverId,
    session: SessionDep,
    principal: Analyst,
    today: Today,
    data: Annotated[Revocation | None, Body()] = None,
) -> WaiverRead:
    """Revoke a waiver; the row stays. Revoking twice is a 409."""
    waiver = service.revoke_waiver(
        session=session,
        waiver_id=waiver_id,
        data=data or Revocation(),
        actor=principal.name,
        today=today,
    )
    return WaiverRead.model_validate(waiver)
