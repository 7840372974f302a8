"""What the API and the forms accept and return for evidence and retractions."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.fields import (
    EMPTY_AS_NONE,
    CertificateStatus,
    Criterion,
    Day,
    IsoEdition,
    LongText,
    Name,
    Opinion,
    ReportType,
    ScopeJudgement,
    ShortText,
    SubserviceMethod,
    TypedBool,
    TypedInt,
    field_error,
    text,
)

OptionalDay = Annotated[Day | None, EMPTY_AS_NONE]
# Not judged yet (null) unless the analyst says; a form's empty choice means the same.
Scope = Annotated[ScopeJudgement | None, EMPTY_AS_NONE]
RecordId = Annotated[TypedInt, Field(ge=1, le=2**31 - 1)]


class SubserviceOrg(BaseModel):
    """A subservice organisation named in a SOC report, and how the report treats it."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    method: SubserviceMethod


class EvidenceBase(BaseModel):
    """Fields every kind of evidence has."""

    model_config = ConfigDict(extra="forbid")

    received_on: OptionalDay = None
    notes: LongText = ""


class SocReportBase(EvidenceBase):
    """Fields SOC 1, 2 and 3 reports share."""

    period_start: OptionalDay = None
    period_end: Day
    opinion: Opinion
    auditor: text(200, 1)
    issued_on: OptionalDay = None
    exceptions_noted: TypedInt = Field(default=0, ge=0, le=100_000)
    subservice_orgs: list[SubserviceOrg] = Field(default_factory=list, max_length=100)
    cuecs: TypedBool = False
    system: text(2000, multiline=True) = ""  # the column holds 2000 characters

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.period_start is not None and self.period_start >= self.period_end:
            raise field_error("period_start", "must be before period_end", self.period_start)
        if self.issued_on is not None and self.issued_on < self.period_end:
            raise field_error(
                "issued_on", "a report is issued on or after its period end", self.issued_on
            )
        return self


class TypedReport(SocReportBase):
    """SOC 1 and SOC 2 reports are Type I (a point in time) or Type II (a period)."""

    report_type: ReportType

    @model_validator(mode="after")
    def _period_matches_type(self):
        if self.report_type == "type2" and self.period_start is None:
            raise field_error(
                "period_start",
                "a Type II report covers a period; give its start",
                self.period_start,
            )
        if self.report_type == "type1" and self.period_start is not None:
            raise field_error(
                "period_start",
                "a Type I report is as of one date; leave it empty",
                self.period_start,
            )
        return self


def _with_security(value: list[str]) -> list[str]:
    if "security" not in value:
        raise field_error("tsc", "must include security (the common criteria)", value)
    return sorted(set(value))


Tsc = Annotated[list[Criterion], Field(min_length=1, max_length=5)]


class Soc2ReportCreate(TypedReport):
    """A SOC 2 report: controls over security and the other Trust Services Criteria."""

    kind: Literal["soc2_report"]
    tsc: Tsc = Field(default_factory=lambda: ["security"])
    scope_covers_services: Scope = None

    @model_validator(mode="after")
    def _security_in_scope(self):
        self.tsc = _with_security(self.tsc)
        return self


class Soc1ReportCreate(TypedReport):
    """A SOC 1 report: controls over financial reporting."""

    kind: Literal["soc1_report"]


class Soc3ReportCreate(SocReportBase):
    """A SOC 3 report: the general-use summary of a SOC 2."""

    kind: Literal["soc3_report"]
    tsc: Tsc = Field(default_factory=lambda: ["security"])


class IsoCertificateCreate(EvidenceBase):
    """An ISO/IEC 27001 certificate."""

    kind: Literal["iso27001_certificate"]
    standard_version: IsoEdition
    certificate_number: text(100, 1)
    certification_body: text(200, 1)
    accreditation_body: Annotated[ShortText | None, EMPTY_AS_NONE] = None
    issued_on: Day
    expires_on: Day
    initial_certification_on: OptionalDay = None
    last_surveillance_on: OptionalDay = None
    scope: LongText = ""
    certificate_status: CertificateStatus = "active"
    scope_covers_services: Scope = None

    # A surveillance audit before `issued_on` is normal: certificates are re-issued after audits.
    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.expires_on <= self.issued_on:
            raise field_error("expires_on", "must be after issued_on", self.expires_on)
        return self


class BridgeLetterCreate(EvidenceBase):
    """A bridge (gap) letter: the vendor vouches for the time since a SOC 2 report's period."""

    kind: Literal["bridge_letter"]
    soc2_report_id: RecordId
    covers_until: Day
    signed_on: Day


EvidenceCreate = Annotated[
    Soc2ReportCreate
    | Soc1ReportCreate
    | Soc3ReportCreate
    | IsoCertificateCreate
    | BridgeLetterCreate,
    Field(discriminator="kind"),
]


class EvidenceUpdate(BaseModel):
    """A correction of a record: for now the scope judgement alone (SPEC §6 v2)."""

    model_config = ConfigDict(extra="forbid")

    scope_covers_services: Scope = Field(
        description="Does the report's system / the certificate's scope cover the vendor's "
        "services? yes, partly, no, or null (not judged yet)"
    )


class Retraction(BaseModel):
    """Why a record should never have been relied on."""

    model_config = ConfigDict(extra="forbid")

    reason: text(2000, 1, multiline=True)


class EvidenceRead(BaseModel):
    """One evidence record as stored; fields of other kinds are null."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    vendor_id: int
    kind: str
    received_on: date
    notes: str
    created_at: datetime
    created_by: str
    retracted: bool
    retracted_at: datetime | None
    retracted_by: str | None
    retraction_reason: str | None
    report_type: str | None
    period_start: date | None
    period_end: date | None
    opinion: str | None
    auditor: str | None
    tsc: list[str] | None
    exceptions_noted: int | None
    subservice_orgs: list[dict] | None
    cuecs: bool | None
    system: str | None
    issued_on: date | None
    standard_version: str | None
    certificate_number: str | None
    certification_body: str | None
    accreditation_body: str | None
    expires_on: date | None
    initial_certification_on: date | None
    last_surveillance_on: date | None
    scope: str | None
    certificate_status: str | None
    scope_covers_services: str | None = None
    soc2_report_id: int | None
    covers_until: date | None
    signed_on: date | None
    # The uploaded PDF, if any (download it from GET /evidence/{id}/document).
    document_name: str | None = None
    document_size: int | None = None
    document_sha256: str | None = None
    document_media_type: str | None = None
    document_uploaded_at: datetime | None = None
