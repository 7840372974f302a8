"""SOC 1 / 2 / 3 reports: type, period, opinion, service auditor, criteria, exceptions,
subservice organisations, complementary user entity controls, report date."""

import re
from collections import Counter
from collections.abc import Sequence

from app.documents.proposals import Proposal
from app.documents.textscan import DATE, Hit, Page, find_all, find_first, parse_date

EXACT, PLACED, WEAK = 0.9, 0.75, 0.55
CI = re.I  # case-insensitive
_TYPE = re.compile(r"\bType\s?(?P<t>II|2|I|1)\b(?![\w-])", CI)
_RANGE = (
    rf"(?:from\s)?(?P<start>{DATE})\s?(?:to|through|thru|until|till|and|-|–|—)\s?(?P<end>{DATE})"
)
_PERIOD = re.compile(rf"\bperiod\b.{{0,30}}?{_RANGE}", CI)
_ANY_RANGE = re.compile(_RANGE, CI)
_AS_OF = re.compile(rf"\bas (?:of|at)\s(?P<end>{DATE})", CI)
_ENDED = re.compile(rf"\b(?:months|period|year) ended\s(?P<end>{DATE})", CI)


def read_report(pages: Sequence[Page], kind: str) -> dict[str, Proposal]:
    """Every field a SOC report of `kind` states."""
    fields: dict[str, Proposal] = {}
    if kind != "soc3_report":
        _put(fields, "report_type", _report_type(pages))
    report_type = fields["report_type"].value if "report_type" in fields else None
    fields.update(_period(pages, report_type))
    _put(fields, "opinion", _opinion(pages))
    fields.update(_auditor_and_date(pages, fields.get("period_end")))
    if kind != "soc1_report":
        _put(fields, "tsc", _criteria(pages))
    if kind != "soc3_report" and report_type != "type1":
        _put(fields, "exceptions_noted", _exceptions(pages))
    _put(fields, "subservice_orgs", _subservice_orgs(pages))
    _put(fields, "cuecs", _cuecs(pages))
    return fields


def _put(fields: dict[str, Proposal], name: str, proposal: Proposal | None) -> None:
    if proposal is not None:
        fields[name] = proposal


# --- type and period -------------------------------------------------------------------


def _report_type(pages: Sequence[Page]) -> Proposal | None:
    hit = find_first(pages, _TYPE)
    if hit is not None:
        value = "type2" if hit.group("t").upper() in ("II", "2") else "type1"
        return Proposal.at(hit, value, EXACT if hit.page.number <= 2 else PLACED)
    if (hit := find_first(pages, _PERIOD)) is not None:
        return Proposal.at(hit, "type2", WEAK)  # a period, not a point in time
    if (hit := find_first(pages, _AS_OF)) is not None:
        return Proposal.at(hit, "type1", WEAK)
    return None


def _most_common(hits: list[Hit], key) -> Hit | None:
    """The first hit of the value that occurs most often (titles and opinions repeat it)."""
    values = [key(h) for h in hits]
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    best = max(counts.values())
    return next(h for h, v in zip(hits, values, strict=True) if v is not None and counts[v] == best)


def _range_of(hit: Hit) -> tuple | None:
    start, end = parse_date(hit.group("start")), parse_date(hit.group("end"))
    if start is None or end is None or start[0] >= end[0]:
        return None
    return start, end


def _period(pages: Sequence[Page], report_type: str | None) -> dict[str, Proposal]:
    if report_type == "type1":
        return _as_of(pages)
    hit = _most_common(list(find_all(pages, _PERIOD)), _range_of)
    confidence = EXACT
    if hit is None:
        hit, confidence = _most_common(list(find_all(pages, _ANY_RANGE)), _range_of), WEAK
    if hit is None:
        return _ended(pages) or _as_of(pages)
    (start, sure_start), (end, sure_end) = _range_of(hit)
    return {
        "period_start": Proposal.at(hit, start, round(confidence * sure_start, 2)),
        "period_end": Proposal.at(hit, end, round(confidence * sure_end, 2)),
    }


def _single_date(pages: Sequence[Page], pattern: re.Pattern, confidence: float) -> dict:
    hit = _most_common(list(find_all(pages, pattern)), lambda h: parse_date(h.group("end")))
    if hit is None:
        return {}
    end, sure = parse_date(hit.group("end"))
    return {"period_end": Proposal.at(hit, end, round(confidence * sure, 2))}


def _as_of(pages: Sequence[Page]) -> dict[str, Proposal]:
    return _single_date(pages, _AS_OF, EXACT)


def _ended(pages: Sequence[Page]) -> dict[str, Proposal]:
    return _single_date(pages, _ENDED, PLACED)


# --- opinion -----------------------------------------------------------------------------

