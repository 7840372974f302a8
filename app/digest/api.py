"""GET /api/v1/digest/preview: the weekly digest that would be sent, as JSON."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api_common import ErrorBody
from app.auth.deps import Reader
from app.config import get_settings
from app.db import SessionDep
from app.deps import Today
from app.digest.job import collect
from app.digest.render import to_json
from app.fields import Day

router = APIRouter(prefix="/digest", tags=["digest"])
PREVIEW_ERRORS = {
    401: {"model": ErrorBody, "description": "No, bad or revoked credentials"},
    403: {"model": ErrorBody, "description": "The role is too low"},
    422: {"model": ErrorBody, "description": "Invalid `as_of`; `detail` names the field"},
}


class VendorRef(BaseModel):
    """The vendor a row is about, with a link to its page."""

    id: int
    name: str
    tier: str
    owner: str | None
    url: str


class EvidenceRow(BaseModel):
    """A relied-on document that has stopped counting, or will within 90 days."""

    vendor: VendorRef
    evidence_id: int
    kind: str
    evidence: str = Field(description="The report period or the certificate number, in words")
    event: str = Field(description="stale, expired, 2013 edition withdrawn, goes stale, expires")
    valid_until: date = Field(description="The last day the document counts")
    days: int = Field(description="Days left (0 = last day), or days since `valid_until`")
    waived: bool = Field(description="The expiry flag is covered by a waiver")


class StatusRow(BaseModel):
    """A vendor whose status got worse in the past 7 days."""

    vendor: VendorRef
    before: str
    after: str
    changed_on: date
    reasons: list[str] = Field(description="Codes of the unwaived block and high flags")


class WaiverRow(BaseModel):
    """A waiver that ends within 30 days and is not continued by another."""

    vendor: VendorRef
    waiver_id: int
    code: str
    expires_on: date
    days: int = Field(description="Days left; 0 = its last day")
    flag_severity: str | None = Field(description="Severity of the flag it waives, if raised")
    evidence_id: int | None = Field(
        default=None, description="The document whose flag it accepts (null: any document)"
    )


class RequestRow(BaseModel):
    """An evidence request still open after its due date (SPEC §11)."""

    vendor: VendorRef
    request_id: int
    documents: list[str] = Field(description="The kinds of evidence asked for, in words")
    due_on: date
    days: int = Field(description="Days overdue: 1 the day after `due_on`")
    contact: str = Field(description="The vendor's contact the request went to")


class ReviewRow(BaseModel):
    """A periodic review overdue or due within 30 days (SPEC §12)."""

    vendor: VendorRef
    due_on: date = Field(description="The vendor's review_due_on")
    days: int = Field(description="Days until `due_on` (0 = today), or days overdue")
    overdue: bool


class DecisionRow(BaseModel):
    """A renewal decision within 90 days, or whose notice has passed while the contract
    runs (SPEC §12)."""

    vendor: VendorRef
    decision_on: date = Field(description="The current contract end less the notice days")
    contract_end_on: date = Field(description="The contract's current end")
    days: int = Field(description="Days until `decision_on`, or days since it once missed")
    notice_passed: bool = Field(description="The decision date has passed (missed)")
    status: str = Field(description="The status evaluated on the decision date")
    reasons: list[str] = Field(description="Codes of the unwaived block and high flags then")


class Totals(BaseModel):
    tracked: int
    approved: int
    conditional: int
    blocked: int


class DigestRead(BaseModel):
    """The weekly digest (SPEC §8), as the e-mail to the TPRM team shows it."""

    subject: str
    as_of: date
    week: str = Field(description="ISO week, e.g. 2026-W48")
    scope: str = Field(description='"team", or the vendor owner it is for')
    totals: Totals
    expired: list[EvidenceRow]
    expiring_30: list[EvidenceRow]
    expiring_60: list[EvidenceRow]
    expiring_90: list[EvidenceRow]
    worsened: list[StatusRow]
    waivers_ending: list[WaiverRow]
    requests_overdue: list[RequestRow]
    reviews_due: list[ReviewRow]
    decisions_due: list[DecisionRow]
    base_url: str = Field(description="The root of the vendor links (VETTED_BASE_URL)")


@router.get("/preview", response_model=DigestRead, responses=PREVIEW_ERRORS)
def preview_digest(
    session: SessionDep,
    _: Reader,
    today: Today,
    as_of: Annotated[Day | None, Query(description="The digest for this date's week")] = None,
) -> dict:
    """The digest that would be sent for the week of `as_of` (default today); sends nothing."""
    day, base_url = as_of or today, get_settings().base_url
    return to_json(collect(session=session, as_of=day, base_url=base_url, limit=None))
