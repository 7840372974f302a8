"""ISO/IEC 27001 certificates: edition, number, certification and accreditation bodies,
issue, expiry and initial certification dates, scope."""

import re
from collections.abc import Sequence
from functools import cache
from itertools import chain

from app.documents.proposals import Proposal
from app.documents.textscan import DATE, Page, find_all, find_first, find_in_lines, parse_date
from app.rules.accreditation import PLACEHOLDERS, default_registry, fold

CI = re.I  # case-insensitive
_SEP = r"\s?[:.–-]?\s?"
_EDITION = re.compile(r"\bISO\s?(?:/\s?IEC\s?)?27001\s?:\s?(?P<year>2005|2013|2017|2022)\b", CI)
_EDITIONS = {"2013": ("2013", 0.9), "2022": ("2022", 0.9), "2017": ("2013", 0.7)}
_NUMBER = re.compile(
    r"\b(?:certificate|certification|registration|cert\.?)\s?(?:no\.?|number|nr\.?|#|id)"
    rf"{_SEP}(?P<v>[A-Z0-9][A-Z0-9/_.-]*(?:\s[A-Z0-9/_.-]*\d[A-Z0-9/_.-]*){{0,2}})",
    CI,
)
_VALUE = r"(?P<v>(?-i:[A-Z0-9])[^:]{1,120})$"
_ABBREVIATED = re.compile(r"\b(?:Inc|Ltd|Co|Corp|Pty|S\.A|B\.V|e\.V|A\.G)\.$")
_SCOPE_WORD = re.compile(r"^(?:scope(?: of certification)?\s?:\s?)+", CI)
_BODY_LABEL = re.compile(
    rf"\b(?:certification body|certifying body|registrar|issued by|certified by){_SEP}{_VALUE}", CI
)
_ACCREDITATION_LABEL = re.compile(
    rf"\b(?:accreditation body|accredited by|accreditation){_SEP}{_VALUE}", CI
)
_VALID_RANGE = re.compile(
    rf"\bvalid (?:from\s)?(?P<start>{DATE})\s?(?:to|until|through|till|-|–)\s?(?P<end>{DATE})", CI
)
_ISSUED = [
    (
        re.compile(
            rf"(?<!original )(?<!initial )\b(?:date of (?:issue|certification)|issue date"
            rf"|issued on|date issued)"
            rf"{_SEP}(?P<d>{DATE})",
            CI,
        ),
        0.9,
    ),
    (
        re.compile(
            rf"\b(?:effective date|effective from|valid from|certificate date|issued)"
            rf"{_SEP}(?P<d>{DATE})",
            CI,
        ),
        0.75,
    ),
]
_EXPIRES = [
    (
        re.compile(
            rf"\b(?:valid until|valid to|valid through|valid till|expiry date|expiration date"
            rf"|date of expiry|expires on|expires|expiry){_SEP}(?P<d>{DATE})",
            CI,
        ),
        0.9,
    ),
]
_INITIAL = [
    (
        re.compile(
            rf"\b(?:original|initial|first) (?:certification|approval|registration)"
            rf"(?: date)?{_SEP}(?P<d>{DATE})",
            CI,
        ),
        0.85,
    ),
]
_SCOPE = re.compile(
    r"\b(?i:scope of (?:certification|registration)|certification scope|scope|for the following"
    r" scope|applicable to)\s?:\s?(?P<v>[A-Z].{9,800}?)"
    r"(?=\.\s|\s[A-Z][\w ]{2,40}?\s?:\s|\sThis certificate\b|\sOn behalf of\b|\.?$)",
)
KNOWN_BODIES = (
    "BSI", "DNV", "TÜV SÜD", "TÜV Rheinland", "TÜV NORD", "TÜV AUSTRIA", "Bureau Veritas",
    "SGS", "LRQA", "Intertek", "Schellman", "A-LIGN", "Coalfire", "NQA", "DEKRA", "Kiwa", "DQS",
    "Perry Johnson Registrars", "Eurofins", "Prescient Security", "Sensiba", "Mastermind",
)  # fmt: skip
DISTINCT_SHORT = frozenset({"RvA", "JAB", "KAB"})
_KNOWN_BODY = re.compile(r"\b(?:" + "|".join(re.escape(b) for b in KNOWN_BODIES) + r")\b")


