"""Evidence and waivers: log, list, judge scope, retract, grant, revoke; nothing is deleted."""

from datetime import date
from typing import get_args

from sqlmodel import Session, col, select

from app import clock
from app.audit.service import record, snapshot
from app.errors import Conflict, Invalid, NotFound
from app.fields import ScopeJudgement
from app.models import Evidence, Vendor, Waiver
from app.rules.catalog import RULES_BY_CODE
from app.rules.dates import add_months
from app.rules.engine import Assessment
from app.status.service import materialise
from app.vendors.service import get_vendor

from .dates import check_document_dates
from .schemas import (
    UNWAIVABLE_CODES,
    BridgeLetterCreate,
    EvidenceCreate,
    Retraction,
    Revocation,
    WaiverCreate,
)

MAX_WAIVER_MONTHS = 12
# Codes whose flags stand for something missing, for the vendor itself or for a kind of
# substitute, not for one document's content: their waivers take no evidence_id, and the
# acceptance of a substitute outlives its renewal (SPEC §2 v2). Every other code's waiver
# names the document whose flag it accepts.
SUBSTITUTION_CODES = frozenset(
    {
        "ISO_IN_PLACE_OF_SOC2",
        "SOC3_IN_PLACE_OF_SOC2",
        "SOC1_IN_PLACE_OF_SOC2",
        "SOC2_IN_PLACE_OF_ISO",
    }
)
CODES_WITHOUT_DOCUMENT = (
    frozenset({"EVIDENCE_MISSING", "TIER_BELOW_DATA_ACCESS"}) | SUBSTITUTION_CODES
)
# The kinds whose system / scope an analyst judges against the vendor's services (SPEC §2 v2).
SCOPE_KINDS = ("soc2_report", "iso27001_certificate")


def get_evidence(*, session: Session, evidence_id: int, for_update: bool = False) -> Evidence:
    """The evidence record, or NotFound; `for_update` locks the row (PostgreSQL) until commit."""
    evidence = session.get(
        Evidence, evidence_id, with_for_update=for_update, populate_existing=for_update
    )
    if evidence is None:
        raise NotFound(f"evidence {evidence_id} not found")
    return evidence


def list_evidence(*, session: Session, vendor_id: int) -> list[Evidence]:
    """Every record of a vendor, retracted included, newest first."""
    get_vendor(session=session, vendor_id=vendor_id)
    query = select(Evidence).where(Evidence.vendor_id == vendor_id)
    return list(
        session.exec(query.order_by(col(Evidence.received_on).desc(), col(Evidence.id).desc()))
    )


def _check_bridge(*, session: Session, vendor_id: int, data: BridgeLetterCreate) -> Evidence:
    """The SOC 2 report the letter vouches for, or Invalid."""
    report = session.get(Evidence, data.soc2_report_id)
    if report is None or report.vendor_id != vendor_id or report.kind != "soc2_report":
        raise Invalid("soc2_report_id", "must be one of this vendor's SOC 2 reports")
    if report.retracted_at is not None:
        raise Invalid("soc2_report_id", "that SOC 2 report has been retracted")
    if data.covers_until <= report.period_end:
        raise Invalid(
            "covers_until",
            f"must be after the report's period end ({report.period_end.isoformat()})",
        )
    return report


def create_evidence(
    *, session: Session, vendor_id: int, data: EvidenceCreate, actor: str, today: date
) -> tuple[Evidence, Assessment]:
    """Log a document a vendor supplied and re-evaluate the vendor."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    received_on = data.received_on or today
    period_end = None
    if isinstance(data, BridgeLetterCreate):
        period_end = _check_bridge(session=session, vendor_id=vendor_id, data=data).period_end
    check_document_dates(
        data=data, received_on=received_on, today=today, report_period_end=period_end
    )
    values = data.model_dump(exclude={"received_on"})
    evidence = Evidence(
        **values,
        vendor_id=vendor_id,
        received_on=received_on,
        created_at=clock.utc_now(),
        created_by=actor,
    )
    session.add(evidence)
    session.flush()
    record(
        session=session,
        actor=actor,
        entity="evidence",
        entity_id=evidence.id,
        action="create",
        vendor_id=vendor_id,
        after=snapshot(evidence),
    )
    return evidence, materialise(session=session, vendor=vendor, today=today)


def retract_evidence(
    *, session: Session, evidence_id: int, data: Retraction, actor: str, today: date
) -> Evidence:
    """Mark a record as never to be relied on; the row and its history stay."""
    evidence = get_evidence(session=session, evidence_id=evidence_id, for_update=True)
    if evidence.retracted_at is not None:
        raise Conflict(f"evidence {evidence_id} was retracted already")
    before = snapshot(evidence)
    evidence.retracted_at = clock.utc_now()
    evidence.retracted_by = actor
    evidence.retraction_reason = data.reason
    session.add(evidence)
    record(
        session=session,
        actor=actor,
        entity="evidence",
        entity_id=evidence.id,
        action="retract",
        vendor_id=evidence.vendor_id,
        before=before,
        after=snapshot(evidence),
    )
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    materialise(session=session, vendor=vendor, today=today)
    return evidence


def judge_scope(
    *, session: Session, evidence_id: int, value: str | None, actor: str, today: date
) -> tuple[Evidence, Assessment]:
    """Record whether a document covers the vendor's services (None: not judged); re-evaluate."""
    if value not in (None, *get_args(ScopeJudgement)):
        raise Invalid("scope_covers_services", "must be yes, partly, no or null (not judged)")
    evidence = get_evidence(session=session, evidence_id=evidence_id, for_update=True)
    if evidence.kind not in SCOPE_KINDS:
        raise Invalid(
            "scope_covers_services",
            "only a SOC 2 report or an ISO/IEC 27001 certificate has a scope to judge",
        )
    if evidence.retracted_at is not None:
        raise Conflict(f"evidence {evidence_id} was retracted: it is not relied on, so not judged")
    if value != evidence.scope_covers_services:
        before = snapshot(evidence)
        evidence.scope_covers_services = value
        session.add(evidence)
        record(
            session=session,
            actor=actor,
            entity="evidence",
            entity_id=evidence.id,
            action="judge_scope",
            vendor_id=evidence.vendor_id,
            before=before,
            after=snapshot(evidence),
        )
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    return evidence, materialise(session=session, vendor=vendor, today=today)


