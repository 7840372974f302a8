"""The digest as an e-mail: subject, plain text and HTML (Jinja2, autoescaped), and JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import lru_cache

from jinja2 import Environment

from app.digest.build import MAX_ROWS, SECTIONS, Digest, subject
from app.mailer import email_environment
from app.rules.catalog import RULES_BY_CODE

TITLES = {
    "expired": "Expired or stale, not yet replaced",
    "expiring_30": "Expiring or going stale within 30 days",
    "expiring_60": "Expiring or going stale in 31–60 days",
    "expiring_90": "Expiring or going stale in 61–90 days",
    "worsened": "Status worsened in the past 7 days",
    "waivers_ending": "Waivers ending within 30 days",
    "requests_overdue": "Evidence requests overdue",
    "reviews_due": "Reviews overdue or due within 30 days",
    "decisions_due": "Renewal decisions within 90 days",
}
EMPTY = {
    "expired": "No relied-on evidence has expired or gone stale.",
    "expiring_30": "Nothing expires or goes stale within 30 days.",
    "expiring_60": "Nothing expires or goes stale in 31–60 days.",
    "expiring_90": "Nothing expires or goes stale in 61–90 days.",
    "worsened": "No vendor's status got worse in the past 7 days.",
    "waivers_ending": "No waiver ends within 30 days.",
    "requests_overdue": "No evidence request is overdue.",
    "reviews_due": "No review is overdue or due within 30 days.",
    "decisions_due": "No renewal decision falls within 90 days.",
}
KINDS = {
    "worsened": "status",
    "waivers_ending": "waiver",
    "requests_overdue": "request",
    "reviews_due": "review",
    "decisions_due": "decision",
}
STATUS_COLOURS = {"approved": "#1b7f3b", "conditional": "#9a6700", "blocked": "#b42318"}


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    empty: str
    kind: str  # evidence | status | waiver | request | review | decision
    rows: tuple  # the rows shown
    total: int  # the rows in the section

    @property
    def more(self) -> int:
        """Rows left out of the e-mail."""
        return self.total - len(self.rows)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def sections(digest: Digest, limit: int | None = MAX_ROWS) -> list[Section]:
    """The sections in the order the e-mail shows them, each cut to `limit` rows (and
    to the rows the digest holds, when it was built with a limit of its own)."""
    out = []
    for key in SECTIONS:
        rows = getattr(digest, key)
        shown = rows if limit is None else rows[:limit]
        total = digest.sizes[key]
        out.append(Section(key, TITLES[key], EMPTY[key], KINDS.get(key, "evidence"), shown, total))
    return out


def rule_title(code: str) -> str:
    """A flag code's plain-words title (the code itself when unknown)."""
    rule = RULES_BY_CODE.get(code)
    return rule.title if rule else code


def days_left(n: int) -> str:
    """0 → 'last day today', 1 → '1 day left', n → 'n days left'."""
    if n == 0:
        return "last day today"
    return f"{n} day left" if n == 1 else f"{n} days left"


def days_ago(n: int) -> str:
    """1 → '1 day ago', n → 'n days ago'."""
    return f"{n} day ago" if n == 1 else f"{n} days ago"


def days_overdue(n: int) -> str:
    """1 → '1 day overdue', n → 'n days overdue'."""
    return f"{n} day overdue" if n == 1 else f"{n} days overdue"


def days_to_go(n: int) -> str:
    """0 → 'today', 1 → 'in 1 day', n → 'in n days'."""
    if n == 0:
        return "today"
    return f"in {n} day" if n == 1 else f"in {n} days"


@lru_cache
def environment() -> Environment:
    """The e-mail templates' Jinja2, with the digest's globals and filters."""
    env = email_environment()
    env.globals.update(rule_title=rule_title, status_colours=STATUS_COLOURS)
    env.filters.update(
        days_left=days_left, days_ago=days_ago, days_overdue=days_overdue, days_to_go=days_to_go
    )
    return env


def full_url(digest: Digest) -> str:
    """The web page with every row of the team's digest for this week."""
    return f"{digest.base_url}/digest?as_of={digest.as_of.isoformat()}&full=1"


def _context(digest: Digest, limit: int | None) -> dict:
    return {
        "digest": digest,
        "subject": subject(digest),
        "sections": sections(digest, limit),
        "full_url": full_url(digest),
    }


def render_text(digest: Digest, limit: int | None = MAX_ROWS) -> str:
    """The plain-text alternative: every fact of the HTML part."""
    return environment().get_template("digest.txt").render(_context(digest, limit))


def render_html(digest: Digest, limit: int | None = MAX_ROWS) -> str:
    """The HTML part: inline styles and one table per section, for common mail clients."""
    return environment().get_template("digest.html").render(_context(digest, limit))


def render(digest: Digest, limit: int | None = MAX_ROWS) -> Rendered:
    """Subject, text and HTML of one recipient's digest (`limit` rows per section)."""
    return Rendered(
        subject=subject(digest),
        text=render_text(digest, limit),
        html=render_html(digest, limit),
    )


def to_json(digest: Digest) -> dict:
    """The JSON form (the API preview and `vetted digest preview --format json`): the rows
    the digest holds, so those build it without a limit, with every row."""
    data = asdict(replace(digest, owner_digests=None))
    for hidden in ("owner_totals", "owner_digests", "sizes"):
        del data[hidden]
    return {"subject": subject(digest), **_iso_dates(data)}


def _iso_dates(value: object) -> object:
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_iso_dates(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
