"""The vendor API: list, create, read, update, look up, status."""

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query
from pydantic import TypeAdapter
from sqlmodel import Session

from app.api_common import READ_ERRORS, WRITE_ERRORS, VendorId
from app.auth.deps import Analyst, Reader
from app.db import SessionDep
from app.deps import Today
from app.errors import Invalid
from app.evidence.schemas import EvidenceRead
from app.evidence.service import list_evidence
from app.fields import Criterion, Day, Domain, Name, SearchText
from app.models import Vendor
from app.records import get_vendor
from app.status.schemas import StatusRead
from app.status.service import lapsed_today, read_status, status_on
from app.vendors import service
from app.vendors.schemas import (
    VendorCreate,
    VendorPage,
    VendorRead,
    VendorUpdate,
)
from app.waivers.schemas import WaiverRead
from app.waivers.service import list_waivers

router = APIRouter(prefix="/vendors", tags=["vendors"])
IF_MATCH = r'^(W/)?("[0-9]{1,9}"|[0-9]{1,9})$'  # the version, as an ETag or bare
Status = Annotated[str | None, Query(pattern="^(approved|conditional|blocked)$")]
TierQuery = Annotated[str | None, Query(pattern="^(critical|high|medium|low)$")]
LifecycleQuery = Annotated[
    str | None,
    Query(
        pattern="^(onboarding|active|offboarding|archived)$",
        description="Only vendors in this lifecycle; without it, archived vendors are left out",
    ),
]


class VendorDetail(VendorRead):
    """A vendor with its evidence and waivers."""

    evidence: list[EvidenceRead]
    waivers: list[WaiverRead]
    required_tsc: list[Criterion] | None


@router.get("", response_model=VendorPage, responses=READ_ERRORS)
def list_vendors(
    session: SessionDep,
    _: Reader,
    today: Today,
    status: Status = None,
    tier: TierQuery = None,
    q: Annotated[SearchText | None, Query(max_length=200)] = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    lifecycle: LifecycleQuery = None,
    review_due_within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    decision_within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(pattern=service.CURSOR_PATTERN)] = None,
) -> VendorPage:
    """Vendors with their status today, filtered, one page at a time (follow `next_cursor`)."""
    after_id = service.decode_cursor(cursor) if cursor else None
    flt = service.VendorFilter(
        status=status,
        tier=tier,
        q=q,
        expiring_within_days=expiring_within_days,
        lifecycle=lifecycle,
        review_due_within_days=review_due_within_days,
        decision_within_days=decision_within_days,
    )
    items, total = service.list_vendors(
        session=session, flt=flt, limit=limit, after_id=after_id, today=today
    )
    next_cursor = service.encode_cursor(items[-1].id) if len(items) == limit else None
    return VendorPage(
        items=vendor_reads(session=session, vendors=items, today=today),
        total=total,
        next_cursor=next_cursor,
    )


def vendor_reads(*, session: Session, vendors: list[Vendor], today: date) -> list[VendorRead]:
    """The vendors as the API shows them, a lapsed stored status evaluated for today."""
    lapsed = lapsed_today(session=session, vendors=vendors, today=today)
    return [_with(VendorRead.model_validate(v), lapsed.get(v.id)) for v in vendors]


def _with(read: VendorRead, current: dict | None) -> VendorRead:
    if current is None:
        return read
    return read.model_copy(update={key: current[key] for key in ("status", "next_review_on")})


@router.post("", response_model=VendorRead, status_code=201, responses=WRITE_ERRORS)
def create_vendor(
    data: VendorCreate, session: SessionDep, principal: Analyst, today: Today
) -> VendorRead:
    """Create a vendor; a duplicate name (any case) or domain is a 409."""
    vendor = service.create_vendor(session=session, data=data, actor=principal.name, today=today)
    return VendorRead.model_validate(vendor)


# OpenAPI cannot say "domain or name" of two parameters; it can of one object parameter whose
# properties are sent as query parameters of their own (form style, exploded).
LOOKUP_KEYS = {
    "name": "vendor",
    "in": "query",
    "required": True,
    "style": "form",
    "explode": True,
    "description": "`domain=` or `name=` (exact, any case); given both, the domain is used",
    "schema": {
        "type": "object",
        "properties": {
            "domain": TypeAdapter(Domain).json_schema(),
            "name": TypeAdapter(Name).json_schema(),
        },
        "anyOf": [{"required": ["domain"]}, {"required": ["name"]}],
        "additionalProperties": False,
    },
}


@router.get(
    "/lookup",
    response_model=StatusRead,
    responses=READ_ERRORS,
    openapi_extra={"parameters": [LOOKUP_KEYS]},
)
def lookup_vendor(
    session: SessionDep,
    _: Reader,
    today: Today,
    domain: Annotated[Domain | None, Query(include_in_schema=False)] = None,
    name: Annotated[Name | None, Query(include_in_schema=False)] = None,
    as_of: Annotated[Day | None, Query()] = None,
) -> StatusRead:
    """Exact lookup by `domain` or `name` (case-insensitive) → the status object."""
    if not domain and not name:
        raise Invalid("domain", "give domain or name", where="query")
    vendor = service.lookup_vendor(session=session, domain=domain, name=name)
    return status_on(session=session, vendor=vendor, as_of=as_of or today)


# `:int`: /vendors/lookup is never read as an id, so PATCH /vendors/lookup is a 405 (lookup
# is GET only) and /vendors/abc a 404, not a 422 about the id.
@router.get("/{vendor_id:int}", response_model=VendorDetail, responses=READ_ERRORS)
def read_vendor(vendor_id: VendorId, session: SessionDep, _: Reader, today: Today) -> VendorDetail:
    """The vendor with its evidence (retracted included) and waivers."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    evidence = list_evidence(session=session, vendor_id=vendor_id)
    waivers = list_waivers(session=session, vendor_id=vendor_id)
    (shown,) = vendor_reads(session=session, vendors=[vendor], today=today)
    return VendorDetail.model_validate(
        {
            **shown.model_dump(),
            "evidence": [EvidenceRead.model_validate(e) for e in evidence],
            "waivers": [WaiverRead.model_validate(w) for w in waivers],
        }
    )


@router.patch("/{vendor_id:int}", response_model=VendorRead, responses=WRITE_ERRORS)
def update_vendor(
    vendor_id: VendorId,
    data: VendorUpdate,
    session: SessionDep,
    principal: Analyst,
    today: Today,
    if_match: Annotated[str | None, Header(json_schema_extra={"pattern": IF_MATCH})] = None,
) -> VendorRead:
    """Partial update. Send the `version` you read (If-Match or body): a stale one is a 409."""
    vendor = service.update_vendor(
        session=session,
        vendor_id=vendor_id,
        data=data,
        expected_version=_version(if_match),
        actor=principal.name,
        today=today,
    )
    return VendorRead.model_validate(vendor)


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    if not re.fullmatch(IF_MATCH, if_match):
        raise Invalid("If-Match", "must be the vendor's version number", where="header")
    return int(if_match.removeprefix("W/").strip('"'))


@router.get("/{vendor_id}/status", response_model=StatusRead, responses=READ_ERRORS)
async def vendor_status(
    vendor_id: VendorId,
    _: Reader,
    today: Today,
    as_of: Annotated[Day | None, Query(description="Evaluate on this date; default today")] = None,
) -> StatusRead:
    """May we sign or renew? The status, every flag and the next review date, as of a date."""
    return await read_status(vendor_id, as_of=as_of or today)