def get_waiver(*, session: Session, waiver_id: int, for_update: bool = False) -> Waiver:
    """The waiver, or NotFound; `for_update` locks the row (PostgreSQL) until commit."""
    waiver = session.get(
        Waiver, waiver_id, with_for_update=for_update, populate_existing=for_update
    )
    if waiver is None:
        raise NotFound(f"waiver {waiver_id} not found")
    return waiver


def list_waivers(*, session: Session, vendor_id: int) -> list[Waiver]:
    """Every waiver of a vendor, revoked included, newest first."""
    get_vendor(session=session, vendor_id=vendor_id)
    query = select(Waiver).where(Waiver.vendor_id == vendor_id)
    return list(session.exec(query.order_by(col(Waiver.id).desc())))


def check_waiver_code(code: str) -> None:
    """Refuse a code that is not a rule's, or that cannot be waived."""
    if code in UNWAIVABLE_CODES:
        raise Invalid("code", f"{code} cannot be waived: reactivate the vendor if it is in use")
    if code not in RULES_BY_CODE:
        raise Invalid("code", "must be a rule code (see GET /api/v1/rules)")


def check_waived_document(
    *, session: Session, vendor_id: int, code: str, evidence_id: int | None
) -> None:
    """Refuse an evidence_id that the code does not take, or one that is not this vendor's."""
    if code in CODES_WITHOUT_DOCUMENT:
        if evidence_id is not None:
            raise Invalid(
                "evidence_id",
                f"must be empty for {code}: its flag is not about one document's content",
            )
        return
    if evidence_id is None:
        raise Invalid(
            "evidence_id", f"required for {code}: name the document whose flag is accepted"
        )
    document = session.get(Evidence, evidence_id)
    if document is None or document.vendor_id != vendor_id:
        raise Invalid("evidence_id", "must be one of this vendor's documents")


def _check_waiver(*, session: Session, vendor_id: int, data: WaiverCreate, today: date) -> None:
    check_waiver_code(data.code)
    check_waived_document(
        session=session, vendor_id=vendor_id, code=data.code, evidence_id=data.evidence_id
    )
    granted_on = data.granted_on or today
    if granted_on > today:
        raise Invalid(
            "granted_on",
            f"must not be after today ({today.isoformat()}): a risk is accepted when it is, "
            "not in advance",
        )
    _check_waiver_end(data, granted_on)


def _check_waiver_end(data: WaiverCreate, granted_on: date) -> None:
    if data.expires_on <= granted_on:
        raise Invalid("expires_on", f"must be after granted_on ({granted_on.isoformat()})")
    latest = add_months(granted_on, MAX_WAIVER_MONTHS)
    if data.expires_on > latest:
        raise Invalid(
            "expires_on", f"a waiver runs at most 12 months: {latest.isoformat()} at the latest"
        )


def create_waiver(
    *, session: Session, vendor_id: int, data: WaiverCreate, actor: str, today: date
) -> Waiver:
    """Record a risk acceptance for one rule code (on one document, for a document's flag)
    and re-evaluate the vendor."""
    vendor: Vendor = get_vendor(session=session, vendor_id=vendor_id)
    _check_waiver(session=session, vendor_id=vendor_id, data=data, today=today)
    waiver = Waiver(
        **data.model_dump(exclude={"granted_on"}),
        granted_on=data.granted_on or today,
        vendor_id=vendor_id,
        created_at=clock.utc_now(),
        created_by=actor,
    )
    session.add(waiver)
    session.flush()
    record(
        session=session,
        actor=actor,
        entity="waiver",
        entity_id=waiver.id,
        action="create",
        vendor_id=vendor_id,
        after=snapshot(waiver),
    )
    materialise(session=session, vendor=vendor, today=today)
    return waiver


def revoke_waiver(
    *, session: Session, waiver_id: int, data: Revocation, actor: str, today: date
) -> Waiver:
    """Withdraw a risk acceptance; it counts on no date from now on."""
    waiver = get_waiver(session=session, waiver_id=waiver_id, for_update=True)
    if waiver.revoked_at is not None:
        raise Conflict(f"waiver {waiver_id} was revoked already")
    before = snapshot(waiver)
    waiver.revoked_at = clock.utc_now()
    waiver.revoked_by = actor
    waiver.revoke_reason = data.reason
    session.add(waiver)
    record(
        session=session,
        actor=actor,
        entity="waiver",
        entity_id=waiver.id,
        action="revoke",
        vendor_id=waiver.vendor_id,
        before=before,
        after=snapshot(waiver),
    )
    materialise(
        session=session, vendor=get_vendor(session=session, vendor_id=waiver.vendor_id), today=today
    )
    return waiver
