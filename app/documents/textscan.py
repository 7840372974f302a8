"""Plain-text helpers for extraction: normalised pages, hits with snippets, dates in words.

Pure: no database, no web, no PDF library — page texts in, values out.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

SNIPPET_WIDTH = 90  # characters of context either side of a match
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "\xad": ""})
_SPACES = re.compile(r"[ \t\f\v]+")

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august")
_MONTH_NAMES += ("september", "october", "november", "december")
MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE = (
    rf"(?:{_MONTH}\s?{_DAY},?\s?\d{{4}}"
    rf"|{_DAY}(?:\s|-)?(?:of\s)?{_MONTH}(?:\s|-|,\s?)\d{{4}}"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{4})"
)
_WORDY = re.compile(rf"^(?:(?P<m1>{_MONTH})\s?(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}}))", re.I)
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.])(\d{1,2})[/.](\d{4})$")
EARLIEST_YEAR, LATEST_YEAR = 1990, 2199


@dataclass(frozen=True)
class Page:
    """One page: its 1-based number, its text with lines, and the same text on one line."""

    number: int
    text: str
    flat: str

    @property
    def lines(self) -> list[str]:
        """The non-empty lines of the page."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]


def normalise(text: str) -> str:
    """Compatibility forms folded (ligatures, odd spaces), quotes straightened, spaces single."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())


def make_pages(texts: Iterable[str]) -> list[Page]:
    """Pages from raw extracted texts."""
    pages = []
    for number, raw in enumerate(texts, start=1):
        text = normalise(raw)
        pages.append(Page(number=number, text=text, flat=" ".join(text.split())))
    return pages


def snippet(text: str, start: int, end: int, width: int = SNIPPET_WIDTH) -> str:
    """The match with some context, cut at word boundaries, with … where text was cut."""
    left, right = max(0, start - width), min(len(text), end + width)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    body = text[left:right].strip()
    return ("…" if left > 0 else "") + body + ("…" if right < len(text) else "")


@dataclass(frozen=True)
class Hit:
    """A match on a page (in its flat text, or in one of its lines)."""

    page: Page
    match: re.Match
    source: str

    def group(self, name: str | int = 0) -> str | None:
        """A group of the match."""
        return self.match.group(name)

    @property
    def snippet(self) -> str:
        """The words around the match."""
        return snippet(self.source, self.match.start(), self.match.end())


def find_all(pages: Iterable[Page], pattern: re.Pattern) -> Iterator[Hit]:
    """Every match in the pages' flat texts, in document order."""
    for page in pages:
        for match in pattern.finditer(page.flat):
            yield Hit(page=page, match=match, source=page.flat)


def find_first(pages: Iterable[Page], pattern: re.Pattern) -> Hit | None:
    """The first match in document order, or None."""
    return next(find_all(pages, pattern), None)


def find_in_lines(pages: Iterable[Page], pattern: re.Pattern) -> Iterator[Hit]:
    """Matches within single lines (labels such as `Valid until: …`), in document order."""
    for page in pages:
        for line in page.lines:
            for match in pattern.finditer(line):
                yield Hit(page=page, match=match, source=line)


def _month(word: str) -> int | None:
    return MONTHS.get(word.lower().rstrip("."))


def _wordy(text: str) -> date | None:
    year = int(re.findall(r"\d{4}", text)[-1])
    head = _WORDY.match(text)
    if head is None:
        return None
    if head.group("m1"):
        month, day = _month(head.group("m1")), int(head.group("d1"))
    else:
        words = re.findall(r"[A-Za-z]+", text)
        month = next((m for m in map(_month, words) if m), None)
        day = int(head.group("d2"))
    return _safe_date(year, month, day)


def _safe_date(year: int, month: int | None, day: int) -> date | None:
    if month is None or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, *, day_first: bool = False) -> tuple[date, float] | None:
    """A date written in words or digits, with how sure the reading is (1.0, or less when
    `03/04/2025` could be either March or April; `day_first` picks the European reading)."""
    text = " ".join(text.split())
    if m := _YEAR_FIRST.match(text):
        found = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return (found, 1.0) if found else None
    if m := _NUMERIC.match(text):
        return _numeric(int(m[1]), int(m[3]), int(m[4]), day_first or m[2] == ".")
    found = _wordy(text)
    return (found, 1.0) if found else None


def _numeric(first: int, second: int, year: int, day_first: bool) -> tuple[date, float] | None:
    if first > 12 or second > 12 or first == second:
        day_first = first > 12 if first != second else day_first
        sure = 1.0
    else:
        sure = 0.7
    day, month = (first, second) if day_first else (second, first)
    found = _safe_date(year, month, day)
    return (found, sure) if found else None
