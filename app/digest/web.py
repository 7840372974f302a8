"""GET /digest: this week's digest as it would be sent, for logged-in users."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.db import SessionDep
from app.deps import Today
from app.digest.build import iso_week
from app.digest.job import collect
from app.digest.render import MAX_ROWS, render
from app.digest.scheduler import Schedule, enabled
from app.fields import EARLIEST_DATE, LATEST_DATE
from app.models import DigestDelivery
from app.web.deps import WebUser
from app.web.templating import render as render_page

router = APIRouter(include_in_schema=False)


def _as_of(value: str, today: date) -> date:
    """The date asked for in the query string; anything else (a hand-edited URL) is today."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return today
    return day if EARLIEST_DATE <= day <= LATEST_DATE else today


def _deliveries(session: Session, week: str) -> list[DigestDelivery]:
    query = select(DigestDelivery).where(DigestDelivery.week == week)
    return list(session.exec(query.order_by(col(DigestDelivery.recipient))))


def _delivery_settings(settings: Settings) -> dict:
    schedule = Schedule.from_settings(settings)
    return {
        "enabled": enabled(settings),
        "smtp_host": settings.smtp_host,
        "team": settings.digest_to,
        "owners": settings.digest_owners,
        "when": f"{schedule.weekday.capitalize()} at {schedule.at} ({settings.timezone})",
    }


# The e-mail's HTML, for the frame on /digest: inline styles (as e-mail needs), no script, no
# requests of its own, shown only inside this site's pages, and sandboxed even when opened alone.
LETTER_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox",
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}


@router.get("/digest/letter")
def digest_letter(
    _: WebUser, session: SessionDep, today: Today, as_of: str = "", full: str = ""
) -> HTMLResponse:
    """The HTML part of the team's digest for a week, as /digest frames it."""
    limit = None if full else MAX_ROWS
    day, base_url = _as_of(as_of, today), get_settings().base_url
    html = render(collect(session=session, as_of=day, base_url=base_url, limit=limit), limit).html
    return HTMLResponse(html, headers=LETTER_HEADERS)


@router.get("/digest")
def digest_page(
    request: Request,
    _: WebUser,
    session: SessionDep,
    today: Today,
    as_of: str = "",
    full: str = "",
):
    """The team's digest for a week, in both forms, and to whom it went already; `full=1`
    lists every row where the e-mail stops at MAX_ROWS a section."""
    day = _as_of(as_of, today)
    settings = get_settings()
    limit = None if full else MAX_ROWS
    digest = collect(session=session, as_of=day, base_url=settings.base_url, limit=limit)
    context = {
        "today": today,
        "as_of": day,
        "digest": digest,
        "letter": render(digest, limit),
        "full": bool(full),
        "max_rows": MAX_ROWS,
        "deliveries": _deliveries(session, iso_week(day)),
        "delivery": _delivery_settings(settings),
    }
    return render_page(request, "digest/preview.html", context)
