"""The Jinja2 environment of the web pages: filters for dates, labels and badges."""

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from app.auth.roles import Role, allows
from app.auth.tokens import Principal
from app.config import ROOT
from app.web import badges, labels, vendor_sections
from app.web.badges import NO_DAY, local_date
from app.web.html import esc
from app.web.session import CSRF_FIELD, web_session

templates = Jinja2Templates(directory=str(ROOT / "templates"))
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pass_context
def day(context: Any, value: date | datetime | None, reference: date | None = None) -> Markup:
    """`2026-03-31 (in 12 days)`, relative to the page's as-of date unless told otherwise."""
    if value is None:
        return NO_DAY
    reference = reference or context.get("as_of") or context.get("today") or local_date(value)
    return badges.when(value, reference)


def _csrf_input(token: str) -> Markup:
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(token)}">')


def _common(request: Request) -> dict[str, Any]:
    principal = getattr(request.state, "principal", None)
    web = web_session(request)
    return {
        "user": principal,
        "can_write": principal is not None and allows(principal.role, Role.analyst),
        "csrf_field": lambda: _csrf_input(web.csrf_token),
        "flash": web.pop_flash(),
        "path": request.scope["path"],  # not request.url: that parses the whole URL
    }


templates.env.filters["day"] = day
templates.env.filters["label"] = labels.label
templates.env.globals["labels"] = labels
templates.env.globals["badges"] = badges
templates.env.globals["sections"] = vendor_sections
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


FRAME = "frame.html"
NAV_PATHS = frozenset({"/", "/vendors", "/vendors/new"})  # the frame marks these as current
_TITLE, _CONTENT = Markup("\x00title\x00"), Markup("\x00content\x00")


@lru_cache(maxsize=1024)
def _frame(user: Principal | None, can_write: bool, csrf_token: str, path: str) -> list[str]:
    """The site's frame for one session and navigation state, split where the title and
    the content go (a page's frame differs only by who is logged in and the nav)."""
    context = {
        "user": user,
        "can_write": can_write,
        "csrf_field": lambda: _csrf_input(csrf_token),
        "flash": None,
        "path": path,
        "title": _TITLE,
        "content": _CONTENT,
    }
    head, rest = templates.env.get_template(FRAME).render(context).split(_TITLE, 1)
    return [head, *rest.rsplit(_CONTENT, 1)]


def render_framed(request: Request, *, title: str, content: Markup) -> HTMLResponse:
    """A page whose content is built in Python, in the site's frame: the same HTML as a
    template extending base.html, with the frame rendered once per session (not per page)."""
    return _in_frame(request, _common(request), title, content)


def render_in_frame(
    request: Request, name: str, context: dict[str, Any], *, title: str
) -> HTMLResponse:
    """A page whose template `name` renders the content alone (it extends nothing), with the
    common values, placed in the site's frame as `render_framed` places it."""
    common = _common(request)
    content = templates.env.get_template(name).render({"request": request, **common, **context})
    return _in_frame(request, common, title, Markup(content))


def _in_frame(
    request: Request, common: dict[str, Any], title: str, content: Markup
) -> HTMLResponse:
    if common["flash"] is not None:  # a one-off notice: this frame is rendered for it alone
        values = {**common, "title": title, "content": content}
        return HTMLResponse(templates.env.get_template(FRAME).render(values), headers=PAGE_HEADERS)
    path = common["path"] if common["path"] in NAV_PATHS else ""
    csrf = web_session(request).csrf_token
    head, middle, tail = _frame(common["user"], common["can_write"], csrf, path)
    return HTMLResponse(f"{head}{esc(title)}{middle}{content}{tail}", headers=PAGE_HEADERS)


def see_other(url: str) -> RedirectResponse:
    """Post/redirect/get: a 303 to the page that shows the result."""
    return RedirectResponse(url, status_code=303)
