"""What the API and the forms accept and return for vendors."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.fields import (
    EMPTY_AS_NONE,
    Criterion,
    DataAccess,
    Day,
    Domain,
    Email,
    Lifecycle,
    Name,
    Region,
    Requirement,
    Tier,
    TypedBool,
    TypedInt,
    text,
)

OptionalEmail = Annotated[Email | None, EMPTY_AS_NONE]
Services = text(2000, multiline=True)  # the width of the column
NoticeDays = Annotated[TypedInt, Field(ge=0, le=3650)]
TermMonths = Annotated[TypedInt, Field(ge=1, le=120)]


def _tsc_list(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    return sorted(set(value))


class VendorFields(BaseModel):
    """Fields a client may set on a vendor."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    domain: Annotated[Domain | None, EMPTY_AS_NONE] = None
    tier: Tier
    region: Annotated[Region | None, EMPTY_AS_NONE] = None
    services: Services = ""
    data_access: Annotated[DataAccess | None, EMPTY_AS_NONE] = None
    owner_email: OptionalEmail = None
    security_contact_email: OptionalEmail = None
    requirement: Annotated[Requirement | None, EMPTY_AS_NONE] = None
    required_tsc: list[Criterion] | None = Field(default=None, max_length=5)
    # SPEC §12. `lifecycle` left out (or blank): `onboarding` for a new vendor, unchanged on an
    # update; by hand only `active` or `offboarding` (app/vendors/service.py check_lifecycle).
    lifecycle: Annotated[Lifecycle | None, EMPTY_AS_NONE] = None
    contract_end_on: Annotated[Day | None, EMPTY_AS_NONE] = None
    notice_days: NoticeDays = 0
    auto_renews: TypedBool = False
    renewal_term_months: TermMonths = 12

    _tsc = field_validator("required_tsc")(_tsc_list)


# The fields a client sets, in the order forms, CSV files and history show them.
VENDOR_FIELDS = tuple(VendorFields.model_fields)


class VendorCreate(VendorFields):
    """A new vendor."""


class VendorUpdate(BaseModel):
    """A partial update; `version` (or an If-Match header) guards against lost updates."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    domain: Annotated[Domain | None, EMPTY_AS_NONE] = None
    tier: Tier | None = None
    region: Annotated[Region | None, EMPTY_AS_NONE] = None
    services: Services | None = None
    data_access: Annotated[DataAccess | None, EMPTY_AS_NONE] = None
    owner_email: OptionalEmail = None
    security_contact_email: OptionalEmail = None
    requirement: Annotated[Requirement | None, EMPTY_AS_NONE] = None
    required_tsc: list[Criterion] | None = Field(default=None, max_length=5)
    lifecycle: Annotated[Lifecycle | None, EMPTY_AS_NONE] = None
    contract_end_on: Annotated[Day | None, EMPTY_AS_NONE] = None
    notice_days: NoticeDays | None = None
    auto_renews: TypedBool | None = None
    renewal_term_months: TermMonths | None = None
    version: TypedInt | None = Field(default=None, ge=1, le=2**31 - 1)

    _tsc = field_validator("required_tsc")(_tsc_list)


class VendorRead(BaseModel):
    """A vendor as stored, with its status today."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    domain: str | None
    tier: str
    region: str | None
    services: str
    data_access: str | None
    owner_email: str | None
    security_contact_email: str | None
    requirement: str | None
    required_tsc: list[str] | None
    lifecycle: str
    contract_end_on: date | None
    notice_days: int
    auto_renews: bool
    renewal_term_months: int
    created_at: datetime
    updated_at: datetime
    version: int
    status: str
    next_review_on: date | None
    review_due_on: date | None
    decision_on: date | None
    decision_status: str | None
    archived_at: datetime | None
    archive_reason: str | None
    offboarding_checks: dict | None


class VendorPage(BaseModel):
    """One page of the vendor list."""

    items: list[VendorRead]
    total: int
    next_cursor: str | None


# --- reviews and the lifecycle (SPEC §12) -------------------------------------------------------

ReviewOutcome = Literal["approved", "approved_with_conditions", "rejected"]
CheckAnswer = Literal["yes", "no", "not_applicable"]
Notes = text(5000, multiline=True)
Reason = text(2000, multiline=True, min_length=1)


class ReviewCreate(BaseModel):
    """A periodic review: its day (today or earlier), outcome and notes."""

    model_config = ConfigDict(extra="forbid")

    reviewed_on: Day
    outcome: ReviewOutcome
    notes: Notes = ""


class ReviewRead(BaseModel):
    """A recorded review."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    vendor_id: int
    reviewed_on: date
    outcome: str
    notes: str
    created_by: str
    created_at: datetime


class OffboardingChecks(BaseModel):
    """What was done to offboard the vendor."""

    model_config = ConfigDict(extra="forbid")

    data_returned_or_deleted: CheckAnswer
    access_removed: CheckAnswer


class ArchiveRequest(BaseModel):
    """Why the vendor is archived, and the offboarding checks."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason
    checks: OffboardingChecks
