"""Realistic SOC reports and ISO/IEC 27001 certificates as PDFs, each with the values it states.

The reports follow the AICPA's layout (title page, the service auditor's report with its
opinion and signature, management's assertion, the system description, the tests of
controls) and carry the distractors real ones do: the TSC title naming all five criteria,
"we do not express an opinion" about other information, "except for" in the narrative, a
mention of ISO 27001 in a SOC 2. Used by the extraction tests and the benchmark.
"""

import io
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from fpdf import FPDF

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
LATIN1 = str.maketrans({"–": "-", "—": "-", "’": "'", "“": '"', "”": '"', "…": "..."})


def unicode_font() -> Path | None:
    """DejaVu Sans when installed (fpdf2's built-in fonts are Latin-1 only)."""
    for directory in FONT_DIRS:
        if (directory / "DejaVuSans.ttf").is_file():
            return directory
    return None


class Doc:
    """A few layout helpers over fpdf2."""

    def __init__(self) -> None:
        self.pdf = FPDF(format="letter")
        self.pdf.set_auto_page_break(auto=True, margin=18)
        fonts = unicode_font()
        self.unicode = fonts is not None
        if fonts is not None:
            self.pdf.add_font("Body", "", str(fonts / "DejaVuSans.ttf"))
            self.pdf.add_font("Body", "B", str(fonts / "DejaVuSans-Bold.ttf"))
            self.family = "Body"
        else:
            self.family = "Helvetica"

    def _text(self, text: str) -> str:
        return text if self.unicode else text.translate(LATIN1)

    def page(self) -> "Doc":
        self.pdf.add_page()
        return self

    def title(self, text: str, size: int = 18) -> "Doc":
        self.pdf.set_font(self.family, "B", size)
        self.pdf.multi_cell(
            0, size * 0.55, self._text(text), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        self.pdf.ln(4)
        return self

    def heading(self, text: str) -> "Doc":
        self.pdf.set_font(self.family, "B", 12)
        self.pdf.multi_cell(0, 7, self._text(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)
        return self

    def para(self, text: str) -> "Doc":
        self.pdf.set_font(self.family, "", 10)
        self.pdf.multi_cell(0, 5, self._text(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(3)
        return self

    def lines(self, *texts: str) -> "Doc":
        self.pdf.set_font(self.family, "", 10)
        for text in texts:
            self.pdf.cell(0, 5, self._text(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(3)
        return self

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


# --- dates as reports write them ---------------------------------------------------------


def us(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def uk(d: date) -> str:
    return f"{d.day} {d:%B} {d.year}"


def iso(d: date) -> str:
    return d.isoformat()


def short(d: date) -> str:
    return f"{d.day} {d:%b} {d.year}"


def abbreviated(d: date) -> str:
    return f"{d:%b}. {d.day}, {d.year}"


def dotted(d: date) -> str:
    return f"{d:%d.%m.%Y}"


def slashed_uk(d: date) -> str:
    return f"{d:%d/%m/%Y}"


@dataclass(frozen=True)
class Sample:
    """A generated PDF and the values a perfect reader would propose from it."""

    name: str
    pdf: bytes
    kind: str | None
    truth: dict
    text_found: bool = True


# --- SOC reports -----------------------------------------------------------------------------

SOC_LABEL = {"soc1_report": "SOC 1®", "soc2_report": "SOC 2®", "soc3_report": "SOC 3®"}
TSC_WORDS = {
    "security": "security",
    "availability": "availability",
    "confidentiality": "confidentiality",
    "processing_integrity": "processing integrity",
    "privacy": "privacy",
}


@dataclass(frozen=True)
class SocSpec:
    """Everything that varies between SOC reports."""

    name: str
    kind: str = "soc2_report"
    org: str = "Acme Cloud, Inc."
    system: str = "Acme Cloud Platform"
    type_label: str | None = "Type II"
    start: date | None = date(2025, 1, 1)
    end: date = date(2025, 12, 31)
    date_style: object = us
    separator: str = "to"
    opinion: str = "unqualified"
    auditor: str = "Hale & Moss LLP"
    city: str = "Denver, Colorado"
    issued: date | None = date(2026, 3, 14)
    tsc: tuple[str, ...] = ("security", "availability", "confidentiality")
    results: tuple[bool, ...] = (True, True, False, True, True, True)
    subservice: tuple[str, str, str] | None = ("Amazon Web Services, Inc.", "AWS", "carve_out")
    cuecs: bool = True
    other_information: bool = True
    distractors: bool = True
    # Wordings added after the reader was written, kept to measure it honestly:
    twelve_months_ended: bool = False  # "for the twelve-month period ended …" (no start date)
    cuec_wording: str = "complementary user entity controls"
    signature_prefix: str = ""  # e.g. "/s/ "

    @property
    def type2(self) -> bool:
        return self.kind == "soc3_report" or self.type_label in ("Type II", "Type 2")

    def period(self) -> str:
        fmt = self.date_style
        if not self.type2:
            return f"as of {fmt(self.end)}"
        if self.twelve_months_ended:
            return f"for the twelve-month period ended {fmt(self.end)}"
        return f"for the period {fmt(self.start)} {self.separator} {fmt(self.end)}"

    def criteria(self) -> str:
        words = [TSC_WORDS[c] for c in self.tsc]
        if len(words) == 1:
            return words[0]
        return ", ".join(words[:-1]) + (", and " if len(words) > 2 else " and ") + words[-1]

    def truth(self) -> dict:
        truth: dict = {"kind": self.kind, "period_end": self.end, "opinion": self.opinion}
        if self.kind != "soc3_report":
            truth["report_type"] = "type2" if self.type2 else "type1"
        if self.type2:
            truth["period_start"] = self.start
        truth["auditor"] = self.auditor
        if self.issued is not None:
            truth["issued_on"] = self.issued
        if self.kind != "soc1_report":
            truth["tsc"] = sorted(self.tsc)
        if self.kind != "soc3_report" and self.type2:
            truth["exceptions_noted"] = sum(1 for ok in self.results if not ok)
        if self.subservice is not None:
            name, _, method = self.subservice
            truth["subservice_orgs"] = [{"name": name, "method": method}]
        if self.cuecs:
            truth["cuecs"] = True
        return truth

    def cuec_heading(self) -> str:
        return " ".join(w.capitalize() for w in self.cuec_wording.split())


def _title_page(doc: Doc, s: SocSpec) -> None:
    label = SOC_LABEL[s.kind] + (f" {s.type_label}" if s.type_label else "")
    doc.page().title(s.org).title(f"{label} Report", 16)
    if s.kind == "soc1_report":
        subject = "Internal Control over Financial Reporting"
    else:
        subject = s.criteria().title()
    doc.para(
        f"Report on {s.org}'s Description of Its {s.system} and on the Suitability of the "
        f"Design{' and Operating Effectiveness' if s.type2 else ''} of Its Controls Relevant "
        f"to {subject} {s.period()}."
    )
    doc.para("Prepared in accordance with AICPA attestation standards. Restricted use.")


def _scope_paragraph(s: SocSpec) -> str:
    if s.kind == "soc1_report":
        return (
            f"We have examined {s.org}'s description of its {s.system} {s.period()} and the "
            "suitability of the design and operating effectiveness of controls to achieve the "
            "related control objectives stated in the description, relevant to user entities' "
            "internal control over financial reporting."
        )
    return (
        f"We have examined {s.org}'s accompanying description of its {s.system} {s.period()} "
        "(description) based on the criteria for a description of a service organization's "
        "system set forth in DC section 200, and the suitability of the design and operating "
        f"effectiveness of controls stated in the description {s.period()} to provide "
        f"reasonable assurance that {s.org}'s service commitments and system requirements were "
        f"achieved based on the trust services criteria relevant to {s.criteria()} (applicable "
        "trust services criteria) set forth in TSP section 100, 2017 Trust Services Criteria "
        "for Security, Availability, Processing Integrity, Confidentiality, and Privacy "
        "(AICPA, Trust Services Criteria)."
    )


def _subservice_paragraph(s: SocSpec) -> str:
    name, abbr, method = s.subservice
    if method == "carve_out":
        treatment = (
            f"The description presents {s.org}'s controls and excludes the controls of {abbr}, "
            "using the carve-out method."
        )
    else:
        treatment = f"The description includes the controls of {abbr} (the inclusive method)."
    return (
        f'{s.org} uses {name} ("{abbr}") to provide cloud hosting services, a subservice '
        f"organization. {treatment}"
    )


OPINIONS = {
    "unqualified": (
        "Opinion",
        "In our opinion, in all material respects, (a) the description presents {org}'s "
        "{system} that was designed and implemented {period} fairly, in accordance with the "
        "description criteria, and (b) the controls stated in the description were suitably "
        "designed and operated effectively {period}.",
    ),
    "qualified": (
        "Qualified Opinion",
        "In our opinion, except for the matter described in the Basis for Qualified Opinion "
        "paragraph, in all material respects, (a) the description presents {org}'s {system} "
        "fairly {period}, and (b) the controls stated in the description were suitably "
        "designed and operated effectively {period}.",
    ),
    "adverse": (
        "Adverse Opinion",
        "In our opinion, because of the significance of the matters described in the basis "
        "paragraph, the description does not present fairly {org}'s {system} {period}, and "
        "the controls stated in the description were not suitably designed.",
    ),
    "disclaimer": (
        "Disclaimer",
        "Because of the significance of the matter described in the preceding paragraph, we "
        "have not been able to obtain sufficient appropriate evidence to provide a basis for "
        "an opinion. Accordingly, we do not express an opinion on the description of {org}'s "
        "{system} {period}.",
    ),
}


def _auditor_report(doc: Doc, s: SocSpec) -> None:
    doc.page().heading("Section 1 — Independent Service Auditor's Report")
    doc.para(f"To the Management of {s.org}:").heading("Scope").para(_scope_paragraph(s))
    if s.subservice is not None:
        doc.para(_subservice_paragraph(s))
    if s.cuecs:
        doc.para(
            f"The description indicates that {s.cuec_wording} that are suitably designed"
            " and operating effectively are necessary, along with controls at "
            f"{s.org}, to achieve the service commitments."
        )
    if s.other_information:
        doc.para(
            f'The information included in Section 5, "Other Information Provided by {s.org}," '
            "is presented by management to provide additional information and is not a part "
            "of the description. Accordingly, we do not express an opinion on it."
        )
    heading, text = OPINIONS[s.opinion]
    if s.opinion == "qualified":
        doc.heading("Basis for Qualified Opinion").para(
            "Controls over the review of privileged access did not operate effectively "
            "during the period."
        )
    fields = {"org": s.org, "system": s.system, "period": s.period()}
    doc.heading(heading).para(text.format(**fields))
    signature = [s.signature_prefix + s.auditor, s.city]
    if s.issued is not None:
        signature.append(s.date_style(s.issued))
    doc.lines(*signature)


def _assertion(doc: Doc, s: SocSpec) -> None:
    doc.page().heading(f"Section 2 — Management of {s.org}'s Assertion")
    doc.para(
        f"We have prepared the accompanying description of {s.org}'s {s.system} {s.period()}. "
        "We confirm, to the best of our knowledge and belief, that the description presents "
        "the system fairly and that the controls were suitably designed."
    )
    doc.lines(f"{s.org}", "Jordan Patel, Chief Executive Officer")


def _description(doc: Doc, s: SocSpec) -> None:
    doc.page().heading(f"Section 3 — {s.org}'s Description of Its {s.system}")
    doc.para(
        f"{s.org} provides a multi-tenant platform for data analytics to customers in North "
        "America and Europe. The platform is operated from two cloud regions."
    )
    if s.distractors:
        doc.para(
            f"{s.org} also holds an ISO/IEC 27001:2022 certificate for its headquarters. All "
            "employees, except for short-term contractors, complete security training within "
            "30 days of hire. A SOC 1 report is not provided for this system."
        )
    if s.subservice is not None:
        name, abbr, _ = s.subservice
        doc.heading("Subservice Organizations").para(
            f"{abbr} ({name}) hosts the production environment. Complementary subservice "
            f"organization controls are expected to be implemented at {abbr}."
        )
    if s.cuecs:
        doc.heading(s.cuec_heading()).lines(
            "1. User entities are responsible for managing their users' access.",
            "2. User entities are responsible for reporting security incidents promptly.",
        )


TESTS = (
    ("CC6.1", "Inspected the access provisioning tickets for a sample of new hires."),
    ("CC6.2", "Inspected the quarterly access review for a sample of quarters."),
    ("CC6.3", "Inspected termination tickets for a sample of leavers."),
    ("CC7.2", "Inspected the monitoring configuration and a sample of alerts."),
    ("CC8.1", "Inspected a sample of production changes for approval."),
    ("A1.2", "Inspected the backup configuration and restore tests."),
)


def _tests(doc: Doc, s: SocSpec) -> None:
    doc.page().heading("Section 4 — Trust Services Criteria, Controls and Tests of Controls")
    for (ref, test), ok in zip(TESTS, s.results, strict=False):
        result = (
            "No exceptions noted."
            if ok
            else "Exception noted. For 1 of 25 samples, the ticket was not approved."
        )
        doc.lines(f"{ref}  {test}", f"Result: {result}")


def soc_report(spec: SocSpec) -> Sample:
    """The PDF of a SOC report and the values it states."""
    doc = Doc()
    _title_page(doc, spec)
    _auditor_report(doc, spec)
    _assertion(doc, spec)
    _description(doc, spec)
    if spec.type2 and spec.kind != "soc3_report":
        _tests(doc, spec)
    return Sample(name=spec.name, pdf=doc.bytes(), kind=spec.kind, truth=spec.truth())


# --- ISO/IEC 27001 certificates ------------------------------------------------------------------


@dataclass(frozen=True)
class IsoSpec:
    """Everything that varies between certificates."""

    name: str
    org: str = "Acme Cloud Ltd"
    edition: str = "2022"
    edition_text: str = "ISO/IEC 27001:2022"
    number_label: str = "Certificate No:"
    number: str = "IS 765432"
    body: str = "BSI Assurance UK Ltd"
    body_line: str = "Issued by: {body}"
    accreditation: str | None = "UKAS"
    accreditation_line: str = "{acc} MANAGEMENT SYSTEMS 0003"
    issued: date = date(2026, 1, 10)
    issued_label: str = "Date of issue:"
    expires: date = date(2029, 1, 9)
    expires_label: str = "Valid until:"
    initial: date | None = date(2020, 1, 10)
    initial_label: str = "Original certification date:"
    date_style: object = uk
    scope: str = (
        "The information security management system supporting the design, development and "
        "operation of the Acme Cloud analytics platform"
    )
    scope_label: str = ""  # the scope follows "for the following scope:" directly

    def truth(self) -> dict:
        truth = {
            "kind": "iso27001_certificate",
            "standard_version": self.edition,
            "certificate_number": self.number,
            "certification_body": self.body,
            "issued_on": self.issued,
            "expires_on": self.expires,
            "scope": self.scope,
        }
        if self.accreditation:
            truth["accreditation_body"] = self.accreditation
        if self.initial:
            truth["initial_certification_on"] = self.initial
        return truth


def iso_certificate(spec: IsoSpec) -> Sample:
    """The PDF of a certificate and the values it states."""
    fmt = spec.date_style
    doc = Doc().page().title("CERTIFICATE OF REGISTRATION", 20)
    doc.para(f"This is to certify that {spec.org}, 1 Harbour Street, London, United Kingdom")
    doc.para(f"operates an Information Security Management System which complies with the "
             f"requirements of {spec.edition_text} for the following scope:")  # fmt: skip
    doc.para(f"{spec.scope_label} {spec.scope}.".strip())
    lines = [f"{spec.number_label} {spec.number}"]
    if spec.initial is not None:
        lines.append(f"{spec.initial_label} {fmt(spec.initial)}")
    lines += [
        f"{spec.issued_label} {fmt(spec.issued)}",
        f"{spec.expires_label} {fmt(spec.expires)}",
    ]
    doc.lines(*lines)
    doc.lines(spec.body_line.format(body=spec.body))
    if spec.accreditation:
        doc.lines(spec.accreditation_line.format(acc=spec.accreditation))
    doc.para(
        "This certificate remains the property of the certification body and shall be returned "
        "on request. Validity may be verified on the certification body's register."
    )
    return Sample(name=spec.name, pdf=doc.bytes(), kind="iso27001_certificate", truth=spec.truth())


def image_only() -> Sample:
    """A scanned certificate: the page is a picture, there is no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(["CERTIFICATE", "ISO/IEC 27001:2022", "Valid until 9 Jan 2029"]):
        draw.text((120, 150 + 60 * row), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=pdf.w)
    return Sample(name="image_only", pdf=bytes(pdf.output()), kind=None, truth={}, text_found=False)


# --- the named wordings the issue lists ---------------------------------------------------


def named() -> dict[str, Sample]:
    """One sample per wording the issue names."""
    base = SocSpec(name="")
    specs = {
        "soc2_type2_unqualified_us_dates": base,
        "soc2_type_2_uk_dates_en_dash": replace(
            base,
            type_label="Type 2",
            date_style=uk,
            separator="–",
            auditor="Brightwater Assurance LLP",
            city="London, United Kingdom",
            issued=date(2026, 2, 20),
            tsc=("security",),
            results=(True,) * 6,
            subservice=("Google LLC", "Google", "inclusive"),
        ),  # fmt: skip
        "soc2_qualified_except_for": replace(base, opinion="qualified"),
        "soc2_adverse": replace(base, opinion="adverse", cuecs=False),
        "soc2_disclaimer": replace(base, opinion="disclaimer", issued=date(2026, 4, 2)),
        "soc1_type2": replace(
            base,
            kind="soc1_report",
            type_label="Type 2",
            start=date(2025, 4, 1),
            end=date(2026, 3, 31),
            separator="through",
            issued=date(2026, 5, 8),
            auditor="Kestrel & Pike CPAs",
            subservice=None,
        ),  # fmt: skip
        "soc3": replace(
            base,
            kind="soc3_report",
            type_label=None,
            tsc=("security", "availability"),
            other_information=False,
            cuecs=False,
            subservice=None,
        ),  # fmt: skip
        "soc2_type1_as_of": replace(
            base,
            type_label="Type I",
            start=None,
            end=date(2026, 3, 31),
            issued=date(2026, 4, 30),
            auditor="Schellman & Company, LLC",
        ),  # fmt: skip
    }
    samples = {name: soc_report(replace(spec, name=name)) for name, spec in specs.items()}
    samples.update(_named_certificates())
    samples["image_only"] = image_only()
    return samples


def _named_certificates() -> dict[str, Sample]:
    specs = {
        "iso_2022_valid_until": IsoSpec(name="iso_2022_valid_until"),
        "iso_2013_expiry_date": IsoSpec(
            name="iso_2013_expiry_date",
            edition="2013",
            edition_text="ISO/IEC 27001:2013",
            number_label="Certificate Number:",
            number="2019-SKM-AE-0045",
            body="DNV Business Assurance USA, Inc.",
            body_line="Certification body: {body}",
            accreditation="ANAB",
            accreditation_line="Accredited by: {acc}",
            issued=date(2022, 11, 1),
            issued_label="Issue date:",
            expires=date(2025, 10, 31),
            expires_label="Expiry date:",
            initial=None,
            date_style=iso,
        ),  # fmt: skip
        "iso_certificate_expires": IsoSpec(
            name="iso_certificate_expires",
            number_label="Registration number:",
            number="C-22871",
            body="Schellman Compliance, LLC",
            body_line="Certified by {body}",
            accreditation="ANAB",
            accreditation_line="{acc} accredited certification body",
            issued=date(2024, 3, 4),
            issued_label="Effective date:",
            expires=date(2027, 3, 3),
            expires_label="Certificate expires:",
            initial=date(2021, 3, 4),
            initial_label="Initial certification:",
            date_style=us,
        ),  # fmt: skip
    }
    return {name: iso_certificate(spec) for name, spec in specs.items()}


# --- varied samples for the benchmark -----------------------------------------------------

AUDITORS = (
    "Hale & Moss LLP", "Brightwater Assurance LLP", "Kestrel & Pike CPAs",
    "Schellman & Company, LLC", "Marlow Reed P.C.", "Okafor Lindqvist PLLC",
    "Prescient Assurance",  # no LLP/LLC/CPAs after the name: the reader is expected to miss it
)  # fmt: skip
ORGS = ("Acme Cloud, Inc.", "Northwind Payments Ltd", "Globex Data LLC", "Initech Hosting, Inc.")
STYLES = (us, uk, iso, short, abbreviated)
CERT_BODIES = ("BSI Assurance UK Ltd", "DNV Business Assurance", "Bureau Veritas Certification")


def _random_soc(rng: random.Random, n: int) -> Sample:
    kind = rng.choice(("soc2_report", "soc2_report", "soc2_report", "soc1_report", "soc3_report"))
    type_label = None if kind == "soc3_report" else rng.choice(("Type II", "Type 2", "Type I"))
    year, month = rng.choice((2024, 2025)), rng.choice((3, 6, 9, 12))
    end = date(year, month, 31 if month in (3, 12) else 30)
    start = date(year - 1, month, end.day) + timedelta(days=1) if type_label != "Type I" else None
    spec = SocSpec(
        name=f"varied_soc_{n}", kind=kind, org=rng.choice(ORGS), type_label=type_label,
        start=start, end=end, date_style=rng.choice(STYLES),
        separator=rng.choice(("to", "through", "–")), opinion=rng.choice(tuple(OPINIONS)),
        auditor=rng.choice(AUDITORS), issued=date(end.year + 1, 2, rng.randint(1, 28)),
        tsc=tuple(rng.sample(("availability", "confidentiality", "privacy"), rng.randint(0, 2)))
        + ("security",), results=tuple(rng.random() > 0.15 for _ in TESTS),
        subservice=rng.choice((None, ("Amazon Web Services, Inc.", "AWS", "carve_out"),
                               ("Microsoft Azure", "Azure", "inclusive"))),
        cuecs=rng.random() > 0.3, other_information=rng.random() > 0.5,
        distractors=rng.random() > 0.3, twelve_months_ended=rng.random() < 0.1,
        cuec_wording=rng.choice(("complementary user entity controls",) * 3
                                + ("user entity responsibilities",)),
        signature_prefix=rng.choice(("", "", "/s/ ")),
    )  # fmt: skip
    return soc_report(spec)


def _random_iso(rng: random.Random, n: int) -> Sample:
    edition = rng.choice(("2013", "2022"))
    issued = date(rng.choice((2023, 2024, 2025)), rng.randint(1, 12), rng.randint(1, 28))
    acc = rng.choice(("UKAS", "ANAB", "DAkkS", None))
    spec = IsoSpec(
        name=f"varied_iso_{n}", edition=edition, edition_text=f"ISO/IEC 27001:{edition}",
        number_label=rng.choice(("Certificate No:", "Certificate number:", "Registration No.")),
        number=f"{rng.choice(('IS', 'ISMS', 'C'))} {rng.randint(10000, 999999)}",
        body=rng.choice(CERT_BODIES), accreditation=acc,
        body_line=rng.choice(("Issued by: {body}", "Certification body: {body}")),
        issued=issued, expires=date(issued.year + 3, issued.month, issued.day),
        issued_label=rng.choice(("Date of issue:", "Issue date:", "Effective date:")),
        expires_label=rng.choice(("Valid until:", "Expiry date:", "Certificate expires:")),
        date_style=rng.choice((uk, us, iso, short, dotted, slashed_uk)),
    )  # fmt: skip
    return iso_certificate(spec)


def varied(count: int = 40, seed: int = 2026) -> list[Sample]:
    """`count` reports and certificates with randomly drawn wordings (reproducible)."""
    rng = random.Random(seed)
    return [
        _random_soc(rng, n) if rng.random() < 0.65 else _random_iso(rng, n) for n in range(count)
    ]


@dataclass
class Score:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def same(field_name: str, proposed, expected) -> bool:
    """Whether a proposed value equals the true one (lists of criteria compare as sets)."""
    if field_name == "tsc":
        return sorted(proposed) == sorted(expected)
    return proposed == expected


def score(samples: list[Sample], read) -> dict[str, Score]:
    """Precision and recall per field of `read(pdf) -> Extraction` over `samples`."""
    scores: dict[str, Score] = {}
    for sample in samples:
        proposals = read(sample.pdf).fields
        for name in set(sample.truth) | set(proposals):
            s = scores.setdefault(name, Score())
            expected, proposal = sample.truth.get(name), proposals.get(name)
            if (
                proposal is not None
                and expected is not None
                and same(name, proposal.value, expected)
            ):
                s.tp += 1
                continue
            s.fp += proposal is not None
            s.fn += expected is not None
            s.misses.append((sample.name, expected, proposal.value if proposal else None))
    return scores