_DISCLAIMER = re.compile(
    r"\bdisclaimer of opinion\b|\bnot (?:been )?able to obtain sufficient appropriate evidence"
    r" to provide a basis for an opinion",
    CI,
)
_NO_OPINION = re.compile(r"\b(?:we )?do not express an opinion\b", CI)
_ADVERSE = re.compile(
    r"\badverse opinion\b|\b(?:do|does) not present fairly\b|\bnot fairly presented\b", CI
)
_QUALIFIED = re.compile(r"\bqualified opinion\b", CI)
_IN_OUR_OPINION = re.compile(r"\bin our opinion\b", CI)
_EXCEPT_FOR = re.compile(r"\bexcept for\b", CI)
_FAIRLY = re.compile(
    r"\bin all material respects\b.{0,400}?\bfairly\b|\bfairly (?:present|stated)", CI
)
_UNQUALIFIED = re.compile(r"\bunqualified opinion\b", CI)
OPINION_WINDOW = 400


def _opinion(pages: Sequence[Page]) -> Proposal | None:
    if hit := find_first(pages, _DISCLAIMER):
        return Proposal.at(hit, "disclaimer", EXACT)
    opinions = list(find_all(pages, _IN_OUR_OPINION))
    if not opinions and (hit := find_first(pages, _NO_OPINION)):
        return Proposal.at(hit, "disclaimer", PLACED)  # a disclaimer never says "in our opinion"
    if hit := find_first(pages, _ADVERSE):
        return Proposal.at(hit, "adverse", EXACT)
    if hit := find_first(pages, _QUALIFIED):
        return Proposal.at(hit, "qualified", EXACT)
    return _from_opinion_paragraph(opinions)


def _from_opinion_paragraph(opinions: list[Hit]) -> Proposal | None:
    for hit in opinions:
        window = hit.source[hit.match.start() : hit.match.start() + OPINION_WINDOW]
        if _EXCEPT_FOR.search(window):
            return Proposal.at(hit, "qualified", PLACED)
    for hit in opinions:
        window = hit.source[hit.match.start() : hit.match.start() + OPINION_WINDOW]
        if _FAIRLY.search(window) or _UNQUALIFIED.search(window):
            return Proposal.at(hit, "unqualified", 0.85)
    return None


# --- service auditor and report date ------------------------------------------------------

_SUFFIX = (
    r"(?:LLP|L\.L\.P\.|LLC|L\.L\.C\.|PLLC|P\.C\.|CPAs?|Certified Public Accountants"
    r"|Chartered Accountants|& Co\.?|& Company)"
)
_FIRM_LINE = re.compile(rf"^(?:/s/\s?)?(?P<firm>[A-Z][\w&.,' -]{{1,80}}?,?\s{_SUFFIX})\.?$")
_AUDITOR_LABEL = re.compile(
    r"^(?:independent )?(?:service auditor|auditor|audit firm|CPA firm|examined by|prepared by)"
    r"\s?[:–-]\s?(?P<firm>[A-Z][\w&.,' -]{1,120}?)\.?$",
    CI,
)
_DATE_LINE = re.compile(rf"^(?:dated?:?\s)?(?P<date>{DATE})$", CI)
_REPORT_DATE = re.compile(rf"\b(?:report date|date of (?:the )?report)\s?:?\s(?P<date>{DATE})", CI)
TITLE_LINES = 3
SIGNATURE_LOOKAHEAD = 4  # lines between the firm's name and the report date (city, state)


def _auditor_and_date(pages: Sequence[Page], period_end: Proposal | None) -> dict[str, Proposal]:
    fields: dict[str, Proposal] = {}
    firm = _labelled_auditor(pages) or _signing_firm(pages)
    if firm is not None:
        fields["auditor"] = firm[0]
    issued = _report_date(pages, firm[1] if firm else None)
    if issued is not None and (period_end is None or issued.value >= period_end.value):
        fields["issued_on"] = issued
    return fields


def _line_hit(page: Page, line: str, match: re.Match) -> Hit:
    return Hit(page=page, match=match, source=line)


def _labelled_auditor(pages: Sequence[Page]) -> tuple[Proposal, None] | None:
    for page in pages:
        for line in page.lines:
            if match := _AUDITOR_LABEL.match(line):
                hit = _line_hit(page, line, match)
                return Proposal.at(hit, match["firm"].strip(" ,"), 0.85), None
    return None


def _signing_firm(pages: Sequence[Page]) -> tuple[Proposal, tuple[Page, int]] | None:
    """The firm on a line of its own after "In our opinion" (the signature of the report);
    the service organisation, named at the top of the title page, signs only its assertion."""
    seen_opinion = False
    title = set(pages[0].lines[:TITLE_LINES]) if pages else set()
    for page in pages:
        seen_opinion = seen_opinion or bool(_IN_OUR_OPINION.search(page.flat))
        for index, line in enumerate(page.lines):
            match = _FIRM_LINE.match(line)
            if (
                match
                and line not in title
                and (seen_opinion or "service auditor" in page.flat.lower())
            ):
                confidence = PLACED if seen_opinion else 0.6
                hit = _line_hit(page, line, match)
                return Proposal.at(hit, match["firm"].strip(" ,"), confidence), (page, index)
    return None


