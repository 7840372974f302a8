"""What the API and the forms accept and return for waivers: risk acceptances and revocations."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticKnownError

from app.evidence.schemas import OptionalDay, RecordId
from app.fields import EMPTY_AS_NONE, Day, text
from app.rules.catalog import RULES_BY_CODE


def _rule_code(value: str) -> str:
    if not value:  # as the forms say of a flag not chosen
        raise PydanticKnownError("string_too_short", {"min_length": 1})
    if value not in RULES_BY_CODE:
        raise ValueError("must be a rule code (see GET /api/v1/rules)")
    return value


# Do not sign with an offboarded vendor: no accepted risk stands in for reactivating it.
UNWAIVABLE_CODES = frozenset({"VENDOR_ARCHIVED"})
RuleCode = Annotated[
    str,
    AfterValidator(_rule_code),  # an unwaivable code is refused by the service, saying why
    WithJsonSchema({"type": "string", "enum": sorted(set(RULES_BY_CODE) - UNWAIVABLE_CODES)}),
]


class WaiverCreate(BaseModel):
    """A risk acceptance for one rule code on one vendor (and one document, for a flag about
    a document's content)."""

    model_config = ConfigDict(extra="forbid")

    code: RuleCode
    evidence_id: Annotated[RecordId | None, EMPTY_AS_NONE] = Field(
        default=None,
        description="The document whose flag is accepted: required for a flag about a "
        "document's content, null for EVIDENCE_MISSING, TIER_BELOW_DATA_ACCESS and the "
        "substitution codes",
    )
    reason: text(5000, 1, multiline=True)
    approved_by: text(200, 1)
    granted_on: OptionalDay = None
    expires_on: Day


class Revocation(BaseModel):
    """Why a waiver no longer stands (optional)."""

    model_config = ConfigDict(extra="forbid")

    reason: text(2000, multiline=True) = ""


class WaiverRead(BaseModel):
    """A waiver as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    vendor_id: int
    code: str
    evidence_id: int | None = None
    reason: str
    approved_by: str
    granted_on: date
    expires_on: date
    created_at: datetime
    created_by: str
    revoked: bool
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None
