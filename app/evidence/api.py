"""The evidence API."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel
from sqlmodel import Session

from app.api_common import READ_ERRORS, WRITE_ERRORS, EvidenceId, VendorId
from app.auth.deps import Analyst, Reader
from app.db import SessionDep
from app.deps import Today
from app.evidence import service
from app.evidence.schemas import (
    EvidenceCreate,
    EvidenceRead,
    EvidenceUpdate,
    Retraction,
)
from app.models import Evidence
from app.records import get_vendor
from app.rules.engine import Assessment
from app.status.schemas import StatusRead
from app.status.service import stored_status

router = APIRouter(tags=["evidence"])


class EvidenceCreated(BaseModel):
    """The new (or changed) record and the vendor's status with it."""

    evidence: EvidenceRead
    status: StatusRead


def _created(
    session: Session, evidence: Evidence, assessment: Assessment, today: date
) -> EvidenceCreated:
    """The record and its vendor's status with it (the request's session commits them)."""
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    return EvidenceCreated(
        evidence=EvidenceRead.model_validate(evidence),
        status=stored_status(vendor, as_of=today),
    )


@router.post(
    "/vendors/{vendor_id}/evidence",
    response_model=EvidenceCreated,
    status_code=201,
    responses=WRITE_ERRORS,
)
def create_evidence(
    vendor_id: VendorId,
    data: Annotated[EvidenceCreate, Body()],
    session: SessionDep,
    principal: Analyst,
    today: Today,
) -> EvidenceCreated:
    """Log a SOC report, ISO certificate or bridge letter (the body's `kind` decides)."""
    evidence, assessment = service.create_evidence(
        session=session, vendor_id=vendor_id, data=data, actor=principal.name, today=today
    )
    return _created(session, evidence, assessment, today)


@router.get(
    "/vendors/{vendor_id}/evidence", response_model=list[EvidenceRead], responses=READ_ERRORS
)
def list_evidence(vendor_id: VendorId, session: SessionDep, _: Reader) -> list[EvidenceRead]:
    """Every record of the vendor, retracted ones included and marked."""
    return [
        EvidenceRead.model_validate(e)
        for e in service.list_evidence(session=session, vendor_id=vendor_id)
    ]


@router.get("/evidence/{evidence_id}", response_model=EvidenceRead, responses=READ_ERRORS)
def read_evidence(evidence_id: EvidenceId, session: SessionDep, _: Reader) -> EvidenceRead:
    """One evidence record."""
    return EvidenceRead.model_validate(
        service.get_evidence(session=session, evidence_id=evidence_id)
    )


@router.patch("/evidence/{evidence_id}", response_model=EvidenceCreated, responses=WRITE_ERRORS)
def update_evidence(
    evidence_id: EvidenceId,
    data: EvidenceUpdate,
    session: SessionDep,
    principal: Analyst,
    today: Today,
) -> EvidenceCreated:
    """Judge whether a SOC 2 report or ISO certificate covers the vendor's services (yes,
    partly, no; null: not judged); the vendor is re-evaluated. 409 on a retracted record."""
    evidence, assessment = service.judge_scope(
        session=session,
        evidence_id=evidence_id,
        value=data.scope_covers_services,
        actor=principal.name,
        today=today,
    )
    return _created(session, evidence, assessment, today)


@router.post("/evidence/{evidence_id}/retract", response_model=EvidenceRead, responses=WRITE_ERRORS)
def retract_evidence(
    evidence_id: EvidenceId, data: Retraction, session: SessionDep, principal: Analyst, today: Today
) -> EvidenceRead:
    """Retract a record: it keeps its row but counts on no date. Retracting twice is a 409."""
    evidence = service.retract_evidence(
        session=session, evidence_id=evidence_id, data=data, actor=principal.name, today=today
    )
    return EvidenceRead.model_validate(evidence)
