"""The API of reviews and the lifecycle (SPEC §12): reviews, archive, reactivate."""

from fastapi import APIRouter

from app.api_common import READ_ERRORS, WRITE_ERRORS, VendorId
from app.auth.deps import Analyst, Reader
from app.db import SessionDep
from app.deps import Today
from app.vendors import lifecycle
from app.vendors.schemas import ArchiveRequest, ReviewCreate, ReviewRead, VendorRead

router = APIRouter(prefix="/vendors", tags=["vendors"])


@router.post(
    "/{vendor_id}/reviews", response_model=ReviewRead, status_code=201, responses=WRITE_ERRORS
)
def record_review(
    vendor_id: VendorId, data: ReviewCreate, session: SessionDep, principal: Analyst, today: Today
) -> ReviewRead:
    """Record a review (on today or earlier); `approved` or `approved_with_conditions` makes an
    onboarding vendor active. It never changes the status. 409 while the vendor is archived."""
    review = lifecycle.record_review(
        session=session, vendor_id=vendor_id, data=data, actor=principal.name, today=today
    )
    return ReviewRead.model_validate(review)


@router.get("/{vendor_id}/reviews", response_model=list[ReviewRead], responses=READ_ERRORS)
def list_reviews(vendor_id: VendorId, session: SessionDep, _: Reader) -> list[ReviewRead]:
    """The vendor's reviews, latest first."""
    reviews = lifecycle.list_reviews(session=session, vendor_id=vendor_id)
    return [ReviewRead.model_validate(r) for r in reviews]


@router.post("/{vendor_id}/archive", response_model=VendorRead, responses=WRITE_ERRORS)
def archive_vendor(
    vendor_id: VendorId,
    data: ArchiveRequest,
    session: SessionDep,
    principal: Analyst,
    today: Today,
) -> VendorRead:
    """Archive the vendor (from any lifecycle but archived: 409) with a reason and the
    offboarding checks; its open evidence requests are cancelled and it is blocked
    (VENDOR_ARCHIVED) until reactivated."""
    vendor = lifecycle.archive_vendor(
        session=session, vendor_id=vendor_id, data=data, actor=principal.name, today=today
    )
    return VendorRead.model_validate(vendor)


@router.post("/{vendor_id}/reactivate", response_model=VendorRead, responses=WRITE_ERRORS)
def reactivate_vendor(
    vendor_id: VendorId, session: SessionDep, principal: Analyst, today: Today
) -> VendorRead:
    """Bring an archived vendor back as active (409 unless archived)."""
    vendor = lifecycle.reactivate_vendor(
        session=session, vendor_id=vendor_id, actor=principal.name, today=today
    )
    return VendorRead.model_validate(vendor)
