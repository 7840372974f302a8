"""Reviews and the vendor's lifecycle (SPEC §12): record a review, archive, reactivate.

onboarding → active (the first accepted review, or by hand) → offboarding (by hand) →
archived (POST /archive, with a reason and the offboarding checks) → active (POST /reactivate).
Archiving cancels the evidence requests still open; while archived, new evidence, requests,
waivers and reviews answer 409 (app/records.open_vendor). A review records a decision: it never
changes the computed status (that takes a waiver).
"""

from datetime import date

from sqlmodel import Session, col, select

from app import clock
from app.audit.service import record, snapshot
from app.errors import Conflict, Invalid
from app.models import Vendor, VendorReview
from app.portal.service import cancel_for_vendor
from app.records import get_vendor, open_vendor
from app.status.service import materialise
from app.vendors.schemas import ArchiveRequest, ReviewCreate

ACCEPTING_OUTCOMES = frozenset({"approved", "approved_with_conditions"})
CANCEL_REASON = "the vendor was archived"


def list_reviews(*, session: Session, vendor_id: int) -> list[VendorReview]:
    """A vendor's reviews, latest first."""
    get_vendor(session=session, vendor_id=vendor_id)
    query = select(VendorReview).where(VendorReview.vendor_id == vendor_id)
    order = (col(VendorReview.reviewed_on).desc(), col(VendorReview.id).desc())
    return list(session.exec(query.order_by(*order)))


def record_review(
    *, session: Session, vendor_id: int, data: ReviewCreate, actor: str, today: date
) -> VendorReview:
    """Record a review; an accepting one makes an onboarding vendor active. Audited."""
    if data.reviewed_on > today:
        raise Invalid("reviewed_on", f"a review is recorded once done: on {today} or earlier")
    vendor = open_vendor(session=session, vendor_id=vendor_id, for_update=True)
    review = VendorReview(
        vendor_id=vendor_id, **data.model_dump(), created_by=actor, created_at=clock.utc_now()
    )
    session.add(review)
    session.flush()
    record(session=session, actor=actor, action="create", row=review)
    if data.outcome in ACCEPTING_OUTCOMES and vendor.lifecycle == "onboarding":
        _move(session=session, vendor=vendor, changes={"lifecycle": "active"}, actor=actor)
    materialise(session=session, vendor=vendor, today=today)  # the next review's due date
    return review


def archive_vendor(
    *, session: Session, vendor_id: int, data: ArchiveRequest, actor: str, today: date
) -> Vendor:
    """Archive the vendor with its reason and checks; its open requests are cancelled."""
    vendor = get_vendor(session=session, vendor_id=vendor_id, for_update=True)
    if vendor.lifecycle == "archived":
        raise Conflict(f"vendor {vendor_id} is archived already")
    now = clock.utc_now()
    cancel_for_vendor(
        session=session,
        vendor_id=vendor_id,
        reason=CANCEL_REASON,
        actor=actor,
        now=now,
        today=today,
    )
    changes = {
        "lifecycle": "archived",
        "archived_at": now,
        "archived_by": actor,
        "archive_reason": data.reason,
        "offboarding_checks": data.checks.model_dump(),
    }
    _move(session=session, vendor=vendor, changes=changes, actor=actor, action="archive")
    materialise(session=session, vendor=vendor, today=today)
    return vendor


def reactivate_vendor(*, session: Session, vendor_id: int, actor: str, today: date) -> Vendor:
    """Bring an archived vendor back as active (its archiving stays in the audit log)."""
    vendor = get_vendor(session=session, vendor_id=vendor_id, for_update=True)
    if vendor.lifecycle != "archived":
        raise Conflict(f"vendor {vendor_id} is {vendor.lifecycle}, not archived")
    changes = dict(
        lifecycle="active",
        archived_at=None,
        archived_by=None,
        archive_reason=None,
        offboarding_checks=None,
    )
    _move(session=session, vendor=vendor, changes=changes, actor=actor, action="reactivate")
    materialise(session=session, vendor=vendor, today=today)
    return vendor


def _move(
    *, session: Session, vendor: Vendor, changes: dict, actor: str, action: str = "update"
) -> None:
    """Apply lifecycle changes to the vendor's row, a new version, audited."""
    before = snapshot(vendor)
    for field, value in changes.items():
        setattr(vendor, field, value)
    vendor.updated_at = clock.utc_now()
    vendor.version += 1
    session.add(vendor)
    session.flush()
    record(session=session, actor=actor, action=action, row=vendor, before=before)
