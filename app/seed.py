"""Demo data from seed/demo.toml, with dates relative to the day it is loaded."""

import re
import tomllib
from datetime import date, timedelta
from pathlib import Path

from pydantic import TypeAdapter
from sqlmodel import Session, select

from app import clock
from app.config import ROOT
from app.documents.storage import store_pdf_bytes
from app.evidence import service as evidence_service
from app.evidence.schemas import EvidenceCreate, Retraction
from app.models import EvidenceRequest, Vendor
from app.portal import links
from app.portal import service as request_service
from app.portal.schemas import RequestCreate, submission_schema
from app.rules.dates import add_months
from app.vendors import lifecycle
from app.vendors.schemas import ArchiveRequest, ReviewCreate, VendorCreate
from app.vendors.service import create_vendor, name_key
from app.waivers import service as waiver_service
from app.waivers.schemas import WaiverCreate

DEMO_PATH = ROOT / "seed" / "demo.toml"
DOCUMENTS = ROOT / "seed" / "documents"
SEED_ACTOR = "seed"
_STEP = re.compile(r"([+-])(\d+)([dm])")
_evidence = TypeAdapter(EvidenceCreate)


def resolve_date(value: str, today: date) -> str:
    """'today-13m+2d' → an ISO date; anything else is returned as it is."""
    if not value.startswith("today"):
        return value
    result, rest = today, value[len("today") :]
    for sign, amount, unit in _STEP.findall(rest):
        n = int(amount) * (1 if sign == "+" else -1)
        result = add_months(result, n) if unit == "m" else result + timedelta(days=n)
    return result.isoformat()


def _resolve(record: dict, today: date) -> dict:
    return {k: resolve_date(v, today) if isinstance(v, str) else v for k, v in record.items()}


def load_demo(*, session: Session, today: date, path: Path = DEMO_PATH) -> list[str]:
    """Create every demo vendor that does not exist yet; returns the names created."""
    created = []
    for spec in tomllib.loads(path.read_text(encoding="utf-8"))["vendor"]:
        exists = session.exec(select(Vendor.id).where(Vendor.name_key == name_key(spec["name"])))
        if exists.first() is None:
            _create_one(session=session, spec=spec, today=today)
            created.append(spec["name"])
    return created


PARTS = ("evidence", "waiver", "request", "review", "archive")


def _create_one(*, session: Session, spec: dict, today: date) -> None:
    fields = _resolve({k: v for k, v in spec.items() if k not in PARTS}, today)
    fields.setdefault("lifecycle", "active")  # the demo's vendors are in use unless it says
    vendor = create_vendor(
        session=session, data=VendorCreate(**fields), actor=SEED_ACTOR, today=today
    )
    ids: list[int] = []
    for record in spec.get("evidence", []):
        ids.append(
            _add_evidence(session=session, vendor=vendor, record=record, ids=ids, today=today)
        )
    for waiver in spec.get("waiver", []):
        _add_waiver(session=session, vendor=vendor, record=waiver, ids=ids, today=today)
    for request in spec.get("request", []):
        _add_request(session=session, vendor=vendor, record=request, today=today)
    for review in spec.get("review", []):
        data = ReviewCreate(**_resolve(review, today))
        lifecycle.record_review(
            session=session, vendor_id=vendor.id, data=data, actor=SEED_ACTOR, today=today
        )
    if "archive" in spec:  # last: archiving cancels the vendor's open requests
        data = ArchiveRequest(**spec["archive"])
        lifecycle.archive_vendor(
            session=session, vendor_id=vendor.id, data=data, actor=SEED_ACTOR, today=today
        )


def _add_request(*, session: Session, vendor: Vendor, record: dict, today: date) -> None:
    """An evidence request and what the vendor handed in through the portal for it."""
    handed_in = record.pop("submission", [])
    request = request_service.create_request(
        session=session,
        vendor_id=vendor.id,
        data=RequestCreate(**_resolve(record, today)),
        actor=SEED_ACTOR,
        today=today,
        now=clock.utc_now(),
    )
    for submission in handed_in:
        fields = _resolve(submission, today)
        name = fields.pop("document")
        data = submission_schema(fields["kind"]).model_validate(fields)
        request_service.submit(
            session=session,
            request=request,
            kind=fields["kind"],
            fields=request_service.check_submission(fields["kind"], data, today),
            document=store_pdf_bytes((DOCUMENTS / name).read_bytes()),
            document_name=name,
            today=today,
            now=clock.utc_now(),
        )


def _add_waiver(*, session: Session, vendor: Vendor, record: dict, ids: list[int], today: date):
    record = _resolve(record, today)
    if "evidence" in record:  # the index of the document in the vendor's evidence list
        record["evidence_id"] = ids[record.pop("evidence")]
    waiver_service.create_waiver(
        session=session,
        vendor_id=vendor.id,
        data=WaiverCreate(**record),
        actor=SEED_ACTOR,
        today=today,
    )


def _add_evidence(
    *, session: Session, vendor: Vendor, record: dict, ids: list[int], today: date
) -> int:
    record = _resolve(record, today)
    retraction = record.pop("retracted", None)
    if "report" in record:
        record["soc2_report_id"] = ids[record.pop("report")]
    evidence, _ = evidence_service.create_evidence(
        session=session,
        vendor_id=vendor.id,
        data=_evidence.validate_python(record),
        actor=SEED_ACTOR,
        today=today,
    )
    if retraction:
        evidence_service.retract_evidence(
            session=session,
            evidence_id=evidence.id,
            data=Retraction(reason=retraction),
            actor=SEED_ACTOR,
            today=today,
        )
    return evidence.id


def demo_portal_links(*, session: Session, today: date) -> list[tuple[str, str]]:
    """The portal links of the demo's live requests (vendor name, URL), to try the portal."""
    query = select(Vendor.name, EvidenceRequest).where(
        EvidenceRequest.vendor_id == Vendor.id, EvidenceRequest.created_by == SEED_ACTOR
    )
    return [
        (name, links.portal_url(request))
        for name, request in session.exec(query)
        if request_service.status_of(session, request, today) in request_service.LIVE
    ]
