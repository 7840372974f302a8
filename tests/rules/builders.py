"""Facts for the rules tests: a clean document of each kind, changed by keyword.

The defaults are a file that raises nothing for a high-tier vendor on 2026-05-04: a SOC 2
Type II report for 2025-04-01..2026-03-31 (current until 2027-03-31) and a 2022-edition ISO
certificate for 2025-04-01..2028-03-31, each judged to cover what is bought. Dates may be
given as `date`s or as ISO strings.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from app.rules.facts import BridgeLetter, IsoCertificate, SocReport, VendorCase, VendorFacts, Waiver

D = date.fromisoformat


# Fields that hold a date, on any kind of fact.
DATE_FIELDS = frozenset(
    {
        "received_on",
        "period_start",
        "period_end",
        "issued_on",
        "expires_on",
        "last_surveillance_on",
        "initial_certification_on",
        "signed_on",
        "covers_until",
        "granted_on",
    }
)


def _dated(changes: dict) -> dict:
    """`changes` with the ISO strings of date fields turned into dates."""
    return {k: D(v) if k in DATE_FIELDS and isinstance(v, str) else v for k, v in changes.items()}


def soc2(**changes) -> SocReport:
    """A clean SOC 2 Type II, received 2026-04-15, by Harbor & Lane CPAs, covering
    Security and Availability."""
    report = SocReport(
        id=1,
        kind="soc2_report",
        received_on=D("2026-04-15"),
        period_end=D("2026-03-31"),
        opinion="unqualified",
        report_type="type2",
        period_start=D("2025-04-01"),
        auditor="Harbor & Lane CPAs",
        tsc=frozenset({"security", "availability"}),
        scope_covers_services="yes",
    )
    return replace(report, **_dated(changes))


def soc(kind: str, id: int, **changes) -> SocReport:
    """The same report as another kind (`soc1_report`, `soc3_report`) and id."""
    return soc2(kind=kind, id=id, **changes)


def iso(**changes) -> IsoCertificate:
    """A clean 2022-edition certificate CERT-<id> from LRQA under UKAS, received 2025-04-10,
    last audited 2026-03-20."""
    id = changes.get("id", 2)
    certificate = IsoCertificate(
        id=id,
        received_on=D("2025-04-10"),
        standard_version="2022",
        certificate_number=f"CERT-{id}",
        certification_body="LRQA",
        accreditation_body="UKAS",
        issued_on=D("2025-04-01"),
        expires_on=D("2028-03-31"),
        last_surveillance_on=D("2026-03-20"),
        scope_covers_services="yes",
    )
    return replace(certificate, **_dated(changes))


def bridge(
    signed: date | str = "2026-07-01", covers: date | str = "2026-09-30", **changes
) -> BridgeLetter:
    """A bridge letter for report 1, received the day it is signed."""
    signed_on = D(signed) if isinstance(signed, str) else signed
    letter = BridgeLetter(
        id=3,
        received_on=signed_on,
        soc2_report_id=1,
        covers_until=D(covers) if isinstance(covers, str) else covers,
        signed_on=signed_on,
    )
    return replace(letter, **_dated(changes))


def vendor(tier: str = "high", **changes) -> VendorFacts:
    """A vendor of `tier` with its tier's requirement."""
    return VendorFacts(tier=tier, **changes)


def waiver(code: str = "ISO_IN_PLACE_OF_SOC2", **changes) -> Waiver:
    """Waiver 7 of `code`, in force 2026-04-01..2026-09-30, for every flag with the code."""
    base = Waiver(id=7, code=code, granted_on=D("2026-04-01"), expires_on=D("2026-09-30"))
    return replace(base, **_dated(changes))


def case(*evidence, tier: str = "high", waivers=(), **vendor_changes) -> VendorCase:
    """A vendor of `tier` (and `vendor_changes`) with `evidence` and `waivers`."""
    return VendorCase(vendor(tier, **vendor_changes), tuple(evidence), tuple(waivers))
