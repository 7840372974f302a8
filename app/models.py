"""The tables. Only `table=True` classes live here; schemas live beside each domain."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class Vendor(SQLModel, table=True):
    """A third party, its requirement, and its materialised status."""

    __tablename__ = "vendors"
    # The list's filters and counts stay index-only: each index carries `lifecycle`, which
    # every list and dashboard read tests (archived vendors are left out), in id or date order.
    __table_args__ = (
        Index("ix_vendors_status_id_lifecycle", "status", "id", "lifecycle"),
        Index("ix_vendors_review_due_on_id_lifecycle", "review_due_on", "id", "lifecycle"),
        Index("ix_vendors_decision_on_id_lifecycle", "decision_on", "id", "lifecycle"),
        # The dashboard's needs attention and in onboarding, each in name order.
        Index("ix_vendors_status_tier_name_key", "status", "tier", "name_key"),
        Index("ix_vendors_lifecycle_status_name_key", "lifecycle", "status", "name_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, unique=True)
    domain: str | None = Field(default=None, max_length=253, unique=True)
    tier: str = Field(max_length=16, index=True)
    region: str | None = Field(default=None, max_length=16)
    services: str = Field(default="", max_length=2000)
    data_access: str | None = Field(default=None, max_length=16)
    owner_email: str | None = Field(default=None, max_length=320, index=True)
    # Whom evidence requests go to by default (SPEC §11): the vendor's security contact.
    security_contact_email: str | None = Field(default=None, max_length=320)
    requirement: str | None = Field(default=None, max_length=32)
    required_tsc: list[str] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    version: int = Field(default=1)
    # The materialised assessment: true for dates in [status_on, next_review_on).
    status: str = Field(default="blocked", max_length=16)
    status_on: date | None = Field(default=None, index=True)
    next_review_on: date | None = Field(default=None, index=True)
    flags: list[dict] = Field(default_factory=list, sa_type=JSON)
    # When the current SOC 2 report goes stale or the ISO certificate expires, whichever first.
    evidence_expires_on: date | None = Field(default=None, index=True)
    # The lifecycle and the contract (SPEC §12).
    lifecycle: str = Field(default="onboarding", max_length=16)
    contract_end_on: date | None = None
    notice_days: int = Field(default=0)
    auto_renews: bool = Field(default=False)
    renewal_term_months: int = Field(default=12)
    # The review due when the vendor has never been reviewed: its creation day, or 90 days
    # after migration 0010 for vendors that existed then.
    first_review_due_on: date | None = None
    # Set by archiving (reason and the offboarding checks), cleared by reactivation; the audit
    # log keeps every round.
    archived_at: datetime | None = _utc(default=None, nullable=True)
    archived_by: str | None = Field(default=None, max_length=320)
    archive_reason: str | None = Field(default=None, max_length=2000)
    offboarding_checks: dict | None = Field(default=None, sa_type=JSON)
    # Materialised beside the status (app/status/service.py): the review due date, the renewal
    # decision as of status_on, and the day the stored row stops holding (the daily pass
    # selects on it).
    review_due_on: date | None = None
    decision_on: date | None = None
    decision_status: str | None = Field(default=None, max_length=16)
    decision: dict | None = Field(default=None, sa_type=JSON)
    refresh_on: date | None = Field(default=None, index=True)


class VendorReview(SQLModel, table=True):
    """A periodic review of a vendor: the decision an analyst recorded (SPEC §12). It never
    changes the computed status."""

    __tablename__ = "vendor_reviews"
    __table_args__ = (Index("ix_vendor_reviews_vendor_reviewed", "vendor_id", "reviewed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id")
    reviewed_on: date
    outcome: str = Field(max_length=32)  # approved | approved_with_conditions | rejected
    notes: str = Field(default="", max_length=5000)
    created_by: str = Field(max_length=320)
    created_at: datetime = _utc()


class Evidence(SQLModel, table=True):
    """One document a vendor supplied; the columns of each kind are null for the others."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    kind: str = Field(max_length=32)
    received_on: date
    notes: str = Field(default="", max_length=5000)
    created_at: datetime = _utc()
    created_by: str = Field(max_length=320)
    retracted_at: datetime | None = _utc(default=None, nullable=True)
    retracted_by: str | None = Field(default=None, max_length=320)
    retraction_reason: str | None = Field(default=None, max_length=2000)
    # SOC 1 / 2 / 3 reports
    report_type: str | None = Field(default=None, max_length=8)
    period_start: date | None = None
    period_end: date | None = None
    opinion: str | None = Field(default=None, max_length=16)
    auditor: str | None = Field(default=None, max_length=200)
    tsc: list[str] | None = Field(default=None, sa_type=JSON)
    exceptions_noted: int | None = None
    subservice_orgs: list[dict] | None = Field(default=None, sa_type=JSON)
    cuecs: bool | None = None
    system: str | None = Field(default=None, max_length=2000)
    # SOC reports and ISO certificates
    issued_on: date | None = None
    # ISO/IEC 27001 certificates
    standard_version: str | None = Field(default=None, max_length=4)
    certificate_number: str | None = Field(default=None, max_length=100)
    certification_body: str | None = Field(default=None, max_length=200)
    accreditation_body: str | None = Field(default=None, max_length=200)
    expires_on: date | None = Field(default=None, index=True)
    initial_certification_on: date | None = None
    last_surveillance_on: date | None = None
    scope: str | None = Field(default=None, max_length=5000)
    certificate_status: str | None = Field(default=None, max_length=16)
    # SOC 2 reports and ISO certificates: the analyst's judgement whether the report's system /
    # the certificate's scope covers the vendor's services (yes | partly | no; null: not judged).
    scope_covers_services: str | None = Field(default=None, max_length=8)
    # Bridge letters
    soc2_report_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("evidence.id"), nullable=True)
    )
    covers_until: date | None = None
    signed_on: date | None = None
    # The uploaded document (PDF), stored content-addressed under VETTED_UPLOAD_DIR.
    document_sha256: str | None = Field(default=None, max_length=64, index=True)
    document_name: str | None = Field(default=None, max_length=255)
    document_size: int | None = None
    document_media_type: str | None = Field(default=None, max_length=100)
    document_uploaded_at: datetime | None = _utc(default=None, nullable=True)

    @property
    def retracted(self) -> bool:
        """Retracted records count on no date."""
        return self.retracted_at is not None