def read_certificate(pages: Sequence[Page], kind: str) -> dict[str, Proposal]:
    """Every field an ISO/IEC 27001 certificate states."""
    candidates = {
        "standard_version": _edition(pages),
        "certificate_number": _number(pages),
        "certification_body": _certification_body(pages),
        "accreditation_body": _accreditation_body(pages),
        "issued_on": _labelled_date(pages, _ISSUED, "start"),
        "expires_on": _labelled_date(pages, _EXPIRES, "end"),
        "initial_certification_on": _labelled_date(pages, _INITIAL, None),
        "scope": _scope(pages),
    }
    return {name: p for name, p in candidates.items() if p is not None}


def _edition(pages: Sequence[Page]) -> Proposal | None:
    for hit in find_all(pages, _EDITION):
        if hit.group("year") in _EDITIONS:
            value, confidence = _EDITIONS[hit.group("year")]
            return Proposal.at(hit, value, confidence)
    return None


def _number(pages: Sequence[Page]) -> Proposal | None:
    for hit in find_in_lines(pages, _NUMBER):
        value = hit.group("v").strip(" .")
        if any(ch.isdigit() for ch in value):
            return Proposal.at(hit, value, 0.85)
    return None


def _name(value: str) -> str:
    """A name as printed, without the full stop that ends its line (unless it is "Inc.")."""
    value = value.strip(" ,;")
    return value if _ABBREVIATED.search(value) else value.rstrip(".")


def _certification_body(pages: Sequence[Page]) -> Proposal | None:
    if hit := next(find_in_lines(pages, _BODY_LABEL), None):
        return Proposal.at(hit, _name(hit.group("v")), 0.85)
    if hit := find_first(pages, _KNOWN_BODY):
        return Proposal.at(hit, hit.group(0), 0.6)
    return None


def _accreditation_body(pages: Sequence[Page]) -> Proposal | None:
    for hit in find_in_lines(pages, _ACCREDITATION_LABEL):
        value = _name(hit.group("v"))
        if fold(value) in PLACEHOLDERS:
            continue
        mark = _marks().search(value)
        return Proposal.at(hit, mark.group(0) if mark else value, 0.85)
    hit = find_first(pages, _marks())
    return Proposal.at(hit, hit.group(0), 0.7) if hit else None


@cache
def _marks() -> re.Pattern:
    """Acronyms of recognised bodies printed as words of their own (an accreditation mark);
    short ones that are also ordinary words (SAS, TAF…) count only after a label."""
    acronyms = [b.acronym for b in default_registry().bodies if b.acronym]
    acronyms = [a for a in acronyms if len(a) > 3 or a in DISTINCT_SHORT]
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, acronyms)) + r")(?![\w-])")


def _labelled_date(pages: Sequence[Page], patterns: list, range_end: str | None) -> Proposal | None:
    for pattern, confidence in patterns:
        for hit in chain(find_in_lines(pages, pattern), find_all(pages, pattern)):
            if parsed := parse_date(hit.group("d"), day_first=True):
                return Proposal.at(hit, parsed[0], round(confidence * parsed[1], 2))
    if range_end is None:
        return None
    for hit in find_all(pages, _VALID_RANGE):
        if parsed := parse_date(hit.group(range_end), day_first=True):
            return Proposal.at(hit, parsed[0], round(0.85 * parsed[1], 2))
    return None


def _scope(pages: Sequence[Page]) -> Proposal | None:
    hit = find_first(pages, _SCOPE)
    if hit is None:
        return None
    return Proposal.at(hit, _SCOPE_WORD.sub("", hit.group("v")).strip(" .;:"), 0.7)
