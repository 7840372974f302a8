"""Helpers for the document and import tests: generated PDFs, multipart posts, form values."""

from dataclasses import replace
from datetime import date
from functools import lru_cache
from html.parser import HTMLParser

from documents.corpus import IsoSpec, Sample, SocSpec, image_only, iso_certificate, soc_report
from web.support import WebClient


@lru_cache
def soc2_pdf() -> Sample:
    """The corpus's SOC 2 Type II report (US dates, unqualified, one exception, AWS carved out)."""
    return soc_report(SocSpec(name="soc2_type2_unqualified_us_dates"))


@lru_cache
def soc2_recent_pdf() -> Sample:
    """A SOC 2 Type II report whose period ended recently enough to count on TEST_TODAY."""
    spec = SocSpec(
        name="soc2_recent",
        start=date(2025, 4, 1),
        end=date(2026, 3, 31),
        issued=date(2026, 5, 8),
        results=(True,) * 6,
        cuecs=False,
    )
    return soc_report(spec)


@lru_cache
def iso_pdf() -> Sample:
    """The corpus's ISO/IEC 27001:2022 certificate (BSI, UKAS, valid until 9 January 2029)."""
    return iso_certificate(IsoSpec(name="iso_2022_valid_until"))


@lru_cache
def soc3_pdf() -> Sample:
    base = SocSpec(name="soc3", kind="soc3_report", type_label=None, subservice=None)
    return soc_report(replace(base, tsc=("security", "availability"), cuecs=False))


@lru_cache
def scanned_pdf() -> Sample:
    """A certificate scanned to an image: no text layer."""
    return image_only()


def post_multipart(
    client: WebClient,
    url: str,
    data: dict,
    *,
    pdf: bytes | None = None,
    filename: str = "report.pdf",
    csrf: bool = True,
):
    """Post a multipart form as a browser does: text fields first, then the file field (an
    empty file part when no file is chosen)."""
    body = {"csrf_token": client.csrf, **data} if csrf else dict(data)
    file = (
        (filename, pdf, "application/pdf")
        if pdf is not None
        else ("", b"", "application/octet-stream")
    )
    return client.post(url, data=body, files={"file": file}, follow_redirects=False)


class FormValues(HTMLParser):
    """The values a page's controls hold, by id (inputs, checked boxes, selected options,
    textareas; hidden inputs by name), and the words of the notes whose ids end in -found or
    -error."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.checked: set[str] = set()
        self.notes: dict[str, str] = {}
        self.hidden: dict[str, str] = {}  # by name, the first of each
        self._select: str | None = None
        self._open: list[list] = []  # [target dict, key, tag, depth] of the element being read
        self.feed(html)

    def _read(self, target: dict, key: str, tag: str) -> None:
        target[key] = ""
        self._open.append([target, key, tag, 0])

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        ident = a.get("id") or ""
        if self._open and self._open[-1][2] == tag:
            self._open[-1][3] += 1
        if tag == "input" and a.get("type") == "hidden":
            self.hidden.setdefault(a.get("name") or "", a.get("value") or "")
        elif tag == "input" and ident:
            self.values[ident] = a.get("value") or ""
            if "checked" in a:
                self.checked.add(ident)
        elif tag == "select":
            self._select = ident
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and ident:
            self._read(self.values, ident, tag)
        elif ident.endswith(("-found", "-error")) or ident == "prefill-result":
            self._read(self.notes, ident, tag)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if self._open and self._open[-1][2] == tag:
            if self._open[-1][3]:
                self._open[-1][3] -= 1
            else:
                self._open.pop()

    def handle_data(self, data):
        for target, key, _, _ in self._open:
            target[key] += data

    def note(self, key: str) -> str:
        """The words of a note, spaces collapsed."""
        return " ".join(self.notes.get(key, "").split())
