"""The facts the rules read: plain frozen values, no database, no HTTP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

SOC_KINDS = ("soc1_report", "soc2_report", "soc3_report")
ISO_KIND = "iso27001_certificate"
BRIDGE_KIND = "bridge_letter"


@dataclass(frozen=True, slots=True)
class VendorFacts:
    tier: str
    requirement: str | None = None
    data_access: str | None = None
    required_tsc: tuple[str, ...] | None = None
    lifecycle: str | None = None  # onboarding | active | offboarding | archived (SPEC §12)


@dataclass(frozen=True, slots=True)
class SubserviceOrg:
    name: str
    method: str  # "carve_out" | "inclusive"


@dataclass(frozen=True, slots=True)
class SocReport:
    id: int
    kind: str  # "soc1_report" | "soc2_report" | "soc3_report"
    received_on: date
    period_end: date
    opinion: str
    report_type: str | None = None
    period_start: date | None = None
    auditor: str = ""
    issued_on: date | None = None
    tsc: frozenset[str] = frozenset({"security"})
    exceptions_noted: int = 0
    subservice_orgs: tuple[SubserviceOrg, ...] = ()
    cuecs: bool = False
    scope_covers_services: str | None = None  # yes | partly | no | None (not judged yet)
    retracted: bool = False


@dataclass(frozen=True, slots=True)
class IsoCertificate:
    id: int
    received_on: date
    standard_version: str
    certificate_number: str
    certification_body: str
    accreditation_body: str | None
    issued_on: date
    expires_on: date
    last_surveillance_on: date | None = None
    initial_certification_on: date | None = None
    certificate_status: str = "active"
    scope_covers_services: str | None = None  # yes | partly | no | None (not judged yet)
    retracted: bool = False

    @property
    def kind(self) -> str:
        return ISO_KIND


@dataclass(frozen=True, slots=True)
class BridgeLetter:
    id: int
    received_on: date
    soc2_report_id: int
    covers_until: date
    signed_on: date
    retracted: bool = False

    @property
    def kind(self) -> str:
        return BRIDGE_KIND


@dataclass(frozen=True, slots=True)
class Waiver:
    id: int
    code: str
    granted_on: date
    expires_on: date
    evidence_id: int | None = None  # the document accepted; None: every flag with the code
    revoked: bool = False


Evidence = SocReport | IsoCertificate | BridgeLetter


@dataclass(frozen=True, slots=True)
class VendorCase:
    vendor: VendorFacts
    evidence: tuple[Evidence, ...] = ()
    waivers: tuple[Waiver, ...] = ()


# --- building facts from plain JSON-like dicts (API bodies, the worked examples) ---


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _optional_date(value: Any) -> date | None:
    return None if value is None else _date(value)


def _received_on(data: Mapping[str, Any]) -> date:
    # An undated record has been on file for ever.
    return _optional_date(data.get("received_on")) or date.min


def _subservice_orgs(items: Sequence[Mapping[str, Any]] | None) -> tuple[SubserviceOrg, ...]:
    return tuple(SubserviceOrg(name=i["name"], method=i["method"]) for i in items or ())


def soc_report_from_dict(data: Mapping[str, Any]) -> SocReport:
    """A SOC 1/2/3 report from its API-shaped dict."""
    return SocReport(
        id=data["id"],
        kind=data["kind"],
        received_on=_received_on(data),
        period_end=_date(data["period_end"]),
        opinion=data["opinion"],
        report_type=data.get("report_type"),
        period_start=_optional_date(data.get("period_start")),
        auditor=data.get("auditor") or "",
        issued_on=_optional_date(data.get("issued_on")),
        tsc=frozenset(data.get("tsc") or ("security",)),
        exceptions_noted=data.get("exceptions_noted") or 0,
        subservice_orgs=_subservice_orgs(data.get("subservice_orgs")),
        cuecs=bool(data.get("cuecs")),
        scope_covers_services=data.get("scope_covers_services"),
        retracted=bool(data.get("retracted")),
    )


def iso_certificate_from_dict(data: Mapping[str, Any]) -> IsoCertificate:
    """An ISO/IEC 27001 certificate from its API-shaped dict."""
    return IsoCertificate(
        id=data["id"],
        received_on=_received_on(data),
        standard_version=str(data["standard_version"]),
        certificate_number=data.get("certificate_number") or "",
        certification_body=data.get("certification_body") or "",
        accreditation_body=data.get("accreditation_body"),
        issued_on=_date(data["issued_on"]),
        expires_on=_date(data["expires_on"]),
        last_surveillance_on=_optional_date(data.get("last_surveillance_on")),
        initial_certification_on=_optional_date(data.get("initial_certification_on")),
        certificate_status=data.get("certificate_status") or "active",
        scope_covers_services=data.get("scope_covers_services"),
        retracted=bool(data.get("retracted")),
    )


def bridge_letter_from_dict(data: Mapping[str, Any]) -> BridgeLetter:
    """A bridge letter from its API-shaped dict."""
    return BridgeLetter(
        id=data["id"],
        received_on=_received_on(data),
        soc2_report_id=data["soc2_report_id"],
        covers_until=_date(data["covers_until"]),
        signed_on=_date(data["signed_on"]),
        retracted=bool(data.get("retracted")),
    )


def evidence_from_dict(data: Mapping[str, Any]) -> Evidence:
    """One evidence record, dispatched on its `kind`."""
    kind = data.get("kind")
    if kind in SOC_KINDS:
        return soc_report_from_dict(data)
    if kind == ISO_KIND:
        return iso_certificate_from_dict(data)
    if kind == BRIDGE_KIND:
        return bridge_letter_from_dict(data)
    raise ValueError(f"unknown evidence kind: {kind!r}")


def waiver_from_dict(data: Mapping[str, Any]) -> Waiver:
    """A waiver (risk acceptance) from its API-shaped dict."""
    return Waiver(
        id=data["id"],
        code=data["code"],
        granted_on=_date(data["granted_on"]),
        expires_on=_date(data["expires_on"]),
        evidence_id=data.get("evidence_id"),
        revoked=bool(data.get("revoked")),
    )


def vendor_from_dict(data: Mapping[str, Any]) -> VendorFacts:
    """The vendor fields the rules read; other keys are ignored."""
    tsc = data.get("required_tsc")
    return VendorFacts(
        tier=data["tier"],
        requirement=data.get("requirement"),
        data_access=data.get("data_access"),
        required_tsc=None if tsc is None else tuple(tsc),
        lifecycle=data.get("lifecycle"),
    )


def case_from_dict(
    vendor: Mapping[str, Any],
    evidence: Sequence[Mapping[str, Any]],
    waivers: Sequence[Mapping[str, Any]],
) -> VendorCase:
    """A whole case from plain dicts shaped like the API bodies (ISO date strings)."""
    return VendorCase(
        vendor=vendor_from_dict(vendor),
        evidence=tuple(evidence_from_dict(e) for e in evidence),
        waivers=tuple(waiver_from_dict(w) for w in waivers),
    )
