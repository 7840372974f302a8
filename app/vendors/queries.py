"""The reads behind the dashboard and the vendor list: indexed, paginated, a page at a time."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import Date, ScalarSelect, Select, Text, bindparam, case, cast, exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session, col, select

from app.db import (
    read_json_records,
    read_records_together,
    read_row,
    read_tuples,
    reads_in_process,
)
from app.errors import NotFound
from app.models import AuditEntry, Evidence, Vendor, Waiver
from app.status.service import due_ids
from app.vendors.service import VendorFilter, like_pattern, narrowed

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
# Sorts on a unique key need no tie-break (on PostgreSQL one costs an incremental sort).
UNIQUE_SORTS = frozenset({"name", "-name", "added"})


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
    lapsed: bool  # some vendor's stored status no longer holds (see `vendor_page`)


def _where(query: Select, *, status: bool, tier: bool, q: bool) -> Select:
    """`narrowed` with bound parameters for the filters that are set."""
    return narrowed(
        query,
        status=bindparam("status") if status else None,
        tier=bindparam("tier") if tier else None,
        pattern=bindparam("pattern") if q else None,
    )


@lru_cache(maxsize=512)
def _page_statements(status: bool, tier: bool, q: bool, sort: str) -> tuple[Select, Select]:
    """The page query and the capped count for one combination of filters and sort, built
    once with bound parameters (so each is compiled once, see `read_tuples`).

    Each page row also carries the capped count and whether any vendor's status lapsed
    (subqueries run once per query, not per row): one round trip for the whole page.
    """
    matching = _where(sa_select(Vendor.id), status=status, tier=tier, q=q)
    matching = matching.limit(bindparam("cap")).subquery("matching")
    count = sa_select(func.count()).select_from(matching)
    lapsed = sa_select(func.count()).select_from(ANY_DUE.subquery("due"))
    extra = (count.scalar_subquery().label("total"), lapsed.scalar_subquery().label("lapsed"))
    rows = _where(sa_select(*LIST_COLUMNS, *extra), status=status, tier=tier, q=q)
    tie_break = () if sort in UNIQUE_SORTS else (col(Vendor.id),)
    rows = rows.order_by(*SORTS[sort][1], *tie_break)
    return rows.limit(bindparam("limit")).offset(bindparam("offset")), count


def _filter_params(flt: VendorFilter) -> dict:
    params = {"status": flt.status, "tier": flt.tier}
    if flt.q:
        params["pattern"] = like_pattern(flt.q)
    return params


async def any_lapsed(today: date) -> bool:
    """True when some vendor's stored status has lapsed (three index ranges, one row)."""
    return await read_row(ANY_DUE, {"today": today.isoformat()}) is not None


async def _read_page(
    flt: VendorFilter, sort: str, page: int, today: date
) -> tuple[list, int, bool]:
    """The rows of page `page` (one more, if any follows), the capped count and whether
    some status lapsed; past the last row, the count and the lapse are read on their own."""
    rows_query, count_query = _page_statements(bool(flt.status), bool(flt.tier), bool(flt.q), sort)
    params = {**_filter_params(flt), "cap": COUNT_CAP + 1, "today": today.isoformat()}
    offset = (page - 1) * PAGE_SIZE
    rows = await read_tuples(rows_query, {**params, "limit": PAGE_SIZE + 1, "offset": offset})
    if rows:
        return [row[:-2] for row in rows], rows[0][-2], bool(rows[0][-1])
    count = (await read_row(count_query, params))["count"]
    return [], count, await any_lapsed(today)


async def vendor_page(*, flt: VendorFilter, sort: str, page: int, today: date) -> VendorPage:
    """The vendors matching `flt`, sorted, page `page` (1-based) of PAGE_SIZE.

    Driver-level reads of the listed columns only; the matches are counted up to
    COUNT_CAP (counting 100,000 rows on every page view costs more than the page).
    `lapsed` says some vendor's stored status no longer holds: refresh, then read again.
    """
    page = max(page, 1)
    rows, total, lapsed = await _read_page(flt, sort, page, today)
    capped = total > COUNT_CAP
    known_pages = max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE))
    if not rows and not capped and page > known_pages:  # past the end: show the last page
        page = known_pages
        rows, total, lapsed = await _read_page(flt, sort, page, today)
    more = len(rows) > PAGE_SIZE
    pages = max(known_pages, page + more) if capped else known_pages
    shown = min(total, COUNT_CAP)
    return VendorPage(rows[:PAGE_SIZE], shown, capped, page, pages, more, lapsed)


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


