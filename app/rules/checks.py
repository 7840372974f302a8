"""Every rule's check on one day (SPEC §4): which documents the requirement rests on, and how
the flags about the others are seen.

The checks are the rows' own (catalog.py). Each gives its findings at the severity SPEC gives
for a relied-on document; `findings` works out which documents the requirement rests on and
lowers the flags about the others.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from app.rules.catalog import (
    CERTIFICATE,
    FILE,
    NAMES_SOC2,
    RELIED_CERTIFICATE,
    RELIED_REPORT,
    REPORT,
    RULES,
    SOC2_REQUIREMENTS,
    Check,
    Finding,
)
from app.rules.snapshot import (
    Snapshot,
    certificate_unexpired,
    certificate_valid,
    report_acceptable,
    report_current,
)

__all__ = ["Finding", "findings", "relied_on", "status_before_waivers"]


def _checks_on(place: str) -> tuple[Check, ...]:
    """The checks of the rules read on `place`, each once, in the catalogue's order."""
    return tuple(dict.fromkeys(r.check for r in RULES if place in r.on))


FILE_CHECKS = _checks_on(FILE)
REPORT_CHECKS = _checks_on(REPORT)
CERTIFICATE_CHECKS = _checks_on(CERTIFICATE)
RELIED_REPORT_CHECKS = _checks_on(RELIED_REPORT)
RELIED_CERTIFICATE_CHECKS = _checks_on(RELIED_CERTIFICATE)
ARCHIVED = Finding("VENDOR_ARCHIVED", "block", None, MappingProxyType({}), False)


def _run(checks: tuple[Check, ...], s: Snapshot, document, day: date) -> list[Finding]:
    found: list[Finding] = []
    for check in checks:
        found += check(s, document, day)
    return found


def _unrelied_severity(f: Finding, s: Snapshot, day: date) -> str:
    """A finding keeps its severity while its document counts; any other flag is info."""
    code = f.code
    if code in ("SOC2_OPINION_ADVERSE", "SOC2_OPINION_DISCLAIMER"):
        return f.severity if report_current(s, day) else "info"
    if code == "SOC2_OPINION_QUALIFIED":
        named = s.requirement in NAMES_SOC2
        return f.severity if named and report_current(s, day) else "info"
    if code in ("ISO_SUSPENDED", "ISO_ISSUER_IS_ACCREDITOR"):
        return f.severity if certificate_unexpired(s, day) else "info"
    if code == "ISO_WITHDRAWN":  # not a finding: often the holder's request, so ask why
        return "high" if certificate_unexpired(s, day) else "info"
    return "info"


def _seen(f: Finding, s: Snapshot, day: date) -> Finding:
    """A finding about a document the requirement does not rest on, as it is seen."""
    severity = _unrelied_severity(f, s, day)
    if severity == "block" and s.requirement == "none":
        severity = "high"  # where nothing is required, a finding asks a question
    return f if severity == f.severity else Finding(f.code, severity, *f[2:])


def _unrelied(found: list[Finding], s: Snapshot, day: date) -> list[Finding]:
    return [_seen(f, s, day) for f in found] if found else found


class _Checked:
    """Every check of one snapshot run once on one day; `relying_on` puts their findings
    together for a choice of the documents the requirement rests on."""

    __slots__ = ("s", "day", "on_file", "on_report", "on_certificate")

    def __init__(self, s: Snapshot, day: date) -> None:
        self.s, self.day = s, day
        self.on_file = _run(FILE_CHECKS, s, None, day)
        self.on_report = _run(REPORT_CHECKS, s, s.report, day) if s.report else []
        c = s.certificate
        self.on_certificate = _run(CERTIFICATE_CHECKS, s, c, day) if c else []

    def relying_on(self, report: bool, certificate: bool) -> list[Finding]:
        s, day = self.s, self.day
        found = self.on_file + (self.on_report if report else _unrelied(self.on_report, s, day))
        if report and s.report is not None:
            found += _run(RELIED_REPORT_CHECKS, s, s.report, day)
        found += self.on_certificate if certificate else _unrelied(self.on_certificate, s, day)
        if certificate and s.certificate is not None:
            found += _run(RELIED_CERTIFICATE_CHECKS, s, s.certificate, day)
        return found


def status_before_waivers(found: list[Finding]) -> int:
    """0 approved, 1 conditional, 2 blocked."""
    severities = {f.severity for f in found}
    return 2 if "block" in severities else int("high" in severities)


def _either_or(checked: _Checked) -> tuple[bool, bool]:
    s, day = checked.s, checked.day
    report_ok, certificate_ok = report_acceptable(s, day), certificate_valid(s, day)
    if not (report_ok and certificate_ok):
        return (report_ok, certificate_ok) if report_ok or certificate_ok else (True, True)
    # Both hold: the one giving the better status, then the one that holds longer (R on a tie).
    on_report = status_before_waivers(checked.relying_on(True, False))
    on_certificate = status_before_waivers(checked.relying_on(False, True))
    if on_report != on_certificate:
        return on_report < on_certificate, on_certificate < on_report
    report_longer = s.currency_end >= s.effective_expiry
    return report_longer, not report_longer


def _relied_on(checked: _Checked) -> tuple[bool, bool]:
    requirement = checked.s.requirement
    if requirement in SOC2_REQUIREMENTS:
        return True, False
    if requirement == "iso27001":
        return False, True
    if requirement == "soc2_or_iso27001":
        return _either_or(checked)
    return False, False


def relied_on(s: Snapshot, day: date) -> tuple[bool, bool]:
    """Whether the requirement rests on (R, C) on `day` (SPEC §4 "Relied on")."""
    return _relied_on(_Checked(s, day))


def findings(s: Snapshot, day: date) -> list[Finding]:
    """Every finding on `day`, waivers not yet applied."""
    if s.vendor.lifecycle == "archived":
        return [ARCHIVED]
    checked = _Checked(s, day)
    return checked.relying_on(*_relied_on(checked))
