"""The dashboard and the vendor list: both read the materialised status on the vendor rows."""

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session

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
REVIEW_WINDOW_DAYS = 30  # reviews overdue or due within these days (SPEC §12's digest's too)
DECISION_WINDOW_DAYS = 90  # renewal decisions within these days
CALENDAR_LIMIT = 20
EXPIRY_CODES = ("SOC2_GOING_STALE", "ISO_EXPIRING")


def worst_flag(flags: list[dict]) -> dict | None:
    """The most severe flag that counts (not waived), if any."""
    counted = [f for f in flags if not f.get("waived")]
    return min(counted, key=lambda f: SEVERITY_RANK.get(f["severity"], 9), default=None)


def expiry_flag(flags: list[dict]) -> dict | None:
    """The flag saying which document goes stale or expires soon, if any."""
    return next((f for f in flags if f["code"] in EXPIRY_CODES), None)


def _calendar(session: Session, today: date) -> dict:
    """Reviews overdue or due soon, and renewal decisions coming up (SPEC §12)."""
    return {
        "reviews_due": queries.reviews_due(
            session=session, today=today, days=REVIEW_WINDOW_DAYS, limit=CALENDAR_LIMIT
        ),
        "review_window": REVIEW_WINDOW_DAYS,
        "decisions": queries.decisions_due(
            session=session, today=today, days=DECISION_WINDOW_DAYS, limit=CALENDAR_LIMIT
        ),
        "decision_window": DECISION_WINDOW_DAYS,
    }


@router.get("/")
def dashboard(request: Request, _: WebUser, session: SessionDep, today: Today):
    """Counts by status, submissions to review, what needs attention, vendors in onboarding,
    reviews and renewal decisions coming up, what expires soon, the latest changes; archived
    vendors left out. Reads of the materialised columns only."""
    statuses = ("blocked", "conditional")
    attention = {  # one more than shown: "All … vendors" is offered when there are more
        s: queries.vendors_with_status(session=session, status=s, limit=ATTENTION_LIMIT + 1)
        for s in statuses
    }
    onboarding, onboarding_total = queries.onboarding(session=session, limit=ATTENTION_LIMIT)
    context = {
        "today": today,
        "counts": queries.status_counts(session=session),
        "to_review": pending_count(session),
        "attention": attention,
        "attention_limit": ATTENTION_LIMIT,
        "onboarding": onboarding,
        "onboarding_total": onboarding_total,
        **_calendar(session, today),
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


MAX_DAYS = 3650  # as the API's list allows


def _days(text: str) -> int | None:
    """A day count typed in the address (0 to MAX_DAYS), else None."""
    if text.isascii() and text.isdigit() and len(text) <= 4 and int(text) <= MAX_DAYS:
        return int(text)
    return None


@dataclass(frozen=True)
class ListParams:
    """The vendor list's query string, cleaned: unknown values are ignored, not errors."""

    q: str = ""
    status: str = ""
    tier: str = ""
    sort: str = "name"
    page: int = 1
    lifecycle: str = ""  # none: every lifecycle but archived (SPEC §12)
    review_due_within_days: int | None = None
    decision_within_days: int | None = None
    FIELDS: ClassVar = (
        "q", "status", "tier", "sort", "page",
        "lifecycle", "review_due_within_days", "decision_within_days",
    )  # fmt: skip

    @classmethod
    def parse(
        cls, q: str, status: str, tier: str, sort: str, page: str, *calendar: str
    ) -> "ListParams":
        """Keep what is valid; a hand-edited URL never breaks the page. `calendar`: the
        lifecycle and the two day counts, as typed."""
        lifecycle, review, decision = (*calendar, "", "", "")[:3]
        return cls(
            q=q.replace("\x00", "").strip()[:200],
            status=status if status in labels.STATUS else "",
            tier=tier if tier in labels.TIER else "",
            sort=sort if sort in queries.SORTS else "name",
            page=int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1,
            lifecycle=lifecycle if lifecycle in labels.LIFECYCLE else "",
            review_due_within_days=_days(review),
            decision_within_days=_days(decision),
        )

    def _filters(self) -> dict[str, object]:
        return {
            "q": self.q,
            "status": self.status,
            "tier": self.tier,
            "lifecycle": self.lifecycle,
            "review_due_within_days": self.review_due_within_days,
            "decision_within_days": self.decision_within_days,
        }

    @property
    def filtered(self) -> bool:
        """True when any filter narrows the list."""
        return any(v not in ("", None) for v in self._filters().values())

    def url(self, **changes: object) -> str:
        """This list's address with some parameters changed (empty ones left out)."""
        values = {**self._filters(), "sort": self.sort, "page": self.page, **changes}
        kept = {k: v for k, v in values.items() if v not in ("", None) and (k, v) != ("page", 1)}
        return "/vendors" + (f"?{urlencode(kept)}" if kept else "")

    def export_url(self, fmt: str) -> str:
        """The download of the vendors these filters show, as `fmt` (csv or xlsx)."""
        values = {"format": fmt, **self._filters()}
        kept = {k: v for k, v in values.items() if v not in ("", None)}
        return "/export/vendors?" + urlencode(kept)

    def vendor_filter(self) -> VendorFilter:
        """The service's filter for these parameters."""
        return VendorFilter(**{k: (v if v != "" else None) for k, v in self._filters().items()})


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
    """Search by name or domain (`q`), filter by `status`, `tier`, `lifecycle` (archived
    vendors only when chosen), `review_due_within_days` and `decision_within_days`, `sort`, a
    `page` at a time; values a hand-edited address got wrong are ignored, never an error.

    On the event loop, its reads awaited (the list is the most viewed page).
    """
    query = request.query_params
    params = ListParams.parse(*(query.get(name, "") for name in ListParams.FIELDS))
    flt = params.vendor_filter()
    result = await queries.vendor_page(flt=flt, sort=params.sort, page=params.page, today=today)
    context = {
        "today": today,
        "params": params,
        "sorts": queries.SORTS,
        "result": result,
        "rows": [list_row(row) for row in result.vendors],
    }
    return render(request, "vendors/list.html", context)
