"""What the API, the forms and the portal accept and return for evidence requests and the
submissions vendors hand in through the portal (SPEC §11)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.evidence.kinds import KINDS
from app.evidence.schemas import EvidenceBase, OptionalDay, RecordId, Scope
from app.fields import Day, Email, field_error, text

KindName = Literal[tuple(KINDS)]
RequestStatus = Literal["open", "submitted", "closed", "expired", "cancelled"]
SubmissionStatus = Literal["pending", "accepted", "rejected", "superseded"]
LINK_DAYS = 90  # a link lasts at most this long after the request is made
DUE_GRACE_DAYS = 30  # by default a link lasts this long after the due date
# What the vendor never sets: the analyst's judgement, internal notes and links, the day of
# receipt (the day it arrives).
NOT_THE_VENDORS = ("scope_covers_services", "soc2_report_id", "received_on", "notes")


class RequestCreate(BaseModel):
    """Evidence to ask a vendor for, and whom to ask."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[KindName] = Field(min_length=1, max_length=len(KINDS))
    contact_email: Email
    message: text(5000, multiline=True) = ""
    due_on: Day
    expires_on: OptionalDay = Field(
        default=None,
        description="The link's last day: default the earlier of due_on + 30 days and 90 days "
        "from today; never later than 90 days from today, never before due_on",
    )

    @model_validator(mode="after")
    def _each_kind_once(self):
        self.kinds = sorted(set(self.kinds), key=list(KINDS).index)
        if self.expires_on is not None and self.expires_on < self.due_on:
            raise field_error("expires_on", "must not be before due_on", self.expires_on)
        return self


class Cancellation(BaseModel):
    """Why a request is withdrawn (optional)."""

    model_config = ConfigDict(extra="forbid")

    reason: text(2000, multiline=True) = ""


class RequestRead(BaseModel):
    """A request with its derived status; `portal_url` only in the answers that make a link."""

    id: int
    vendor_id: int
    kinds: list[str]
    contact_email: str
    message: str
    due_on: date
    expires_on: date
    status: RequestStatus
    created_at: datetime
    created_by: str
    cancelled_at: datetime | None
    cancelled_by: str | None
    reminders_sent: int = 0
    link_emailed: bool = Field(
        default=False, description="Whether the e-mail with the link has gone out"
    )
    portal_url: str | None = Field(
        default=None,
        description="The vendor's link: in the answers to creating a request and to "
        "POST /requests/{id}/link only",
    )


class RequestCreated(BaseModel):
    """The new request (or the new link), with its portal URL."""

    request: RequestRead


class DocumentRead(BaseModel):
    """The PDF handed in with a submission."""

    name: str
    size: int
    sha256: str


class SubmissionRead(BaseModel):
    """What a vendor handed in, and what the analyst made of it."""

    id: int
    request_id: int
    vendor_id: int
    kind: str
    fields: dict[str, Any]
    document: DocumentRead
    submitted_at: datetime
    submitted_on: date
    status: SubmissionStatus
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_notes: str | None
    evidence_id: int | None


class Acceptance(BaseModel):
    """Accept a submission: fields corrected, the scope judged, a bridge letter's report named."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="Corrections: the kind's fields (as in POST /vendors/{id}/evidence) that "
        "replace what the vendor sent; received_on is the submission's day and cannot be set",
    )
    scope_covers_services: Scope = None
    soc2_report_id: Annotated[RecordId | None, Field(description="A bridge letter's report")] = None


class Rejection(BaseModel):
    """Why a submission is not accepted: the portal shows it to the vendor."""

    model_config = ConfigDict(extra="forbid")

    reason: text(2000, 1, multiline=True)


class BridgeLetterSubmission(EvidenceBase):
    """A bridge letter handed in through the portal: it names its report in words; the analyst
    links it to the SOC 2 report on file when accepting."""

    kind: Literal["bridge_letter"]
    covers_until: Day
    signed_on: Day
    report_named: text(500) = ""


def submission_schema(kind: str) -> type[BaseModel]:
    """What the portal validates a submission of `kind` with (the fields of NOT_THE_VENDORS
    left out of what it takes)."""
    return BridgeLetterSubmission if kind == "bridge_letter" else KINDS[kind].schema


def portal_fields(kind: str) -> tuple[str, ...]:
    """The fields of `kind` a vendor fills in on the portal."""
    schema = submission_schema(kind)
    names = (n for n in schema.model_fields if n != "kind" and n not in NOT_THE_VENDORS)
    return tuple(names)
