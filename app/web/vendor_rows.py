"""The vendor list's rows as HTML, built in Python and memoised per row.

The vendor list is the page analysts open most, and at 100,000 vendors it must cost little
more than a status call. A row shows nothing but the columns it was read from and their
distance from today, so its HTML is memoised on exactly those values and the day: an edit,
a new status or a new day makes a new key, and a memoised row is never stale.
"""

import json
from datetime import date
from functools import lru_cache

from markupsafe import Markup

from app.db import driver_date
from app.rules.catalog import SEVERITY_RANK
from app.web import badges, labels
from app.web.html import esc

ROWS_REMEMBERED = 8192  # about 10 MB at most


def worst_flag(flags: list[dict]) -> dict | None:
    """The most severe flag that counts (not waived), if any."""
    counted = [f for f in flags if not f.get("waived")]
    return min(counted, key=lambda f: SEVERITY_RANK.get(f["severity"], 9), default=None)


def _cells(vendor_id: int, name: str, domain: str | None, tier: str, status: str) -> str:
    shown_domain = f'<br><span class="muted small">{esc(domain)}</span>' if domain else ""
    return (
        f'<td><a href="/vendors/{int(vendor_id)}">{esc(name)}</a>{shown_domain}</td>'
        f"<td>{esc(labels.label(tier, 'tier'))}</td><td>{badges.status_badge(status)}</td>"
    )


@lru_cache(maxsize=ROWS_REMEMBERED)
def row_html(row: tuple, today: date) -> Markup:
    """One `<tr>` of the list from the columns `queries.LIST_COLUMNS` reads, on `today`."""
    vendor_id, name, domain, tier, status, flags, expires_on, review_on = row
    worst = worst_flag(json.loads(flags or "[]"))
    return Markup(
        f"<tr>{_cells(vendor_id, name, domain, tier, status)}"
        f"<td>{badges.flag_line(worst)}</td>"
        f'<td class="nowrap">{badges.day_or_none(driver_date(expires_on), today)}</td>'
        f'<td class="nowrap">{badges.day_or_none(driver_date(review_on), today)}</td></tr>'
    )


def rows_html(rows: list[tuple], today: date) -> Markup:
    """The list's table body (its rows are Markup already: joined as they are)."""
    return Markup("\n".join([row_html(row, today) for row in rows]))
