"""Badges and dates as HTML, each built once per distinct value and reused.

Every row of the vendor list shows a status badge, a flag and two dates; building them
in Python (cached) instead of Jinja macros keeps a page of 50 rows cheap to render.
Badges say their meaning in words; the colour and the symbol only repeat it.
"""

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from markupsafe import Markup

from app.config import get_settings
from app.web import labels

STATUS_ICON = {"approved": "✓", "conditional": "!", "blocked": "✕"}
NO_FLAGS = Markup('<span class="none">No flags</span>')


@lru_cache(maxsize=64)
def status_badge(status: str) -> Markup:
    """`✓ Approved` in the status's colour."""
    return Markup(
        '<span class="badge status-{0}"><span class="icon" aria-hidden="true">{1}</span> {2}</span>'
    ).format(status, STATUS_ICON.get(status, "?"), labels.label(status, "status"))


@lru_cache(maxsize=64)
def severity_badge(severity: str) -> Markup:
    """`Blocking`, `High`, `Medium`, `Info` in the severity's colour."""
    text = labels.label(severity, "severity")
    return Markup('<span class="badge severity-{0}">{1}</span>').format(severity, text)


@lru_cache(maxsize=64)
def standing_badge(standing: str) -> Markup:
    """`Current`, `Superseded`, `Retracted`, `Received later`."""
    text = labels.label(standing, "standing")
    return Markup('<span class="badge standing-{0}">{1}</span>').format(standing, text)


@lru_cache(maxsize=256)
def _flag_line(severity: str, code: str) -> Markup:
    return severity_badge(severity) + Markup(" ") + labels.rule_title(code)


def flag_line(flag) -> Markup:
    """A flag's severity badge and its rule's title, or `No flags` (for None)."""
    if not flag:
        return NO_FLAGS
    if isinstance(flag, dict):
        return _flag_line(flag["severity"], flag["code"])
    return _flag_line(flag.severity, flag.code)


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


NO_DAY = Markup('<span class="none">—</span>')


def day_or_none(value: date | None, reference: date) -> Markup:
    """`day_html` of `value`, or a dash when there is no date."""
    return NO_DAY if value is None else day_html(value, reference)


@lru_cache(maxsize=8192)
def day_html(shown: date, reference: date, title: str = "") -> Markup:
    """`<time>2026-03-31</time> (in 12 days)`; `title` is a timestamp's ISO form, or ''."""
    iso, rel = shown.isoformat(), relative(shown, reference)
    attrs = f' title="{title}"' if title else ""
    return Markup(  # every part is an ISO date or time, or words made here: nothing to escape
        f'<time datetime="{iso}"{attrs}>{iso}</time> <span class="rel">({rel})</span>'
    )


def local_date(value: date | datetime) -> date:
    """A date, or a UTC timestamp as a date in the organisation's time zone."""
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(get_settings().timezone)).date()
    return value


def when(value: date | datetime | None, reference: date) -> Markup:
    """`2026-03-31 (in 12 days)` relative to `reference`; a timestamp shows as its date in
    the organisation's time zone, with its time in the title."""
    if value is None:
        return NO_DAY
    title = value.isoformat(timespec="minutes") if isinstance(value, datetime) else ""
    return day_html(local_date(value), reference, title)
