"""What the API returns about a vendor's status: may we sign or renew with it, and why."""

from datetime import date

from pydantic import BaseModel


class FlagRead(BaseModel):
    """One gap the rules found."""

    code: str
    severity: str
    message: str
    evidence_id: int | None
    waived: bool
    waiver_id: int | None


class DecisionRead(BaseModel):
    """The renewal decision (SPEC §12): the status on the day it must be decided, with the
    evidence and waivers on file on `as_of`, and the flags that would block or condition it."""

    on: date
    contract_end_on: date
    missed: bool
    status: str
    flags: list[FlagRead]


class StatusRead(BaseModel):
    """May we sign or renew with this vendor on `as_of`, and why."""

    vendor_id: int
    name: str
    status: str
    as_of: date
    requirement: str
    flags: list[FlagRead]
    next_review_on: date | None
    lifecycle: str
    review_due_on: date | None
    decision: DecisionRead | None
