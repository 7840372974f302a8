"""The vendor list's rows as HTML."""

from datetime import date

from markupsafe import Markup

from app.rules.catalog import SEVERITY_RANK
from app.web import badges, labels
from app.web.html import esc


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


def row_html(row: tuple, today: date) -> Markup:
    """One `<tr>` of the list from the columns `queries.LIST_COLUMNS` reads, on `today`."""
    vendor_id, name, domain, tier, status, flags, expires_on, review_on = row
    worst = worst_flag(flags or [])
    return Markup(
        f"<tr>{_cells(vendor_id, name, domain, tier, status)}"
        f"<td>{badges.flag_line(worst)}</td>"
        f'<td class="nowrap">{badges.day_or_none(expires_on, today)}</td>'
        f'<td class="nowrap">{badges.day_or_none(review_on, today)}</td></tr>'
    )


def rows_html(rows: list[tuple], today: date) -> Markup:
    """The list's table body (its rows are Markup already: joined as they are)."""
    return Markup("\n".join([row_html(row, today) for row in rows]))
