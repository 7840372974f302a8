"""The Jinja2 environment of the web pages, its filters for dates and labels, and `render`.

Every page is a template extending base.html; autoescape is the only escaper. The few values
built from Python (a date, the CSRF field) are built by a macro, so they are markup Jinja made.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from app.auth.roles import Role, allows
from app.config import ROOT, get_settings
from app.web import labels
from app.web.session import CSRF_FIELD, web_session

templates = Jinja2Templates(directory=str(ROOT / "templates"))
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def macro(template: str, name: str) -> Any:
    """A macro of `template` (e.g. `macro("macros/badges.html", "day")`), to call from Python."""
    return getattr(templates.env.get_template(template).module, name)


def local_date(value: date | datetime) -> date:
    """A date, or a UTC timestamp as a date in the organisation's time zone."""
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(get_settings().timezone)).date()
    return value


def _span(days: int) -> str:
    if days < 100:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"{days // 30} months"
    return f"{days // 365} years"


def relative(day: date, reference: date) -> str:
    """`today`, `in 12 days`, `3 days ago` (months, then years, beyond 99 days)."""
    days = (day - reference).days
    if days == 0:
        return "today"
    return f"in {_span(days)}" if days > 0 else f"{_span(-days)} ago"


@pass_context
def day(context: Any, value: date | datetime | None, reference: date | None = None) -> Markup:
    """`2026-03-31 (in 12 days)`, relative to `reference`, else the page's as-of date or
    today; a timestamp shows as its date in the organisation's time zone, its time in the
    title; no date shows as a dash."""
    if value is None:
        return macro("macros/badges.html", "no_day")()
    shown = local_date(value)
    reference = reference or context.get("as_of") or context.get("today") or shown
    title = value.isoformat(timespec="minutes") if isinstance(value, datetime) else ""
    return macro("macros/badges.html", "day")(shown, relative(shown, reference), title)


def _common(request: Request) -> dict[str, Any]:
    principal = getattr(request.state, "principal", None)
    web = web_session(request)
    return {
        "user": principal,
        "can_write": principal is not None and allows(principal.role, Role.analyst),
        "csrf_field": lambda: macro("macros/forms.html", "csrf")(CSRF_FIELD, web.csrf_token),
        "flash": web.pop_flash(),
        "path": request.scope["path"],  # not request.url: that parses the whole URL
    }


templates.env.filters["day"] = day
templates.env.filters["label"] = labels.label
templates.env.globals["labels"] = labels
templates.env.auto_reload = False  # templates change only with a release: no stat per page


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page; never cached (one user's data and a CSRF token), never framed.

    Rendered straight from the environment (what TemplateResponse does, less its extras
    for debugging), with the same context: `request` and the common values.
    """
    values = {"request": request, **_common(request), **context}
    html = templates.env.get_template(name).render(values)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def see_other(url: str) -> RedirectResponse:
    """Post/redirect/get: a 303 to the page that shows the result."""
    return RedirectResponse(url, status_code=303)
