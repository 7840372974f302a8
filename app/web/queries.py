"""The reads behind the dashboard and the vendor list: indexed, paginated, a page at a time."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import Date, Select, Text, bindparam, case, cast, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.db import read_row, read_tuples
from app.models import AuditEntry, Vendor
from app.status.service import due_ids
from app.vendors.service import VendorFilter, escape_like

PAGE_SIZE = 50
COUNT_CAP = 1_000  # the list counts matches up to here, then says "more than 1,000"
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


LIST_COLUMNS = (
    Vendor.id,
    Vendor.name,
    Vendor.domain,
    Vendor.tier,
    Vendor.status,
    cast(Vendor.flags, Text).label("flags"),  # JSON text on both databases
    Vendor.evidence_expires_on,
    Vendor.next_review_on,
)
ANY_DUE = due_ids(bindparam("today", type_=Date)).limit(1)


@dataclass(frozen=True)
class VendorPage:
    """One page of the vendor list; `total` is exact up to COUNT_CAP, else `capped`."""

    vendors: list[tuple]  # LIST_COLUMNS, as the driver gives them (see vendor_rows)
    total: int
    capped: bool
    page: int
    pages: int
    more: bool  # rows follow this page


def _where(query: Select, *, status: bool, tier: bool, q: bool) -> Select:
    if status:
        query = query.where(Vendor.status == bindparam("status"))
    if tier:
        query = query.where(Vendor.tier == bindparam("tier"))
    if q:
        pattern = bindparam("pattern")
        query = query.where(
            or_(
                col(Vendor.name_key).like(pattern, escape="\\"),
                col(Vendor.domain).like(pattern, escape="\\"),
            )
        )
    return query


@lru_cache(maxsize=512)
def _page_statements(status: bool, tier: bool, q: bool, sort: str) -> tuple[Select, Select]:
    """The page query and the capped count for one combination of filters and sort,
    built once with bound parameters (so each is compiled once, see `read_rows`)."""
    rows = _where(sa_select(*LIST_COLUMNS), status=status, tier=tier, q=q)
    rows = rows.order_by(*SORTS[sort][1], col(Vendor.id))
    rows = rows.limit(bindparam("limit")).offset(bindparam("offset"))
    matching = _where(sa_select(Vendor.id), status=status, tier=tier, q=q)
    matching = matching.limit(bindparam("cap")).subquery("matching")
    return rows, sa_select(func.count()).select_from(matching)


def _filter_params(flt: VendorFilter) -> dict:
    params = {"status": flt.status, "tier": flt.tier}
    if flt.q:
        params["pattern"] = f"%{escape_like(flt.q.casefold())}%"
    return params


def any_lapsed(today: date) -> bool:
    """True when some vendor's stored status has lapsed (three index ranges, one row)."""
    return read_row(ANY_DUE, {"today": today.isoformat()}) is not None


def vendor_page(*, flt: VendorFilter, sort: str, page: int) -> VendorPage:
    """The vendors matching `flt`, sorted, page `page` (1-based) of PAGE_SIZE.

    Driver-level reads of the listed columns only; the matches are counted up to
    COUNT_CAP (counting 100,000 rows on every page view costs more than the page).
    """
    rows_query, count_query = _page_statements(bool(flt.status), bool(flt.tier), bool(flt.q), sort)
    params = _filter_params(flt)
    total = read_row(count_query, {**params, "cap": COUNT_CAP + 1})["count"]
    capped = total > COUNT_CAP
    known_pages = max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE))
    page = max(page, 1) if capped else min(max(page, 1), known_pages)
    offset = (page - 1) * PAGE_SIZE
    rows = read_tuples(rows_query, {**params, "limit": PAGE_SIZE + 1, "offset": offset})
    more = len(rows) > PAGE_SIZE
    pages = max(known_pages, page + more) if capped else known_pages
    return VendorPage(rows[:PAGE_SIZE], min(total, COUNT_CAP), capped, page, pages, more)


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