class PrefillUpload(SQLModel, table=True):
    """A PDF stored by "Prefill from PDF" (or with a refused form) for its owner to attach.

    Forms carry a signed handle to this row, never the digest; the daily pass deletes the rows
    older than a day and their files unless a record holds them."""

    __tablename__ = "prefill_uploads"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    size: int
    owner: str = Field(max_length=320)  # the principal's name: a web user's e-mail address
    created_at: datetime = _utc(index=True)


class EvidenceRequest(SQLModel, table=True):
    """Evidence asked of a vendor, answered through a portal link (SPEC §11).

    The link is `{id}.{mac}`, the mac an HMAC under the secret key of the id and `link_nonce`:
    nothing stored here opens it. Rotating the link moves the nonce to `retired_nonces`, whose
    links then answer 410. The status is derived (app/portal/service.py), never stored."""

    __tablename__ = "evidence_requests"

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    kinds: list[str] = Field(sa_type=JSON)
    contact_email: str = Field(max_length=320)
    message: str = Field(default="", max_length=5000)
    due_on: date = Field(index=True)
    expires_on: date
    link_nonce: str = Field(max_length=64)
    retired_nonces: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _utc()
    created_by: str = Field(max_length=320)
    cancelled_at: datetime | None = _utc(default=None, nullable=True)
    cancelled_by: str | None = Field(default=None, max_length=320)
    cancel_reason: str | None = Field(default=None, max_length=2000)


