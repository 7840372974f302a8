"""A stored record by its id, or NotFound: the one lookup every domain's service starts from."""

from sqlmodel import Session, SQLModel

from app.errors import Conflict, NotFound
from app.models import Evidence, EvidenceRequest, EvidenceSubmission, Vendor, Waiver


def _get(session: Session, model: type[SQLModel], what: str, record_id: int, for_update: bool):
    row = session.get(model, record_id, with_for_update=for_update, populate_existing=for_update)
    if row is None:
        raise NotFound(f"{what} {record_id} not found")
    return row


def get_vendor(*, session: Session, vendor_id: int, for_update: bool = False) -> Vendor:
    """The vendor, or NotFound; `for_update` locks the row (PostgreSQL) until commit."""
    return _get(session, Vendor, "vendor", vendor_id, for_update)


def open_vendor(*, session: Session, vendor_id: int, for_update: bool = False) -> Vendor:
    """`get_vendor`, refusing (409) an archived vendor: no new evidence, requests, waivers or
    reviews for it until it is reactivated (SPEC §12)."""
    vendor = get_vendor(session=session, vendor_id=vendor_id, for_update=for_update)
    if vendor.lifecycle == "archived":
        raise Conflict(
            f"vendor {vendor_id} is archived: reactivate it (POST /vendors/{vendor_id}/reactivate)"
            " before adding evidence, requests, waivers or reviews"
        )
    return vendor


def get_evidence(*, session: Session, evidence_id: int, for_update: bool = False) -> Evidence:
    """The evidence record, or NotFound; `for_update` locks the row (PostgreSQL) until commit."""
    return _get(session, Evidence, "evidence", evidence_id, for_update)


def get_waiver(*, session: Session, waiver_id: int, for_update: bool = False) -> Waiver:
    """The waiver, or NotFound; `for_update` locks the row (PostgreSQL) until commit."""
    return _get(session, Waiver, "waiver", waiver_id, for_update)


def get_request(*, session: Session, request_id: int, for_update: bool = False) -> EvidenceRequest:
    """The evidence request, or NotFound; `for_update` locks the row (PostgreSQL) until commit."""
    return _get(session, EvidenceRequest, "request", request_id, for_update)


def get_submission(
    *, session: Session, submission_id: int, for_update: bool = False
) -> EvidenceSubmission:
    """The submission, or NotFound; `for_update` locks the row (PostgreSQL) until commit."""
    return _get(session, EvidenceSubmission, "submission", submission_id, for_update)
