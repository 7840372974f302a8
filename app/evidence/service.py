"""Evidence: log, list, judge scope, retract; nothing is deleted."""

from datetime import date
from typing import get_args

from sqlmodel import Session, col, select

from app import clock
from app.audit.service import RETRACTION, change, create, withdraw
from app.errors import Conflict, Invalid
from app.fields import ScopeJudgement
from app.models import Evidence
from app.records import get_evidence, get_vendor, open_vendor
from app.rules.engine import Assessment
from app.status.service import materialise

from .dates import check_document_dates
from .kinds import KINDS, SCOPE_KINDS
from .schemas import (
    BridgeLetterCreate,
    EvidenceCreate,
    Retraction,
)

# What has a system / scope an analyst judges against the vendor's services (SPEC §2 v2).
SCOPE_WORDS = " or ".join(KINDS[name].words for name in SCOPE_KINDS)


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
    """Log a document a vendor supplied and re-evaluate the vendor (409 while archived)."""
    vendor = open_vendor(session=session, vendor_id=vendor_id)
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
    create(session=session, row=evidence, actor=actor)
    return evidence, materialise(session=session, vendor=vendor, today=today)


def retract_evidence(
    *, session: Session, evidence_id: int, data: Retraction, actor: str, today: date
) -> Evidence:
    """Mark a record as never to be relied on; the row and its history stay."""
    evidence = get_evidence(session=session, evidence_id=evidence_id, for_update=True)
    withdraw(session=session, row=evidence, how=RETRACTION, reason=data.reason, actor=actor)
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
        raise Invalid("scope_covers_services", f"only {SCOPE_WORDS} has a scope to judge")
    if evidence.retracted_at is not None:
        raise Conflict(f"evidence {evidence_id} was retracted: it is not relied on, so not judged")
    if value != evidence.scope_covers_services:
        change(
            session=session,
            row=evidence,
            changes={"scope_covers_services": value},
            actor=actor,
            action="judge_scope",
        )
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    return evidence, materialise(session=session, vendor=vendor, today=today)