class EvidenceSubmission(SQLModel, table=True):
    """One document a vendor handed in through the portal: not evidence until accepted."""

    __tablename__ = "evidence_submissions"
    __table_args__ = (Index("ix_evidence_submissions_status_vendor", "status", "vendor_id"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="evidence_requests.id", index=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    kind: str = Field(max_length=32)
    fields: dict = Field(default_factory=dict, sa_type=JSON)  # the kind's fields, as sent
    document_sha256: str = Field(max_length=64, index=True)
    document_name: str = Field(max_length=255)
    document_size: int
    submitted_at: datetime = _utc()
    submitted_on: date  # the organisation's day it arrived: the evidence's received_on
    status: str = Field(default="pending", max_length=16)  # pending|accepted|rejected|superseded
    reviewed_at: datetime | None = _utc(default=None, nullable=True)
    reviewed_by: str | None = Field(default=None, max_length=320)
    review_notes: str | None = Field(default=None, max_length=2000)  # a rejection's reason
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id")


class RequestEmail(SQLModel, table=True):
    """One e-mail about a request — the request itself or a reminder — claimed once: the unique
    key (request, what, for the day it is due) lets one process send it. A refused one keeps its
    row with why and is tried again by the next pass."""

    __tablename__ = "request_emails"
    __table_args__ = (UniqueConstraint("request_id", "what", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="evidence_requests.id", index=True)
    what: str = Field(max_length=16)  # request | reminder
    due_on: date  # the day it was due to go out
    recipient: str = Field(max_length=320)
    claimed_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None, nullable=True)
    failed_at: datetime | None = _utc(default=None, nullable=True)
    error: str | None = Field(default=None, max_length=1000)


class PortalPost(SQLModel, table=True):
    """A post to a portal link (a submission or an extraction), counted per link and per client
    address for the portal's rate limit; rows older than the window are deleted by the daily
    pass."""

    __tablename__ = "portal_posts"
    __table_args__ = (
        Index("ix_portal_posts_request_at", "request_id", "at"),
        Index("ix_portal_posts_client_at", "client", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int
    client: str = Field(max_length=64)
    at: datetime = _utc()


class StatusChange(SQLModel, table=True):
    """A vendor's materialised status changed (by a write or because a date passed)."""

    __tablename__ = "status_changes"

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    changed_on: date = Field(index=True)
    changed_at: datetime = _utc()
    before: str | None = Field(default=None, max_length=16)
    after: str = Field(max_length=16)


class DigestDelivery(SQLModel, table=True):
    """One weekly digest to one recipient: the unique key makes it go out once a week. A
    refused delivery keeps its row, with when and why (`failed_at`, `error`), and is sent
    again by the next run."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("week", "recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    week: str = Field(max_length=8)  # ISO week, e.g. 2026-W48
    recipient: str = Field(max_length=320)
    claimed_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None, nullable=True)
    message_id: str | None = Field(default=None, max_length=255)
    failed_at: datetime | None = _utc(default=None, nullable=True)  # the last refusal, if unsent
    error: str | None = Field(default=None, max_length=1000)  # what the last refusal said


class JobRun(SQLModel, table=True):
    """A once-a-day job claimed by one process: the unique (job, day) key lets one win."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=32)
    day: date
    claimed_by: str = Field(max_length=200)  # host:pid of the process that runs it
    claimed_at: datetime = _utc()
    finished_at: datetime | None = _utc(default=None, nullable=True)
    processed: int | None = None


class Waiver(SQLModel, table=True):
    """A risk acceptance: flags with `code` on the vendor do not count while it runs."""

    __tablename__ = "waivers"

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    code: str = Field(max_length=64)
    # The document whose flag is accepted; null: a vendor-level or substitution code, or a
    # waiver recorded before v2, which covers every flag with its code.
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id")
    reason: str = Field(max_length=5000)
    approved_by: str = Field(max_length=200)
    granted_on: date
    expires_on: date = Field(index=True)
    created_at: datetime = _utc()
    created_by: str = Field(max_length=320)
    revoked_at: datetime | None = _utc(default=None, nullable=True)
    revoked_by: str | None = Field(default=None, max_length=320)
    revoke_reason: str | None = Field(default=None, max_length=2000)

    @property
    def revoked(self) -> bool:
        """Revoked waivers count on no date."""
        return self.revoked_at is not None


class User(SQLModel, table=True):
    """A person who logs in to the web pages."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=500)
    role: str = Field(max_length=16)
    active: bool = True
    created_at: datetime = _utc()


class LoginSession(SQLModel, table=True):
    """A web login: the cookie carries a random id whose SHA-256 is stored here. It ends at
    logout, at a password or role change, at deactivation, and at `expires_at` (12 hours after
    login; use does not extend it)."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    id_hash: str = Field(max_length=64, unique=True)  # SHA-256 of the id in the cookie
    user_id: int = Field(foreign_key="users.id", index=True)
    role: str = Field(max_length=16)  # the role at login: a changed role ends the session
    created_at: datetime = _utc()
    expires_at: datetime = _utc(index=True)


class ApiToken(SQLModel, table=True):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = _utc()
    revoked_at: datetime | None = _utc(default=None, nullable=True)


class LoginFailure(SQLModel, table=True):
    """A failed (or pending) login for one account from one client address: the throttle
    counts them per window, per (account, client) and per client."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_client_at", "account", "client", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=64)  # SHA-256 of the normalised e-mail address
    client: str = Field(max_length=64)  # the client address (an IPv6 one as its /64)
    at: datetime = _utc()


class IdempotencyKey(SQLModel, table=True):
    """An API write sent with an Idempotency-Key: its request and, once done, its response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=64)  # the credential that sent it: token:<id> or user:<id>
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)  # SHA-256 of method, path, query and body
    claim: str = Field(max_length=64)  # who is processing it now (changes on a takeover)
    created_at: datetime = _utc(index=True)
    committed: bool = False  # set in the write's own transaction
    status_code: int | None = None
    content_type: str | None = Field(default=None, max_length=200)
    body: str | None = None


class AuditEntry(SQLModel, table=True):
    """One write: who, when, what, and the values before and after. Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    actor: str = Field(max_length=320)
    entity: str = Field(max_length=32)
    entity_id: int
    action: str = Field(max_length=32)
    vendor_id: int | None = Field(default=None, index=True)
    before: dict | None = Field(default=None, sa_type=JSON)
    after: dict | None = Field(default=None, sa_type=JSON)


__all__ = [
    "ApiToken",
    "AuditEntry",
    "DigestDelivery",
    "Evidence",
    "EvidenceRequest",
    "EvidenceSubmission",
    "IdempotencyKey",
    "JobRun",
    "LoginFailure",
    "LoginSession",
    "PortalPost",
    "RequestEmail",
    "StatusChange",
    "User",
    "Vendor",
    "VendorReview",
    "Waiver",
]
