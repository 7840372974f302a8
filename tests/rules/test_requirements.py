"""Requirement rules × evidence on file, and which document the requirement rests on."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from rules.builders import case, iso, soc, soc2

from app.rules.engine import evaluate
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


SOC1 = soc("soc1_report", 11)
SOC3 = soc("soc3_report", 13, report_type=None)
ISO = iso(id=20)
TYPE1 = soc2(id=31, report_type="type1", period_start=None, period_end=D("2026-02-28"))
TYPE2 = soc2(id=32)
STALE = soc2(id=33, period_start=D("2024-04-01"), period_end=D("2025-03-31"))
ADVERSE = soc2(id=34, opinion="adverse")
NEWER_TYPE1 = soc2(id=35, report_type="type1", period_start=None, period_end=D("2026-04-10"))

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
    "iso+type1": (ISO, TYPE1),
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
# v2: a Type I is accepted where any SOC 2 will do, at medium (ask when the Type II follows);
# under the either-or requirement only while the report is what the requirement rests on.
TYPE1_ACCEPTED = {
    "type1": [("SOC2_TYPE1_ONLY", "medium", 31)],
    "soc3+type1": [("SOC2_TYPE1_ONLY", "medium", 31)],
    "type2, then a newer type1": [("SOC2_TYPE1_ONLY", "medium", 35)],
}
EXPECTED = {
    "soc2_type2": {
        **FOR_SOC2,
        "type1": [("SOC2_TYPE1_ONLY", "high", 31)],
        "soc3+type1": [("SOC2_TYPE1_ONLY", "high", 31)],
        "type2, then a newer type1": [("SOC2_TYPE1_ONLY", "high", 35)],
        "iso+type1": [("SOC2_TYPE1_ONLY", "high", 31)],
    },
    "soc2": {**FOR_SOC2, **TYPE1_ACCEPTED, "iso+type1": [("SOC2_TYPE1_ONLY", "medium", 31)]},
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
    # "iso+type1": both hold and give the same status, so the certificate, lasting longer
    # (2028-03-31 against 2027-02-28), is relied on and the Type I is not flagged.
    "soc2_or_iso27001": {
        "nothing": [EM],
        **{k: SUBST[k] for k in ("soc1", "soc3", "soc1+soc3")},
        **TYPE1_ACCEPTED,
    },
    "none": {},
}


def _params():
    for requirement, expected in EXPECTED.items():
        for label, evidence in ON_FILE.items():
            flags = expected.get(label, [])
            yield pytest.param(requirement, evidence, flags, id=f"{requirement} / {label}")


@pytest.mark.parametrize(("requirement", "evidence", "expected"), list(_params()))
def test_requirement_flags(requirement: str, evidence: tuple, expected: list) -> None:
    flags = evaluate(
        case(*evidence, tier="critical", requirement=requirement), POLICY, as_of=AS_OF
    ).flags
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
    result = evaluate(case(tier=tier), POLICY, as_of=AS_OF)
    assert result.requirement == requirement


def test_vendor_requirement_overrides_its_tier() -> None:
    result = evaluate(case(tier="low", requirement="iso27001"), POLICY, as_of=AS_OF)
    assert (result.requirement, result.status) == ("iso27001", "blocked")


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="tier"):
        evaluate(case(tier="gold"), POLICY, as_of=AS_OF)


# --- relied on: flags about a document the requirement does not rest on are info, except
# findings (v2): they keep their severity while their document is current -------------------


def flags_of(*evidence, tier: str = "medium", as_of: date = AS_OF, **vendor) -> set:
    result = evaluate(case(*evidence, tier=tier, **vendor), POLICY, as_of=as_of)
    return {(f.code, f.severity) for f in result.flags}


def status_of(*evidence, tier: str = "medium", as_of: date = AS_OF, **vendor) -> str:
    result = evaluate(case(*evidence, tier=tier, **vendor), POLICY, as_of=as_of)
    return result.status


EXPIRED_ISO = iso(id=20, issued_on=D("2022-04-01"), expires_on=D("2025-03-31"))
QUALIFIED = soc2(id=40, opinion="qualified")  # current until 2027-03-31
DISCLAIMER = soc2(id=34, opinion="disclaimer")
OVERDUE = dict(issued_on=D("2024-04-01"), last_surveillance_on=D("2025-03-01"))
STALE_DAY = D("2027-04-01")  # the first day the 2026-03-31 reports are no longer current


def test_soc2_type2_requirement_shows_iso_flags_as_info() -> None:
    # v2: the first edition showed this with a suspended certificate; a suspension is now a
    # finding that keeps its severity (next test), so the volunteered certificate's gap here is
    # its accreditation mark, which changes nothing.
    unaccredited = iso(id=20, accreditation_body="UKIAF")
    assert flags_of(unaccredited, tier="high") == {
        ("ISO_IN_PLACE_OF_SOC2", "block"),
        ("ISO_UNACCREDITED", "info"),
    }
    assert flags_of(unaccredited, TYPE2, tier="high") == {("ISO_UNACCREDITED", "info")}
    assert status_of(unaccredited, TYPE2, tier="high") == "approved"


def test_a_suspended_certificate_not_relied_on_blocks_until_its_expiry() -> None:
    # v2 (first edition: info): ISO_SUSPENDED is a finding while as_of <= effective expiry.
    suspended = iso(id=20, certificate_status="suspended", expires_on=D("2026-09-30"))
    last_day, day_after = D("2026-09-30"), D("2026-10-01")
    assert flags_of(suspended, TYPE2, tier="high", as_of=last_day) == {
        ("ISO_SUSPENDED", "block"),
        ("ISO_EXPIRING", "info"),
    }
    assert status_of(suspended, TYPE2, tier="high", as_of=last_day) == "blocked"
    assert flags_of(suspended, TYPE2, tier="high", as_of=day_after) == {
        ("ISO_SUSPENDED", "info"),
        ("ISO_EXPIRED", "info"),
    }
    assert status_of(suspended, TYPE2, tier="high", as_of=day_after) == "approved"


def test_iso_requirement_shows_soc2_flags_as_info_but_keeps_its_own_severity() -> None:
    # v2: a qualified opinion is a finding only where the requirement names SOC 2.
    assert flags_of(QUALIFIED, requirement="iso27001") == {
        ("SOC2_IN_PLACE_OF_ISO", "high"),
        ("SOC2_OPINION_QUALIFIED", "info"),
    }


@pytest.mark.parametrize(
    ("failed", "code"),
    [(ADVERSE, "SOC2_OPINION_ADVERSE"), (DISCLAIMER, "SOC2_OPINION_DISCLAIMER")],
    ids=["adverse", "disclaimer"],
)
def test_iso_requirement_a_failed_report_blocks_while_current(failed, code: str) -> None:
    # v2: adverse and disclaimer keep their severity whoever relies on the report, while it is
    # current; iso27001 does not name SOC 2, so no SOC2_REMEDIATION_UNPROVEN after.
    assert flags_of(failed, ISO, requirement="iso27001") == {(code, "block")}
    assert flags_of(failed, ISO, requirement="iso27001", as_of=STALE_DAY) == {
        (code, "info"),
        ("SOC2_STALE", "info"),
        ("ISO_SURVEILLANCE_OVERDUE", "medium"),  # last audit 2026-03-20
    }


def test_no_requirement_caps_findings_at_high_and_shows_the_rest_as_info() -> None:
    # v2 (first edition: everything info): where nothing is required a finding asks a
    # question (high) while its document is current, and never blocks.
    assert flags_of(ADVERSE, EXPIRED_ISO, tier="low") == {
        ("SOC2_OPINION_ADVERSE", "high"),
        ("ISO_EXPIRED", "info"),
    }
    assert status_of(ADVERSE, EXPIRED_ISO, tier="low") == "conditional"
    assert flags_of(ADVERSE, EXPIRED_ISO, tier="low", as_of=STALE_DAY) == {
        ("SOC2_OPINION_ADVERSE", "info"),
        ("SOC2_STALE", "info"),
        ("ISO_EXPIRED", "info"),
    }
    assert status_of(ADVERSE, EXPIRED_ISO, tier="low", as_of=STALE_DAY) == "approved"


def test_either_or_relies_on_the_acceptable_report_when_the_certificate_expired() -> None:
    assert flags_of(TYPE2, EXPIRED_ISO) == {("ISO_EXPIRED", "info")}
    assert status_of(TYPE2, EXPIRED_ISO) == "approved"


@pytest.mark.parametrize(
    ("failed", "code"),
    [(ADVERSE, "SOC2_OPINION_ADVERSE"), (DISCLAIMER, "SOC2_OPINION_DISCLAIMER")],
    ids=["adverse", "disclaimer"],
)
def test_either_or_a_failed_report_blocks_beside_a_valid_certificate(failed, code: str) -> None:
    # v2 (issue 13; first edition: approved, the opinion info): the valid certificate is
    # relied on, but a failed audit is a finding and blocks while the report is current ...
    assert flags_of(failed, ISO) == {(code, "block")}
    assert status_of(failed, ISO) == "blocked"
    # ... and once the report is stale the failure still counts: remediation is unproven.
    assert flags_of(failed, ISO, as_of=STALE_DAY) == {
        (code, "info"),
        ("SOC2_STALE", "info"),
        ("SOC2_REMEDIATION_UNPROVEN", "high"),
        ("ISO_SURVEILLANCE_OVERDUE", "medium"),  # the certificate is relied on
    }
    assert status_of(failed, ISO, as_of=STALE_DAY) == "conditional"


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
    # v2: the qualified opinion is a finding under soc2_or_iso27001, high whichever document
    # is relied on; so both choices give the same status (conditional) and the longer-lasting
    # one is relied on, as the surveillance flag's severity shows.
    certificate = iso(id=20, expires_on=D(expires_on), **OVERDUE)
    surveillance = "info" if report_relied else "medium"
    assert flags_of(QUALIFIED, certificate) == {
        ("SOC2_OPINION_QUALIFIED", "high"),
        ("ISO_SURVEILLANCE_OVERDUE", surveillance),
    }


def test_either_or_relies_on_the_better_status_before_the_longer_lasting() -> None:
    # v2: both hold; relying on the report (current until 2027-03-31) would make the vendor
    # conditional (a period under 3 months), relying on the certificate (ends first) approved.
    short = soc2(id=41, period_start=D("2026-01-02"))
    certificate = iso(id=20, expires_on=D("2026-12-31"))
    assert flags_of(short, certificate) == {("SOC2_PERIOD_TOO_SHORT", "info")}
    assert status_of(short, certificate) == "approved"
    # Once the certificate has expired only the report holds.
    assert flags_of(short, certificate, as_of=D("2027-01-01")) == {
        ("SOC2_PERIOD_TOO_SHORT", "high"),
        ("SOC2_GOING_STALE", "info"),
        ("ISO_EXPIRED", "info"),
    }


def test_either_or_switches_to_the_certificate_when_the_report_goes_stale() -> None:
    later = STALE_DAY
    assert flags_of(QUALIFIED, iso(id=20, **OVERDUE, expires_on=D("2027-03-30")), as_of=later) == {
        ("SOC2_STALE", "block"),
        ("SOC2_OPINION_QUALIFIED", "high"),
        ("ISO_EXPIRED", "block"),
    }
    # The certificate is relied on; the stale report's qualified opinion is no longer counted.
    assert flags_of(QUALIFIED, ISO, as_of=later) == {
        ("SOC2_STALE", "info"),
        ("SOC2_OPINION_QUALIFIED", "info"),
        ("ISO_SURVEILLANCE_OVERDUE", "medium"),  # last audit 2026-03-20
    }


# --- which documents count ---------------------------------------------------------------------


def test_superseded_documents_raise_no_flags() -> None:
    older = soc2(id=50, opinion="adverse", period_start=D("2024-04-01"), period_end=D("2025-03-31"))
    older_iso = iso(id=21, issued_on=D("2022-04-01"), expires_on=D("2025-03-31"))
    assert flags_of(older, TYPE2, older_iso, ISO, tier="high") == set()


def test_retracted_newest_report_falls_back_to_the_older_one() -> None:
    older = soc2(
        id=50, opinion="qualified", period_start=D("2024-10-01"), period_end=D("2025-09-30")
    )
    newest = soc2(id=51, retracted=True)
    assert flags_of(older, newest, tier="high") == {("SOC2_OPINION_QUALIFIED", "high")}


def test_evidence_received_after_as_of_does_not_count() -> None:
    late = soc2(id=52, received_on=D("2026-05-05"))
    assert flags_of(late, tier="high") == {("EVIDENCE_MISSING", "block")}


def test_ties_on_period_end_go_to_the_later_received_then_the_higher_id() -> None:
    first = soc2(id=60, opinion="qualified", received_on=D("2026-04-20"))
    second = soc2(id=61, opinion="adverse", received_on=D("2026-04-10"))
    assert flags_of(first, second, tier="high") == {("SOC2_OPINION_QUALIFIED", "high")}
    third = soc2(id=62, opinion="disclaimer", received_on=D("2026-04-20"))
    assert flags_of(first, second, third, tier="high") == {("SOC2_OPINION_DISCLAIMER", "block")}


def test_substitution_flag_points_at_the_newest_of_its_kind() -> None:
    old_soc3 = soc("soc3_report", 70, period_end=D("2025-03-31"))
    flags = evaluate(case(SOC3, old_soc3), POLICY, as_of=AS_OF).flags
    assert [(f.code, f.evidence_id) for f in flags] == [("SOC3_IN_PLACE_OF_SOC2", 13)]


def test_a_newer_document_judged_out_of_scope_is_passed_over() -> None:
    # v2: a newer report or certificate on another product does not replace one that covers
    # what is bought, unless every one of its kind is judged out of scope.
    older = soc2(
        id=50, opinion="qualified", period_start=D("2024-10-01"), period_end=D("2025-09-30")
    )
    other_product = soc2(id=51, scope_covers_services="no")
    assert flags_of(older, other_product, tier="high") == {("SOC2_OPINION_QUALIFIED", "high")}
    assert flags_of(other_product, tier="high") == {("SCOPE_NOT_COVERED", "block")}
    older_certificate = iso(id=21, issued_on=D("2024-06-01"), expires_on=D("2027-05-31"))
    other_site = iso(id=22, scope_covers_services="no")
    assert flags_of(older_certificate, other_site, requirement="iso27001") == set()
    assert flags_of(other_site, requirement="iso27001") == {("SCOPE_NOT_COVERED", "block")}
