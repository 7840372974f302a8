"""The two ways a form post ends: saved (commit, notice, redirect) or shown again (422)."""

from datetime import date
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app.fields import EARLIEST_DATE, LATEST_DATE
from app.web import labels
from app.web.session import web_session
from app.web.templating import render, see_other


def saved(request: Request, url: str, notice: str) -> Response:
    """Leave a notice and redirect (303) to `url`; the request's session commits the write."""
    web_session(request).flash(notice)
    return see_other(url)


def invalid(
    request: Request, session: Session, template: str, context: dict[str, Any], status: int = 422
) -> Response:
    """Discard anything the request wrote and show the form again with its errors."""
    session.rollback()
    return render(request, template, context, status_code=status)


def status_words(name: str, status: str) -> str:
    """`Acme Cloud is now Blocked.`"""
    return f"{name} is now {labels.label(status, 'status')}."


def parse_day(value: str | None, default: date) -> tuple[date, str | None]:
    """A YYYY-MM-DD query value, or `default` with the reason it was not used."""
    if not value:
        return default, None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return default, f"“{value[:40]}” is not a date: enter it as YYYY-MM-DD."
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return default, f"Choose a date between {EARLIEST_DATE} and {LATEST_DATE}."
    return day, None


def archived_refusal(request: Request, vendor: Any, what: str) -> Response | None:
    """For an archived vendor, the page saying it takes no `what` until reactivated (409, as
    the service's refusal); else None."""
    if vendor.lifecycle != "archived":
        return None
    context = {"vendor": vendor, "what": what}
    return render(request, "vendors/archived_refused.html", context, status_code=409)
