"""How the flags' messages name documents and what is asked for, in plain words."""

from __future__ import annotations

from app.rules.facts import IsoCertificate, SocReport

KIND_LABELS = {"soc1_report": "SOC 1", "soc2_report": "SOC 2", "soc3_report": "SOC 3"}
TYPE_LABELS = {"type1": "Type I", "type2": "Type II"}
TSC_LABELS = {
    "security": "Security",
    "availability": "Availability",
    "processing_integrity": "Processing Integrity",
    "confidentiality": "Confidentiality",
    "privacy": "Privacy",
}
# What to ask the vendor for, by requirement.
WANTED = {
    "soc2_type2": "a SOC 2 Type II report",
    "soc2": "a SOC 2 report (Type II preferred)",
    "iso27001": "an ISO/IEC 27001 certificate",
    "soc2_or_iso27001": "a SOC 2 Type II report or an ISO/IEC 27001 certificate",
}


def describe_report(report: SocReport) -> str:
    """`the SOC 2 Type II report by X for 2025-04-01 to 2026-03-31`."""
    kind = KIND_LABELS.get(report.kind, report.kind)
    # A SOC 3 has no type (SPEC §2), whatever was recorded.
    kind_type = None if report.kind == "soc3_report" else TYPE_LABELS.get(report.report_type or "")
    label = f"{kind} {kind_type}" if kind_type else kind
    by = f" by {report.auditor}" if report.auditor else ""
    start, end = report.period_start, report.period_end.isoformat()
    period = f"for {start.isoformat()} to {end}" if start else f"as of {end}"
    return f"the {label} report{by} {period}"


def describe_certificate(certificate: IsoCertificate) -> str:
    """`the ISO/IEC 27001:2022 certificate CERT-1 from LRQA`."""
    number = f" {certificate.certificate_number}" if certificate.certificate_number else ""
    body = f" from {certificate.certification_body}" if certificate.certification_body else ""
    return f"the ISO/IEC 27001:{certificate.standard_version} certificate{number}{body}"


def describe(document: SocReport | IsoCertificate) -> str:
    """The report or the certificate, described."""
    if isinstance(document, IsoCertificate):
        return describe_certificate(document)
    return describe_report(document)


def about(document: SocReport | IsoCertificate, rest: str) -> str:
    """A sentence that starts with the document: `The SOC 2 Type II report by X … {rest}`."""
    text = describe(document)
    return f"{text[:1].upper()}{text[1:]} {rest}"