def _report_date(pages: Sequence[Page], signature: tuple[Page, int] | None) -> Proposal | None:
    if hit := find_first(pages, _REPORT_DATE):
        parsed = parse_date(hit.group("date"))
        return Proposal.at(hit, parsed[0], round(0.85 * parsed[1], 2)) if parsed else None
    if signature is None:
        return None
    page, index = signature
    for line in page.lines[index + 1 : index + 1 + SIGNATURE_LOOKAHEAD]:
        if (match := _DATE_LINE.match(line)) and (parsed := parse_date(match["date"])):
            return Proposal.at(_line_hit(page, line, match), parsed[0], round(0.7 * parsed[1], 2))
    return None


# --- trust services criteria -----------------------------------------------------------------

_CRITERION = re.compile(r"security|availability|processing integrity|confidentiality|privacy", CI)
_RELEVANT_TO = re.compile(
    r"\b(?:criteria|categories|principles)\s(?:relevant|applicable)\sto\s(?P<list>[^().;]{3,160}?)"
    r"(?=\s\(|\sset forth|[.;]|\sfor the period|\sthroughout|\sas of|\sbased on|$)",
    CI,
)
_IN_SCOPE = re.compile(
    r"\b(?:trust services )?(?:criteria|categories|principles)(?: in scope| covered| included)"
    r"\s?:\s?(?P<list>[^.;]{3,160})",
    CI,
)


def _criteria_of(text: str) -> tuple[str, ...]:
    """The criteria named in `text`, sorted as the API stores them."""
    return tuple(sorted({m.lower().replace(" ", "_") for m in _CRITERION.findall(text)}))


def _criteria(pages: Sequence[Page]) -> Proposal | None:
    for pattern in (_IN_SCOPE, _RELEVANT_TO):
        hits = list(find_all(pages, pattern))
        hit = _most_common(hits, lambda h: _criteria_of(h.group("list")) or None)
        if hit is not None:
            value = list(_criteria_of(hit.group("list")))
            confidence = 0.85 if "security" in value else WEAK
            return Proposal.at(hit, value, confidence)
    return None


# --- exceptions, subservice organisations, CUECs ------------------------------------------------

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMBERS = {w: n for n, w in enumerate(_NUMBER_WORDS)}
_TOTAL = re.compile(
    r"\b(?:a total of|in total,?|overall,?)\s(?P<n>\d{1,4}|" + "|".join(_NUMBERS) + r")\s"
    r"(?:\w+\s)?(?:exceptions?|deviations?)\b",
    CI,
)
_PASS = re.compile(r"\bno (?:exceptions?|deviations?)(?: were| was)? noted\b", CI)
# A test result that reports an exception starts with a capital: "Exception noted. Of 25…".
_FAIL = re.compile(r"(?<![Nn]o )\b(?:Exceptions?|Deviations?)(?: were| was)? (?i:noted)\b")


def _exceptions(pages: Sequence[Page]) -> Proposal | None:
    if hit := find_first(pages, _TOTAL):
        n = hit.group("n").lower()
        return Proposal.at(hit, int(n) if n.isdigit() else _NUMBERS[n], 0.8)
    failures = list(find_all(pages, _FAIL))
    if failures:
        return Proposal.at(failures[0], len(failures), WEAK)  # tests with exceptions, counted
    if hit := find_first(pages, _PASS):
        return Proposal.at(hit, 0, 0.65)
    return None


_SUBSERVICE_PAGE = re.compile(r"\bsubservice organi[sz]ations?\b", CI)
_USES = re.compile(
    r"\b(?:uses|utili[sz]es|relies (?:up)?on|outsources [\w ]{0,30}? to)\s(?:the services of\s)?"
    r"(?P<name>(?:[A-Z][\w&.'-]*,?\s){0,5}?[A-Z][\w&.'-]*(?:,? Inc\.| Ltd\.?| LLC)?)"
    r"(?:\s\(\"?(?P<abbr>[A-Z][\w]+)\"?\))?\s(?:to|for|as)\b"
)
_CARVE_OUT = re.compile(r"\bcarve[- ]?out method\b|\bcarved[- ]out\b|\bexcludes? the controls", CI)
_INCLUSIVE = re.compile(r"\binclusive method\b", CI)


def _subservice_orgs(pages: Sequence[Page]) -> Proposal | None:
    relevant = [p for p in pages if _SUBSERVICE_PAGE.search(p.flat)]
    hits = list(find_all(relevant, _USES))
    if not hits:
        return None
    method = _method(relevant)
    if method is None:
        return None
    names = list(dict.fromkeys(h.group("name").strip(" ,") for h in hits))
    return Proposal.at(hits[0], [{"name": n, "method": method} for n in names], 0.6)


def _method(pages: Sequence[Page]) -> str | None:
    carve = any(_CARVE_OUT.search(p.flat) for p in pages)
    inclusive = any(_INCLUSIVE.search(p.flat) for p in pages)
    if carve == inclusive:
        return None  # neither said, or both: leave it to the analyst
    return "carve_out" if carve else "inclusive"


_CUECS = re.compile(r"\bcomplementary user[- ]entity controls\b|\bCUECs?\b", CI)


def _cuecs(pages: Sequence[Page]) -> Proposal | None:
    hit = find_first(pages, _CUECS)
    return Proposal.at(hit, True, 0.85) if hit else None
