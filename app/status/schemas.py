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


class StatusRead(BaseModel):
    """May we sign or renew with this vendor on `as_of`, and why."""

    vendor_id: int
    name: str
    status: str
    as_of: date
    requirement: str
    flags: list[FlagRead]
    next_review_on: date | None
