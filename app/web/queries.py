"""The reads behind the dashboard and the vendor list: indexed, paginated, a page at a time."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from app.models import AuditEntry, Vendor
from app.vendors.service import VendorFilter, filtered_query

PAGE_SIZE = 50
_STATUS_RANK = case({"blocked": 0, "conditional": 1, "approved": 2}, value=Vendor.status, else_=3)
_TIER_RANK = case({"critical": 0, "high": 1, "medium": 2, "low": 3}, value=Vendor.tier, else_=4)
SORTS = {
    "name": ("Name, A to Z", (col(Vendor.name_key).asc(),)),
    "-name": ("Name, Z to A", (col(Vendor.name_key).desc(),)),
    "status": ("Status, blocked first", (_STATUS_RANK, col(Vendor.name_key))),
    "tier": ("Tier, critical first", (_TIER_RANK, col(Vendor.name_key))),
    "expires": (
        "Evidence expiry, soonest first",
        (col(Vendor.evidence_expires_on).asc().nulls_last(), col(Vendor.name_key)),
    ),
    "review": (
        "Next review, soonest first",
        (col(Vendor.next_review_on).asc().nulls_last(), col(Vendor.name_key)),
    ),
    "added": ("Recently added", (col(Vendor.id).desc(),)),  # the primary key: no sort needed
}


@dataclass(frozen=True)
class VendorPage:
    """One page of the vendor list."""

    vendors: list[Vendor]
    total: int
    page: int
    pages: int


def vendor_page(
    *, session: Session, flt: VendorFilter, sort: str, page: int, today: date
) -> VendorPage:
    """The vendors matching `flt`, sorted, page `page` (1-based) of PAGE_SIZE."""
    total = session.exec(filtered_query(select(func.count()).select_from(Vendor), flt, today)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = filtered_query(select(Vendor), flt, today).order_by(*SORTS[sort][1], col(Vendor.id))
    vendors = session.exec(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return VendorPage(vendors=list(vendors), total=total, page=page, pages=pages)


def status_counts(*, session: Session) -> dict[str, int]:
    """How many vendors are approved, conditional and blocked (one indexed GROUP BY)."""
    rows = session.exec(select(Vendor.status, func.count()).group_by(Vendor.status)).all()
    counts = {"blocked": 0, "conditional": 0, "approved": 0}
    counts.update({status: n for status, n in rows})
    return counts


def vendors_with_status(*, session: Session, status: str, limit: int) -> list[Vendor]:
    """The first `limit` vendors with `status`, critical tier first, then by name."""
    query = select(Vendor).where(Vendor.status == status)
    return list(session.exec(query.order_by(_TIER_RANK, col(Vendor.name_key)).limit(limit)))


def expiring(*, session: Session, today: date, days: int, limit: int) -> list[Vendor]:
    """Vendors whose evidence goes stale or expires within `days`, soonest first."""
    horizon = today + timedelta(days=days)
    query = (
        select(Vendor)
        .where(col(Vendor.evidence_expires_on).between(today, horizon))
        .order_by(col(Vendor.evidence_expires_on), col(Vendor.id))
    )
    return list(session.exec(query.limit(limit)))


def recent_changes(*, session: Session, limit: int) -> list[tuple[AuditEntry, str | None]]:
    """The latest audit entries about vendors, newest first, with each vendor's name."""
    query = (
        select(AuditEntry, Vendor.name)
        .join(Vendor, col(Vendor.id) == col(AuditEntry.vendor_id))
        .order_by(col(AuditEntry.id).desc())
    )
    return [(entry, name) for entry, name in session.exec(query.limit(limit))]
