"""Waivers: grant a risk acceptance for a flag, list, revoke; nothing is deleted."""

from datetime import date

from sqlmodel import Session, col, select

from app import clock
from app.audit.service import REVOCATION, create, withdraw
from app.errors import Invalid
from app.models import Evidence, Vendor, Waiver
from app.records import get_vendor, get_waiver, open_vendor
from app.rules.catalog import RULES_BY_CODE
from app.rules.dates import add_months
from app.status.service import materialise
from app.waivers.schemas import UNWAIVABLE_CODES, Revocation, WaiverCreate

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
    and re-evaluate the vendor (409 while archived)."""
    vendor: Vendor = open_vendor(session=session, vendor_id=vendor_id)
    _check_waiver(session=session, vendor_id=vendor_id, data=data, today=today)
    waiver = Waiver(
        **data.model_dump(exclude={"granted_on"}),
        granted_on=data.granted_on or today,
        vendor_id=vendor_id,
        created_at=clock.utc_now(),
        created_by=actor,
    )
    create(session=session, row=waiver, actor=actor)
    materialise(session=session, vendor=vendor, today=today)
    return waiver


def revoke_waiver(
    *, session: Session, waiver_id: int, data: Revocation, actor: str, today: date
) -> Waiver:
    """Withdraw a risk acceptance; it counts on no date from now on."""
    waiver = get_waiver(session=session, waiver_id=waiver_id, for_update=True)
    withdraw(session=session, row=waiver, how=REVOCATION, reason=data.reason, actor=actor)
    materialise(
        session=session, vendor=get_vendor(session=session, vendor_id=waiver.vendor_id), today=today
    )
    return waiver
