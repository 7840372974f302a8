"""Requirement rules × evidence on file, and which document the requirement rests on."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from app.rules.engine import evaluate
from app.rules.facts import IsoCertificate, SocReport, VendorCase, VendorFacts
from app.rules.policy import Policy

D = date.fromisoformat
POLICY = Policy.default()
AS_OF = D("2026-05-04")
REQUIREMENT_CODES = {
    "EVIDENCE_MISSING",
    "ISO_IN_PLACE_OF_SOC2",
    "SOC3_IN_PLACE_OF_SOC2",
    "SOC1_IN_PLACE_OF_SOC2",
    "SOC2_IN_PLACE_OF_ISO",
    "SOC2_TYPE1_ONLY",
}


def report(id: int, kind: str = "soc2_report", **changes) -> SocReport:
    base = SocReport(
        id=id,
        kind=kind,
        received_on=D("2026-04-15"),
        period_end=D("2026-03-31"),
        opinion="unqualified",
        report_type="type2",
        period_start=D("2025-04-01"),
        auditor="Harbor & Lane CPAs",
        tsc=frozenset({"security", "availability", "confidentiality"}),
    )
    return replace(base, **changes)


def certificate(id: int = 20, **changes) -> IsoCertificate:
    base = IsoCertificate(
        id=id,
        received_on=D("2025-04-10"),
        standard_version="2022",
        certificate_number=f"CERT-{id}",
        certification_body="LRQA",
        accreditation_body="UKAS",
        issued_on=D("2025-04-01"),
        expires_on=D("2028-03-31"),
        last_surveillance_on=D("2026-03-20"),
    )
    return replace(base, **changes)


SOC1 = report(11, "soc1_report")
SOC3 = report(13, "soc3_report", report_type=None)
ISO = certificate()
TYPE1 = report(31, report_type="type1", period_start=None, period_end=D("2026-02-28"))
TYPE2 = report(32)
STALE = report(33, period_start=D("2024-04-01"), period_end=D("2025-03-31"))
ADVERSE = report(34, opinion="adverse")
NEWER_TYPE1 = report(35, report_type="type1", period_start=None, period_end=D("2026-04-10"))

ON_FILE = {
    "nothing": (),
    "soc1": (SOC1,),
    "soc3": (SOC3,),
    "soc1+soc3": (SOC1, SOC3),
    "iso": (ISO,),
    "iso+soc1+soc3": (ISO, SOC1, SOC3),
    "type1": (TYPE1,),
    "type2": (TYPE2,),
    "iso+type2": (ISO, TYPE2),
    "soc3+type1": (SOC3, TYPE1),
    "type2, then a newer type1": (TYPE2, NEWER_TYPE1),
    "stale type2": (STALE,),
    "adverse type2": (ADVERSE,),
}

EM = ("EVIDENCE_MISSING", "block", None)
SUBST = {
    "iso": [("ISO_IN_PLACE_OF_SOC2", "block", 20)],
    "soc1": [("SOC1_IN_PLACE_OF_SOC2", "block", 11)],
    "soc3": [("SOC3_IN_PLACE_OF_SOC2", "block", 13)],
    "soc1+soc3": [("SOC1_IN_PLACE_OF_SOC2", "block", 11), ("SOC3_IN_PLACE_OF_SOC2", "block", 13)],
}
SUBST["iso+soc1+soc3"] = SUBST["iso"] + SUBST["soc1+soc3"]
FOR_SOC2 = {"nothing": [EM], **SUBST}
EXPECTED = {
    "soc2_type2": {
        **FOR_SOC2,
        "type1": [("SOC2_TYPE1_ONLY", "high", 31)],
        "soc3+type1": [("SOC2_TYPE1_ONLY", "high", 31)],
        "type2, then a newer type1": [("SOC2_TYPE1_ONLY", "high", 35)],
    },
    "soc2": FOR_SOC2,
    "iso27001": {
        "nothing": [EM],
        "soc1": [EM],
        "soc3": [EM],
        "soc1+soc3": [EM],
        "type1": [("SOC2_IN_PLACE_OF_ISO", "high", 31)],
        "type2": [("SOC2_IN_PLACE_OF_ISO", "high", 32)],
        "soc3+type1": [("SOC2_IN_PLACE_OF_ISO", "high", 31)],
        "type2, then a newer type1": [("SOC2_IN_PLACE_OF_ISO", "high", 35)],
        "stale type2": [EM],
        "adverse type2": [EM],
    },
    "soc2_or_iso27001": {"nothing": [EM], **{k: SUBST[k] for k in ("soc1", "soc3", "soc1+soc3")}},
    "none": {},
}


def _params():
    for requirement, expected in EXPECTED.items():
        for label, evidence in ON_FILE.items():
            flags = expected.get(label, [])
            yield pytest.param(requirement, evidence, flags, id=f"{requirement} / {label}")


@pytest.mark.parametrize(("requirement", "evidence", "expected"), list(_params()))
def test_requirement_flags(requirement: str, evidence: tuple, expected: list) -> None:
    vendor = VendorFacts(tier="critical", requirement=requirement)
    flags = evaluate(VendorCase(vendor, evidence), POLICY, as_of=AS_OF).flags
    got = [(f.code, f.severity, f.evidence_id) for f in flags if f.code in REQUIREMENT_CODES]
    assert Counter(got) == Counter(expected)


@pytest.mark.parametrize(
    ("tier", "requirement"),
    [
        ("critical", "soc2_type2"),
        ("high", "soc2_type2"),
        ("medium", "soc2_or_iso27001"),
        ("low", "none"),
    ],
)
def test_tier_requirement_by_default(tier: str, requirement: str) -> None:
    result = evaluate(VendorCase(VendorFacts(tier=tier)), POLICY, as_of=AS_OF)
    assert result.requirement == requirement


def test_vendor_requirement_overrides_its_tier() -> None:
    vendor = VendorFacts(tier="low", requirement="iso27001")
    result = evaluate(VendorCase(vendor), POLICY, as_of=AS_OF)
    assert (result.requirement, result.status) == ("iso27001", "blocked")


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="tier"):
        evaluate(VendorCase(VendorFacts(tier="gold")), POLICY, as_of=AS_OF)


# --- relied on: flags about a document the requirement does not rest on are info -------------


def flags_of(*evidence, tier: str = "medium", as_of: date = AS_OF, **vendor) -> set:
    result = evaluate(VendorCase(VendorFacts(tier=tier, **vendor), evidence), POLICY, as_of=as_of)
    return {(f.code, f.severity) for f in result.flags}


def status_of(*evidence, tier: str = "medium", as_of: date = AS_OF, **vendor) -> str:
    result = evaluate(VendorCase(VendorFacts(tier=tier, **vendor), evidence), POLICY, as_of=as_of)
    return result.status


EXPIRED_ISO = certificate(issued_on=D("2022-04-01"), expires_on=D("2025-03-31"))
QUALIFIED = report(40, opinion="qualified")  # current until 2027-03-31
OVERDUE = dict(issued_on=D("2024-04-01"), last_surveillance_on=D("2025-03-01"))


def test_soc2_type2_requirement_shows_iso_flags_as_info() -> None:
    suspended = certificate(certificate_status="suspended")
    assert flags_of(suspended, tier="high") == {
        ("ISO_IN_PLACE_OF_SOC2", "block"),
        ("ISO_SUSPENDED", "info"),
    }
    assert flags_of(suspended, TYPE2, tier="high") == {("ISO_SUSPENDED", "info")}
    assert status_of(suspended, TYPE2, tier="high") == "approved"


def test_iso_requirement_shows_soc2_flags_as_info_but_keeps_its_own_severity() -> None:
    assert flags_of(QUALIFIED, requirement="iso27001") == {
        ("SOC2_IN_PLACE_OF_ISO", "high"),
        ("SOC2_OPINION_QUALIFIED", "info"),
    }


def test_no_requirement_shows_everything_as_info() -> None:
    assert flags_of(ADVERSE, EXPIRED_ISO, tier="low") == {
        ("SOC2_OPINION_ADVERSE", "info"),
        ("ISO_EXPIRED", "info"),
    }
    assert status_of(ADVERSE, EXPIRED_ISO, tier="low") == "approved"


def test_either_or_relies_on_the_acceptable_report_when_the_certificate_expired() -> None:
    assert flags_of(TYPE2, EXPIRED_ISO) == {("ISO_EXPIRED", "info")}
    assert status_of(TYPE2, EXPIRED_ISO) == "approved"


def test_either_or_relies_on_the_valid_certificate_when_the_report_is_adverse() -> None:
    assert flags_of(ADVERSE, ISO) == {("SOC2_OPINION_ADVERSE", "info")}
    assert status_of(ADVERSE, ISO) == "approved"


def test_either_or_relies_on_both_when_neither_holds() -> None:
    assert flags_of(STALE, EXPIRED_ISO) == {("SOC2_STALE", "block"), ("ISO_EXPIRED", "block")}


@pytest.mark.parametrize(
    ("expires_on", "report_relied"),
    [("2027-03-30", True), ("2027-03-31", True), ("2027-04-01", False)],
    ids=["certificate ends first", "tie goes to the report", "report ends first"],
)
def test_either_or_relies_on_the_one_that_holds_longer(
    expires_on: str, report_relied: bool
) -> None:
    iso = certificate(expires_on=D(expires_on), **OVERDUE)
    high, medium = ("high", "info") if report_relied else ("info", "medium")
    assert flags_of(QUALIFIED, iso) == {
        ("SOC2_OPINION_QUALIFIED", high),
        ("ISO_SURVEILLANCE_OVERDUE", medium),
    }


def test_either_or_switches_to_the_certificate_when_the_report_goes_stale() -> None:
    later = D("2027-04-01")
    assert flags_of(QUALIFIED, certificate(**OVERDUE, expires_on=D("2027-03-30")), as_of=later) == {
        ("SOC2_STALE", "block"),
        ("SOC2_OPINION_QUALIFIED", "high"),
        ("ISO_EXPIRED", "block"),
    }
    assert flags_of(QUALIFIED, ISO, as_of=later) == {
        ("SOC2_STALE", "info"),
        ("SOC2_OPINION_QUALIFIED", "info"),
        ("ISO_SURVEILLANCE_OVERDUE", "medium"),  # last audit 2026-03-20
    }


# --- which documents count ---------------------------------------------------------------------


def test_superseded_documents_raise_no_flags() -> None:
    older = report(50, opinion="adverse", period_start=D("2024-04-01"), period_end=D("2025-03-31"))
    older_iso = certificate(21, issued_on=D("2022-04-01"), expires_on=D("2025-03-31"))
    assert flags_of(older, TYPE2, older_iso, ISO, tier="high") == set()


def test_retracted_newest_report_falls_back_to_the_older_one() -> None:
    older = report(
        50, opinion="qualified", period_start=D("2024-10-01"), period_end=D("2025-09-30")
    )
    newest = report(51, retracted=True)
    assert flags_of(older, newest, tier="high") == {("SOC2_OPINION_QUALIFIED", "high")}


def test_evidence_received_after_as_of_does_not_count() -> None:
    late = report(52, received_on=D("2026-05-05"))
    assert flags_of(late, tier="high") == {("EVIDENCE_MISSING", "block")}


def test_ties_on_period_end_go_to_the_later_received_then_the_higher_id() -> None:
    first = report(60, opinion="qualified", received_on=D("2026-04-20"))
    second = report(61, opinion="adverse", received_on=D("2026-04-10"))
    assert flags_of(first, second, tier="high") == {("SOC2_OPINION_QUALIFIED", "high")}
    third = report(62, opinion="disclaimer", received_on=D("2026-04-20"))
    assert flags_of(first, second, third, tier="high") == {("SOC2_OPINION_DISCLAIMER", "block")}


def test_substitution_flag_points_at_the_newest_of_its_kind() -> None:
    old_soc3 = report(70, "soc3_report", period_end=D("2025-03-31"))
    vendor = VendorFacts(tier="high")
    flags = evaluate(VendorCase(vendor, (SOC3, old_soc3)), POLICY, as_of=AS_OF).flags
    assert [(f.code, f.evidence_id) for f in flags] == [("SOC3_IN_PLACE_OF_SOC2", 13)]
