"""The dashboard and the vendor list: both read the materialised status on the vendor rows."""

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from app.db import SessionDep
from app.deps import Today
from app.portal.service import pending_count
from app.rules.catalog import SEVERITY_RANK
from app.vendors import queries
from app.vendors.service import VendorFilter
from app.vendors.views import summary
from app.web import labels
from app.web.deps import WebUser
from app.web.templating import render

router = APIRouter(include_in_schema=False)
ATTENTION_LIMIT = 15
EXPIRY_WINDOW_DAYS = 90
EXPIRY_LIMIT = 20
CHANGES_LIMIT = 15
EXPIRY_CODES = ("SOC2_GOING_STALE", "ISO_EXPIRING")


def worst_flag(flags: list[dict]) -> dict | None:
    """The most severe flag that counts (not waived), if any."""
    counted = [f for f in flags if not f.get("waived")]
    return min(counted, key=lambda f: SEVERITY_RANK.get(f["severity"], 9), default=None)


def expiry_flag(flags: list[dict]) -> dict | None:
    """The flag saying which document goes stale or expires soon, if any."""
    return next((f for f in flags if f["code"] in EXPIRY_CODES), None)


@router.get("/")
def dashboard(request: Request, _: WebUser, session: SessionDep, today: Today):
    """Counts by status, submissions to review, what needs attention, what expires soon, the
    latest changes."""
    attention = {
        status: queries.vendors_with_status(session=session, status=status, limit=ATTENTION_LIMIT)
        for status in ("blocked", "conditional")
    }
    context = {
        "today": today,
        "counts": queries.status_counts(session=session),
        "to_review": pending_count(session),
        "attention": attention,
        "expiring": queries.expiring(
            session=session, today=today, days=EXPIRY_WINDOW_DAYS, limit=EXPIRY_LIMIT
        ),
        "window": EXPIRY_WINDOW_DAYS,
        "changes": queries.recent_changes(session=session, limit=CHANGES_LIMIT),
        "worst_flag": worst_flag,
        "expiry_flag": expiry_flag,
        "summary": summary,
    }
    return render(request, "dashboard.html", context)


@dataclass(frozen=True)
class ListParams:
    """The vendor list's query string, cleaned: unknown values are ignored, not errors."""

    q: str = ""
    status: str = ""
    tier: str = ""
    sort: str = "name"
    page: int = 1
    FIELDS: ClassVar = ("q", "status", "tier", "sort", "page")

    @classmethod
    def parse(cls, q: str, status: str, tier: str, sort: str, page: str) -> "ListParams":
        """Keep what is valid; a hand-edited URL never breaks the page."""
        return cls(
            q=q.replace("\x00", "").strip()[:200],
            status=status if status in labels.STATUS else "",
            tier=tier if tier in labels.TIER else "",
            sort=sort if sort in queries.SORTS else "name",
            page=int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1,
        )

    def url(self, **changes: object) -> str:
        """This list's address with some parameters changed (empty ones left out)."""
        values = {"q": self.q, "status": self.status, "tier": self.tier, "sort": self.sort}
        values = {**values, "page": self.page, **changes}
        kept = {k: v for k, v in values.items() if v not in ("", None) and (k, v) != ("page", 1)}
        return "/vendors" + (f"?{urlencode(kept)}" if kept else "")

    def export_url(self, fmt: str) -> str:
        """The download of the vendors these filters show, as `fmt` (csv or xlsx)."""
        values = {"format": fmt, "q": self.q, "status": self.status, "tier": self.tier}
        return "/export/vendors?" + urlencode({k: v for k, v in values.items() if v})


class ListRow(NamedTuple):
    """One row of the vendor list, as vendors/list.html reads it."""

    id: int
    name: str
    domain: str | None
    tier: str
    status: str
    worst_flag: dict | None
    expires_on: date | None
    review_on: date | None


def list_row(row: tuple) -> ListRow:
    """A row of `queries.vendor_page` (the columns of `queries.LIST_COLUMNS`) by name: the one
    place that knows what the list's query returns."""
    vendor_id, name, domain, tier, status, flags, expires_on, review_on = row
    worst = worst_flag(flags or [])
    return ListRow(vendor_id, name, domain, tier, status, worst, expires_on, review_on)


@router.get("/vendors")
async def vendor_list(request: Request, _: WebUser, today: Today):
    """Search by name or domain (`q`), filter by `status` and `tier`, `sort`, a `page` at a
    time; values a hand-edited address got wrong are ignored, never an error.

    On the event loop, its reads awaited (the list is the most viewed page).
    """
    query = request.query_params
    params = ListParams.parse(*(query.get(name, "") for name in ListParams.FIELDS))
    flt = VendorFilter(status=params.status or None, tier=params.tier or None, q=params.q or None)
    result = await queries.vendor_page(flt=flt, sort=params.sort, page=params.page, today=today)
    context = {
        "today": today,
        "params": params,
        "sorts": queries.SORTS,
        "result": result,
        "rows": [list_row(row) for row in result.vendors],
    }
    return render(request, "vendors/list.html", context)
