"""The reads behind the dashboard and the vendor list: indexed, paginated, a page at a time."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Row, case, func
from sqlalchemy.engine.result import result_tuple
from sqlmodel import Session, col, select

from app.db import read
from app.errors import NotFound
from app.models import AuditEntry, Evidence, Vendor, VendorReview, Waiver
from app.status.service import lapsed_on, lapsed_today
from app.vendors.service import VendorFilter, filtered_query

PAGE_SIZE = 50
COUNT_CAP = 1_000  # the list counts matches up to here, then says "more than 1,000"
STATUS_ORDER = ("blocked", "conditional", "approved")
TIER_ORDER = ("critical", "high", "medium", "low")
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
# Sorts on a unique key need no tie-break (on PostgreSQL one costs an incremental sort).
UNIQUE_SORTS = frozenset({"name", "-name", "added"})


LIST_COLUMNS = (
    Vendor.id,
    Vendor.name,
    Vendor.domain,
    Vendor.tier,
    Vendor.status,
    Vendor.flags,
    Vendor.evidence_expires_on,
    Vendor.next_review_on,
)
LIST_KEYS = tuple(column.key for column in LIST_COLUMNS)
_list_row = result_tuple(LIST_KEYS)  # a Row of LIST_COLUMNS holding values evaluated today


@dataclass(frozen=True)
class VendorPage:
    """One page of the vendor list; `total` is exact up to COUNT_CAP, else `capped`."""

    vendors: list[Row]  # LIST_COLUMNS by name, as today's status has them (see `vendor_page`)
    total: int
    capped: bool
    page: int
    pages: int
    more: bool  # rows follow this page


def _count(session: Session, flt: VendorFilter, today: date) -> int:
    """How many vendors match `flt`, counted up to COUNT_CAP + 1."""
    matching = filtered_query(select(Vendor.id), flt, today).limit(COUNT_CAP + 1).subquery()
    query = select(func.count()).select_from(matching)
    return session.connection().execute(query).scalar_one()  # Core: see status_by_id


def _rows(session: Session, flt: VendorFilter, sort: str, page: int, today: date) -> list[Row]:
    """The rows of page `page`, and the first of the next page if there is one."""
    tie_break = () if sort in UNIQUE_SORTS else (col(Vendor.id),)
    query = filtered_query(select(*LIST_COLUMNS), flt, today)
    query = query.order_by(*SORTS[sort][1], *tie_break)
    query = query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    return list(session.connection().execute(query))


def _as_of_today(session: Session, rows: list[Row], today: date) -> list[Row]:
    """`rows`, those of vendors whose stored status has lapsed evaluated for today (nothing
    stored: reads never write; the daily pass does). Lapsed rows are rare: one indexed read
    finds there are none."""
    ids = [row.id for row in rows]
    lapsed = session.scalars(select(Vendor).where(col(Vendor.id).in_(ids), lapsed_on(today)))
    current = lapsed_today(session=session, vendors=list(lapsed), today=today)
    return [_evaluated(row, current[row.id]) if row.id in current else row for row in rows]


def _evaluated(row: Row, values: dict) -> Row:
    """`row` with today's evaluation in place of its stored status."""
    merged = row._asdict() | values
    return _list_row(merged[key] for key in LIST_KEYS)


def _page(session: Session, flt: VendorFilter, sort: str, page: int, today: date) -> VendorPage:
    total = _count(session, flt, today)
    capped = total > COUNT_CAP
    known_pages = max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE))
    page = max(page, 1) if capped else min(max(page, 1), known_pages)
    rows = _rows(session, flt, sort, page, today)
    more = len(rows) > PAGE_SIZE
    rows = _as_of_today(session, rows[:PAGE_SIZE], today)
    pages = max(known_pages, page + more) if capped else known_pages
    return VendorPage(rows, min(total, COUNT_CAP), capped, page, pages, more)


async def vendor_page(*, flt: VendorFilter, sort: str, page: int, today: date) -> VendorPage:
    """The vendors matching `flt`, sorted, page `page` (1-based) of PAGE_SIZE; past the last
    page, the last page.

    The listed columns only; the matches are counted up to COUNT_CAP (counting 100,000 rows
    on every page view costs more than the page). Filters and sorts use the stored status;
    a row whose stored status lapsed shows today's, evaluated.
    """
    return await read(lambda session: _page(session, flt, sort, page, today))


_IN_USE = col(Vendor.lifecycle) != "archived"  # archived vendors leave the dashboard (§12)


def status_counts(*, session: Session) -> dict[str, int]:
    """How many vendors (archived ones aside) are approved, conditional and blocked: every
    vendor by status (one index-only GROUP BY) less the archived few (the lifecycle index)."""
    counts = {"blocked": 0, "conditional": 0, "approved": 0}
    every = select(Vendor.status, func.count()).group_by(Vendor.status)
    archived = every.where(Vendor.lifecycle == "archived")
    counts.update({status: n for status, n in session.exec(every).all()})
    for status, n in session.exec(archived).all():
        counts[status] -= n
    return counts