# --- the vendor page: primary-key and indexed reads, no ORM objects --------------------------


def _shown(model: type, *unshown: str) -> list:
    """The model's columns the vendor page uses: all but bookkeeping it never shows."""
    return [column for column in model.__table__.c if column.key not in unshown]


_BOOKKEEPING = ("vendor_id", "created_at", "created_by")
# Whether the vendor has any waiver: most have none, and SQLite then skips reading them.
_HAS_WAIVERS = exists().where(Waiver.vendor_id == Vendor.id).label("has_waivers")
_VENDOR = sa_select(
    *_shown(Vendor, "name_key", "created_at", "updated_at", "version"), _HAS_WAIVERS
).where(Vendor.id == bindparam("vendor_id"))
_EVIDENCE = (
    sa_select(
        *_shown(Evidence, *_BOOKKEEPING, "system", "document_media_type", "document_uploaded_at")
    )
    .where(Evidence.vendor_id == bindparam("vendor_id"))
    .order_by(col(Evidence.received_on).desc(), col(Evidence.id).desc())
)
_WAIVERS = (
    sa_select(*_shown(Waiver, *_BOOKKEEPING))
    .where(Waiver.vendor_id == bindparam("vendor_id"))
    .order_by(col(Waiver.id).desc())
)
_HISTORY = (
    sa_select(*_shown(AuditEntry, "vendor_id"))
    .where(AuditEntry.vendor_id == bindparam("vendor_id"))
    .order_by(col(AuditEntry.id).desc())
    .limit(bindparam("limit"))
)


def _json_rows(rows: Select, *order: str) -> ScalarSelect:
    """PostgreSQL: `rows` as one JSON array of rows, each row an array of its values in the
    columns' order (no names: half the text of objects), ordered by `order` (column names,
    `-` first for descending) in the aggregate itself, so the order is exact."""
    sub = rows.subquery()
    keys = [sub.c[name[1:]].desc() if name[0] == "-" else sub.c[name] for name in order]
    row = func.json_build_array(*sub.c)
    return sa_select(func.json_agg(aggregate_order_by(row, *keys))).scalar_subquery()


# PostgreSQL: the four reads as one statement of four JSON arrays, one round trip instead of
# four. SQLite, in the process, runs them as they are (waivers only when the vendor has any).
_VENDOR_FILE_AS_JSON = sa_select(
    _json_rows(_VENDOR, "id"),
    _json_rows(_EVIDENCE, "-received_on", "-id"),
    _json_rows(_WAIVERS, "-id"),
    _json_rows(_HISTORY, "-id"),
)
_FILE_SHAPES = (_VENDOR, _EVIDENCE, _WAIVERS, _HISTORY)


@dataclass(frozen=True)
class VendorFile:
    """A vendor's row, its evidence (newest first), waivers and latest audit entries, as
    read-only records with the models' attribute names."""

    vendor: tuple
    evidence: list[tuple]
    waivers: list[tuple]
    history: list[tuple]


async def _read_file(params: dict) -> list[list[tuple]]:
    if not reads_in_process():
        return await read_json_records(_VENDOR_FILE_AS_JSON, params, _FILE_SHAPES)
    reads = [(shape, params) for shape in (_VENDOR, _EVIDENCE, _HISTORY)]
    vendor, evidence, history = await read_records_together(reads)
    has_waivers = vendor and vendor[0].has_waivers
    waivers = (await read_records_together([(_WAIVERS, params)]))[0] if has_waivers else []
    return [vendor, evidence, waivers, history]


async def vendor_file(vendor_id: int, *, history_limit: int) -> VendorFile:
    """Everything the vendor page shows of `vendor_id` (read together), or NotFound."""
    vendor, evidence, waivers, entries = await _read_file(
        {"vendor_id": vendor_id, "limit": history_limit}
    )
    if not vendor:
        raise NotFound(f"vendor {vendor_id} not found")
    return VendorFile(vendor=vendor[0], evidence=evidence, waivers=waivers, history=entries)
