"""The dashboard and the vendor list: both read the materialised status on the vendor rows."""

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from app.db import SessionDep
from app.deps import Today
from app.rules.catalog import SEVERITY_RANK
from app.status.service import refresh_lapsed
from app.vendors.service import VendorFilter
from app.web import labels, queries
from app.web.deps import WebUser
from app.web.templating import render
from app.web.views import summary

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
    """Counts by status, what needs attention, what expires soon, the latest changes."""
    refresh_lapsed(session=session, today=today)
    attention = {
        status: queries.vendors_with_status(session=session, status=status, limit=ATTENTION_LIMIT)
        for status in ("blocked", "conditional")
    }
    context = {
        "today": today,
        "counts": queries.status_counts(session=session),
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

    @classmethod
    def parse(cls, q: str, status: str, tier: str, sort: str, page: str) -> "ListParams":
        """Keep what is valid; a hand-edited URL never breaks the page."""
        return cls(
            q=q.replace("\x00", "").strip()[:200],
            status=status if status in labels.STATUS else "",
            tier=tier if tier in labels.TIER else "",
            sort=sort if sort in queries.SORTS else "name",
            page=int(page) if page.isdigit() and len(page) < 7 else 1,
        )

    def url(self, **changes: object) -> str:
        """This list's address with some parameters changed (empty ones left out)."""
        values = {**asdict(self), **changes}
        kept = {k: v for k, v in values.items() if v not in ("", None) and (k, v) != ("page", 1)}
        return "/vendors" + (f"?{urlencode(kept)}" if kept else "")

    def export_url(self, fmt: str) -> str:
        """The download of the vendors these filters show, as `fmt` (csv or xlsx)."""
        values = {"format": fmt, "q": self.q, "status": self.status, "tier": self.tier}
        return "/export/vendors?" + urlencode({k: v for k, v in values.items() if v})


@router.get("/vendors")
def vendor_list(
    request: Request,
    _: WebUser,
    session: SessionDep,
    today: Today,
    q: str = "",
    status: str = "",
    tier: str = "",
    sort: str = "name",
    page: str = "1",
):
    """Search by name or domain, filter by status and tier, sort, a page at a time."""
    params = ListParams.parse(q, status, tier, sort, page)
    refresh_lapsed(session=session, today=today)
    flt = VendorFilter(status=params.status or None, tier=params.tier or None, q=params.q or None)
    result = queries.vendor_page(
        session=session, flt=flt, sort=params.sort, page=params.page, today=today
    )
    context = {
        "today": today,
        "params": params,
        "result": result,
        "sorts": queries.SORTS,
        "worst_flag": worst_flag,
    }
    return render(request, "vendors/list.html", context)