def _in_rank_order(session: Session, query, column, values, limit: int) -> list[Vendor]:
    """The first `limit` rows of `query` ordered by `column`'s rank in `values` (every value it
    takes), then by name: one index-ordered read per value, stopping once `limit` are found (an
    ORDER BY on the rank would sort every match)."""
    found: list[Vendor] = []
    for value in values:
        if len(found) >= limit:
            break
        ranked = query.where(column == value).order_by(col(Vendor.name_key))
        found += session.exec(ranked.limit(limit - len(found))).all()
    return found


def vendors_with_status(*, session: Session, status: str, limit: int) -> list[Vendor]:
    """The first `limit` vendors with `status` that need attention (neither onboarding nor
    archived), critical tier first, then by name (index (status, tier, name_key))."""
    settled = col(Vendor.lifecycle).not_in(("onboarding", "archived"))
    query = select(Vendor).where(Vendor.status == status, settled)
    return _in_rank_order(session, query, Vendor.tier, TIER_ORDER, limit)


def onboarding(*, session: Session, limit: int) -> tuple[list[Vendor], int]:
    """The first `limit` vendors in onboarding (blocked first, then by name), and how many
    (index (lifecycle, status, name_key))."""
    where = Vendor.lifecycle == "onboarding"
    query = select(Vendor).where(where)
    total = session.exec(select(func.count()).select_from(Vendor).where(where)).one()
    return _in_rank_order(session, query, Vendor.status, STATUS_ORDER, limit), total


def expiring(*, session: Session, today: date, days: int, limit: int) -> list[Vendor]:
    """Vendors whose evidence goes stale or expires within `days`, soonest first."""
    horizon = today + timedelta(days=days)
    query = (
        select(Vendor)
        .where(col(Vendor.evidence_expires_on).between(today, horizon), _IN_USE)
        .order_by(col(Vendor.evidence_expires_on), col(Vendor.id))
    )
    return list(session.exec(query.limit(limit)))


def reviews_due(*, session: Session, today: date, days: int, limit: int) -> list[Vendor]:
    """Vendors whose review is overdue or due within `days`, soonest first (the materialised
    review_due_on; an archived vendor has none)."""
    horizon = today + timedelta(days=days)
    query = select(Vendor).where(col(Vendor.review_due_on) <= horizon, _IN_USE)
    order = (col(Vendor.review_due_on), col(Vendor.id))
    return list(session.exec(query.order_by(*order).limit(limit)))


def decisions_due(*, session: Session, today: date, days: int, limit: int) -> list[Vendor]:
    """Vendors whose renewal must be decided within `days` (a passed notice included),
    soonest first, with the stored status at the decision date (decision_status)."""
    horizon = today + timedelta(days=days)
    query = select(Vendor).where(col(Vendor.decision_on) <= horizon, _IN_USE)
    order = (col(Vendor.decision_on), col(Vendor.id))
    return list(session.exec(query.order_by(*order).limit(limit)))


def recent_changes(*, session: Session, limit: int) -> list[tuple[AuditEntry, str | None]]:
    """The latest audit entries about vendors, newest first, with each vendor's name."""
    query = (
        select(AuditEntry, Vendor.name)
        .join(Vendor, col(Vendor.id) == col(AuditEntry.vendor_id))
        .order_by(col(AuditEntry.id).desc())
    )
    return [(entry, name) for entry, name in session.exec(query.limit(limit))]


# --- the vendor page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorFile:
    """A vendor's row, its evidence (newest first), waivers (newest first), latest audit
    entries (newest first) and latest reviews, as model instances detached from their session."""

    vendor: Vendor
    evidence: list[Evidence]
    waivers: list[Waiver]
    history: list[AuditEntry]
    reviews: list[VendorReview]


REVIEWS_SHOWN = 10  # the vendor page's latest reviews
REVIEW_ORDER = (col(VendorReview.reviewed_on).desc(), col(VendorReview.id).desc())


def _of_vendor(session: Session, model: type, vendor_id: int, *order, limit=None) -> list:
    query = select(model).where(model.vendor_id == vendor_id).order_by(*order).limit(limit)
    return list(session.scalars(query))


def read_vendor_file(session: Session, vendor_id: int, history_limit: int) -> VendorFile:
    """Everything the vendor page shows of `vendor_id`, or NotFound."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(f"vendor {vendor_id} not found")
    return VendorFile(
        vendor=vendor,
        evidence=_of_vendor(
            session, Evidence, vendor_id, col(Evidence.received_on).desc(), col(Evidence.id).desc()
        ),
        waivers=_of_vendor(session, Waiver, vendor_id, col(Waiver.id).desc()),
        history=_of_vendor(
            session, AuditEntry, vendor_id, col(AuditEntry.id).desc(), limit=history_limit
        ),
        reviews=_of_vendor(session, VendorReview, vendor_id, *REVIEW_ORDER, limit=REVIEWS_SHOWN),
    )


async def vendor_file(vendor_id: int, *, history_limit: int) -> VendorFile:
    """`read_vendor_file`, awaited (the vendor page)."""
    return await read(lambda session: read_vendor_file(session, vendor_id, history_limit))
