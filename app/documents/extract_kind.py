"""Which kind of evidence a document is: SOC 1, 2 or 3 report, or ISO/IEC 27001 certificate.

Reports mention other kinds in passing ("a SOC 1 report is not…", "the company also holds
ISO 27001"), so each mention scores, mentions on the title pages count three times, and the
kind with the highest score wins.
"""

import re
from collections.abc import Sequence

from app.documents.proposals import Proposal
from app.documents.textscan import Hit, Page, find_all

ISO_KIND = "iso27001_certificate"
TITLE_PAGES = 2
TITLE_WEIGHT = 3
_SOC = r"(?:SOC|System and Organi[sz]ation Controls?|Service Organi[sz]ation Controls?)"
PATTERNS = {
    "soc1_report": re.compile(rf"\b{_SOC}\s?(?:\(SOC\)\s?)?1\b(?!\d)"),
    "soc2_report": re.compile(rf"\b{_SOC}\s?(?:\(SOC\)\s?)?2\b(?!\d)"),
    "soc3_report": re.compile(rf"\b{_SOC}\s?(?:\(SOC\)\s?)?3\b(?!\d)"),
    ISO_KIND: re.compile(r"\bISO\s?(?:/\s?IEC\s?)?27001\b", re.I),
}
_CERTIFICATE = re.compile(r"\bcertif(?:icate|y|ied|ication)\b", re.I)
_REPORT = re.compile(r"\bservice auditor|\bdescription of .{0,60}system\b", re.I)


def _score(kind: str, hits: list[Hit]) -> int:
    score = 0
    for hit in hits:
        title = hit.page.number <= TITLE_PAGES
        if kind == ISO_KIND and not _CERTIFICATE.search(hit.page.flat):
            continue  # "ISO 27001" in a report's narrative does not make it a certificate
        score += TITLE_WEIGHT if title else 1
    return score


def detect_kind(pages: Sequence[Page]) -> Proposal | None:
    """The kind the document most likely is, with the first words that say so."""
    hits = {kind: list(find_all(pages, pattern)) for kind, pattern in PATTERNS.items()}
    scores = {kind: _score(kind, found) for kind, found in hits.items()}
    if any(_REPORT.search(p.flat) for p in pages[: TITLE_PAGES * 3]):
        scores[ISO_KIND] //= 2  # a service auditor's report that cites ISO 27001
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return None
    runner_up = max(s for k, s in scores.items() if k != best)
    first = hits[best][0]
    title = first.page.number <= TITLE_PAGES
    confidence = 0.9 if title and scores[best] >= 2 * runner_up else 0.7
    return Proposal.at(first, best, confidence if runner_up < scores[best] else 0.5)
