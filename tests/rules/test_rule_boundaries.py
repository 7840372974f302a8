"""Every rule code at its boundary: the day before, the day of, the day after (SPEC §4).

Each row gives a case, a rule code, a day, and the severities of the flags with that code on
that day (empty: the rule does not fire).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.rules.catalog import RULES
from app.rules.engine import evaluate
from app.rules.facts import (
    BridgeLetter,
    IsoCertificate,
    SocReport,
    SubserviceOrg,
    VendorCase,
    VendorFacts,
    Waiver,
)
from app.rules.policy import Policy

D = date.fromisoformat
POLICY = Policy.default()


def soc2(**changes) -> SocReport:
    """A clean Type II for 2025-04-01..2026-03-31: current until 2027-03-31."""
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
    )
    return replace(report, **changes)


def soc(kind: str, id: int, **changes) -> SocReport:
    return soc2(id=id, kind=kind, **changes)


def iso(**changes) -> IsoCertificate:
    """A clean 2022 certificate, 2025-04-01..2028-03-31, audited 2026-03-20."""
    certificate = IsoCertificate(
        id=2,
        received_on=D("2025-04-10"),
        standard_version="2022",
        certificate_number="CERT-2",
        certification_body="LRQA",
        accreditation_body="UKAS",
        issued_on=D("2025-04-01"),
        expires_on=D("2028-03-31"),
        last_surveillance_on=D("2026-03-20"),
    )
    return replace(certificate, **changes)


def bridge(signed: str, covers: str, *, id: int = 3, report_id: int = 1) -> BridgeLetter:
    return BridgeLetter(
        id=id,
        received_on=D(signed),
        soc2_report_id=report_id,
        covers_until=D(covers),
        signed_on=D(signed),
    )


def case(*evidence, tier: str = "high", waivers=(), **vendor) -> VendorCase:
    return VendorCase(VendorFacts(tier=tier, **vendor), tuple(evidence), tuple(waivers))


def days_before(day: str, n: int) -> date:
    return D(day) - timedelta(days=n)


def row(label: str, a_case: VendorCase, code: str, day: date | str, *severities: str):
    day = D(day) if isinstance(day, str) else day
    return pytest.param(a_case, code, day, severities, id=f"{code}: {label}")


ISO_ONLY_MEDIUM = case(iso(), tier="medium")
ISO_2013 = case(iso(standard_version="2013", expires_on=D("2027-01-31")), tier="medium")
CRITICAL = case(soc2(), tier="critical")
CRITICAL_BRIDGED = case(soc2(), bridge("2026-07-01", "2026-09-30"), tier="critical")
INVALID_BRIDGE = case(soc2(), bridge("2026-07-01", "2026-10-02"), tier="critical")
EDGE_BRIDGE = case(soc2(), bridge("2026-07-01", "2026-10-01"), tier="critical")
WANTS_ISO = case(soc2(), tier="medium", requirement="iso27001")
SURVEILLED = case(iso(last_surveillance_on=D("2025-02-10")), tier="medium")
NEVER_SURVEILLED = case(iso(last_surveillance_on=None), tier="medium")
TOO_LONG = case(iso(expires_on=D("2028-04-02")), tier="medium")
JUST_36 = case(iso(expires_on=D("2028-04-01")), tier="medium")

REQUIREMENT_ROWS = [
    row("nothing on file", case(), "EVIDENCE_MISSING", "2026-05-04", "block"),
    row("day before the report arrives", case(soc2()), "EVIDENCE_MISSING", "2026-04-14", "block"),
    row("day the report arrives", case(soc2()), "EVIDENCE_MISSING", "2026-04-15"),
    row("retracted report", case(soc2(retracted=True)), "EVIDENCE_MISSING", "2026-05-04", "block"),
    row("iso27001, SOC 2 last current day", WANTS_ISO, "EVIDENCE_MISSING", "2027-03-31"),
    row("iso27001, SOC 2 stale", WANTS_ISO, "EVIDENCE_MISSING", "2027-04-01", "block"),
    row("day before the ISO arrives", case(iso()), "ISO_IN_PLACE_OF_SOC2", "2025-04-09"),
    row("day the ISO arrives", case(iso()), "ISO_IN_PLACE_OF_SOC2", "2025-04-10", "block"),
    row("ISO and SOC 2", case(iso(), soc2()), "ISO_IN_PLACE_OF_SOC2", "2026-05-04"),
    row("day before SOC 3", case(soc("soc3_report", 5)), "SOC3_IN_PLACE_OF_SOC2", "2026-04-14"),
    row(
        "day of SOC 3", case(soc("soc3_report", 5)), "SOC3_IN_PLACE_OF_SOC2", "2026-04-15", "block"
    ),
    row("day before SOC 1", case(soc("soc1_report", 6)), "SOC1_IN_PLACE_OF_SOC2", "2026-04-14"),
    row(
        "day of SOC 1", case(soc("soc1_report", 6)), "SOC1_IN_PLACE_OF_SOC2", "2026-04-15", "block"
    ),
    row("last current day", WANTS_ISO, "SOC2_IN_PLACE_OF_ISO", "2027-03-31", "high"),
    row("stale", WANTS_ISO, "SOC2_IN_PLACE_OF_ISO", "2027-04-01"),
    row(
        "adverse is not acceptable",
        case(soc2(opinion="adverse"), tier="medium", requirement="iso27001"),
        "SOC2_IN_PLACE_OF_ISO",
        "2026-05-04",
    ),
    row(
        "Type I",
        case(soc2(report_type="type1", period_start=None)),
        "SOC2_TYPE1_ONLY",
        "2026-05-04",
        "high",
    ),
    row("Type II", case(soc2()), "SOC2_TYPE1_ONLY", "2026-05-04"),
    row(
        "Type I under soc2",
        case(soc2(report_type="type1", period_start=None), requirement="soc2"),
        "SOC2_TYPE1_ONLY",
        "2026-05-04",
    ),
]

CURRENCY_END = "2027-03-31"
BRIDGED_TO_15 = case(soc2(), bridge("2027-04-01", "2027-06-30"))
BRIDGED_PAST_15 = case(soc2(), bridge("2027-05-20", "2027-07-15"))

SOC2_ROWS = [
    row("day before currency end", case(soc2()), "SOC2_STALE", "2027-03-30"),
    row("on currency end", case(soc2()), "SOC2_STALE", CURRENCY_END),
    row("day after currency end", case(soc2()), "SOC2_STALE", "2027-04-01", "block"),
    row("bridged to 15 months, last day", BRIDGED_TO_15, "SOC2_STALE", "2027-06-30"),
    row("bridged to 15 months, day after", BRIDGED_TO_15, "SOC2_STALE", "2027-07-01", "block"),
    row("bridged past 15 months, capped", BRIDGED_PAST_15, "SOC2_STALE", "2027-07-01", "block"),
    row("bridged past 15 months, last day", BRIDGED_PAST_15, "SOC2_STALE", "2027-06-30"),
    row("91 days left", case(soc2()), "SOC2_GOING_STALE", days_before(CURRENCY_END, 91)),
    row("90 days left", case(soc2()), "SOC2_GOING_STALE", days_before(CURRENCY_END, 90), "info"),
    row("31 days left", case(soc2()), "SOC2_GOING_STALE", days_before(CURRENCY_END, 31), "info"),
    row("30 days left", case(soc2()), "SOC2_GOING_STALE", days_before(CURRENCY_END, 30), "medium"),
    row("0 days left", case(soc2()), "SOC2_GOING_STALE", CURRENCY_END, "medium"),
    row("stale", case(soc2()), "SOC2_GOING_STALE", "2027-04-01"),
    row("bridged, 0 days left", BRIDGED_TO_15, "SOC2_GOING_STALE", "2027-06-30", "medium"),
    row("bridged, 31 days left", BRIDGED_TO_15, "SOC2_GOING_STALE", "2027-05-30", "info"),
    row("unqualified", case(soc2()), "SOC2_OPINION_QUALIFIED", "2026-05-04"),
    row(
        "qualified", case(soc2(opinion="qualified")), "SOC2_OPINION_QUALIFIED", "2026-05-04", "high"
    ),
    row("adverse", case(soc2(opinion="adverse")), "SOC2_OPINION_ADVERSE", "2026-05-04", "block"),
    row(
        "stale and adverse",
        case(soc2(opinion="adverse")),
        "SOC2_OPINION_ADVERSE",
        "2027-04-01",
        "block",
    ),
    row("qualified", case(soc2(opinion="qualified")), "SOC2_OPINION_ADVERSE", "2026-05-04"),
    row(
        "disclaimer",
        case(soc2(opinion="disclaimer")),
        "SOC2_OPINION_DISCLAIMER",
        "2026-05-04",
        "block",
    ),
    row("unqualified", case(soc2()), "SOC2_OPINION_DISCLAIMER", "2026-05-04"),
    row(
        "exactly 6 months",
        case(soc2(period_start=D("2025-10-01"))),
        "SOC2_PERIOD_TOO_SHORT",
        "2026-05-04",
    ),
    row(
        "6 months less a day",
        case(soc2(period_start=D("2025-10-02"))),
        "SOC2_PERIOD_TOO_SHORT",
        "2026-05-04",
        "medium",
    ),
    row(
        "exactly 3 months",
        case(soc2(period_start=D("2026-01-01"))),
        "SOC2_PERIOD_TOO_SHORT",
        "2026-05-04",
        "medium",
    ),
    row(
        "3 months less a day",
        case(soc2(period_start=D("2026-01-02"))),
        "SOC2_PERIOD_TOO_SHORT",
        "2026-05-04",
        "high",
    ),
    row(
        "Type I has no period",
        case(soc2(report_type="type1", period_start=None), requirement="soc2"),
        "SOC2_PERIOD_TOO_SHORT",
        "2026-05-04",
    ),
    row(
        "high tier, security covered",
        case(soc2(tsc=frozenset({"security"}))),
        "SOC2_TSC_MISSING",
        "2026-05-04",
    ),
    row(
        "critical tier needs availability",
        case(soc2(tsc=frozenset({"security"})), tier="critical"),
        "SOC2_TSC_MISSING",
        "2026-05-04",
        "high",
    ),
    row(
        "confidential data needs confidentiality",
        case(soc2(), data_access="confidential"),
        "SOC2_TSC_MISSING",
        "2026-05-04",
        "high",
    ),
    row(
        "internal data does not",
        case(soc2(), data_access="internal"),
        "SOC2_TSC_MISSING",
        "2026-05-04",
    ),
    row(
        "empty own list keeps the default",
        case(soc2(tsc=frozenset({"security"})), tier="critical", required_tsc=()),
        "SOC2_TSC_MISSING",
        "2026-05-04",
        "high",
    ),
    row(
        "own list replaces confidentiality too",
        case(soc2(), data_access="personal", required_tsc=("security",)),
        "SOC2_TSC_MISSING",
        "2026-05-04",
    ),
    row("no exceptions", case(soc2()), "SOC2_EXCEPTIONS_NOTED", "2026-05-04"),
    row(
        "one exception",
        case(soc2(exceptions_noted=1)),
        "SOC2_EXCEPTIONS_NOTED",
        "2026-05-04",
        "medium",
    ),
    row("no CUECs", case(soc2()), "SOC2_CUECS", "2026-05-04"),
    row("CUECs", case(soc2(cuecs=True)), "SOC2_CUECS", "2026-05-04", "info"),
    row(
        "inclusive subservice org",
        case(soc2(subservice_orgs=(SubserviceOrg("AWS", "inclusive"),))),
        "SOC2_SUBSERVICE_CARVED_OUT",
        "2026-05-04",
    ),
    row(
        "one flag per carved-out org",
        case(
            soc2(
                subservice_orgs=(
                    SubserviceOrg("AWS", "carve_out"),
                    SubserviceOrg("Stripe", "inclusive"),
                    SubserviceOrg("Google Cloud", "carve_out"),
                )
            )
        ),
        "SOC2_SUBSERVICE_CARVED_OUT",
        "2026-05-04",
        "info",
        "info",
    ),
]

BRIDGE_ROWS = [
    row("critical, on add_months(E, 3)", CRITICAL, "SOC2_BRIDGE_LETTER_NEEDED", "2026-06-30"),
    row("critical, day after", CRITICAL, "SOC2_BRIDGE_LETTER_NEEDED", "2026-07-01", "medium"),
    row(
        "critical, last current day", CRITICAL, "SOC2_BRIDGE_LETTER_NEEDED", CURRENCY_END, "medium"
    ),
    row("critical, stale", CRITICAL, "SOC2_BRIDGE_LETTER_NEEDED", "2027-04-01"),
    row("high tier", case(soc2()), "SOC2_BRIDGE_LETTER_NEEDED", "2026-07-01"),
    row(
        "critical tier, even under iso27001",
        case(soc2(), tier="critical", requirement="iso27001"),
        "SOC2_BRIDGE_LETTER_NEEDED",
        "2026-07-01",
        "info",
    ),
    row("letter covers today", CRITICAL_BRIDGED, "SOC2_BRIDGE_LETTER_NEEDED", "2026-09-30"),
    row("letter ran out", CRITICAL_BRIDGED, "SOC2_BRIDGE_LETTER_NEEDED", "2026-10-01", "medium"),
    row(
        "invalid letter covers nothing",
        INVALID_BRIDGE,
        "SOC2_BRIDGE_LETTER_NEEDED",
        "2026-08-15",
        "medium",
    ),
    row("letter at the limit covers", EDGE_BRIDGE, "SOC2_BRIDGE_LETTER_NEEDED", "2026-10-01"),
    row(
        "letter at the limit ran out",
        EDGE_BRIDGE,
        "SOC2_BRIDGE_LETTER_NEEDED",
        "2026-10-02",
        "medium",
    ),
    row("covers_until == signed + 3 months", EDGE_BRIDGE, "BRIDGE_LETTER_INVALID", "2026-08-15"),
    row("one day more", INVALID_BRIDGE, "BRIDGE_LETTER_INVALID", "2026-08-15", "medium"),
    row("day before it arrives", INVALID_BRIDGE, "BRIDGE_LETTER_INVALID", "2026-06-30"),
    row(
        "letter for a superseded report",
        case(
            soc2(id=4, period_start=D("2024-04-01"), period_end=D("2025-03-31")),
            soc2(),
            bridge("2026-07-01", "2026-10-02", report_id=4),
            tier="critical",
        ),
        "BRIDGE_LETTER_INVALID",
        "2026-08-15",
    ),
    row(
        "follows a report not relied on",
        case(soc2(), bridge("2026-07-01", "2026-10-02"), tier="low"),
        "BRIDGE_LETTER_INVALID",
        "2026-08-15",
        "info",
    ),
]

ISO_EXPIRES = "2028-03-31"
EXPIRED_2013_BEFORE_SUNSET = case(
    iso(standard_version="2013", issued_on=D("2022-07-01"), expires_on=D("2025-06-30")),
    tier="medium",
)

ISO_ROWS = [
    row("on expires_on", ISO_ONLY_MEDIUM, "ISO_EXPIRED", ISO_EXPIRES),
    row("day after", ISO_ONLY_MEDIUM, "ISO_EXPIRED", "2028-04-01", "block"),
    row("2013 edition past expiry and sunset", ISO_2013, "ISO_EXPIRED", "2027-02-01"),
    row(
        "2013 edition expired before sunset",
        EXPIRED_2013_BEFORE_SUNSET,
        "ISO_EXPIRED",
        "2025-07-01",
        "block",
    ),
    row("... then after the sunset", EXPIRED_2013_BEFORE_SUNSET, "ISO_EXPIRED", "2025-11-01"),
    row("on the sunset", ISO_2013, "ISO_2013_VERSION", "2025-10-31"),
    row("day after the sunset", ISO_2013, "ISO_2013_VERSION", "2025-11-01", "block"),
    row("after its own expiry", ISO_2013, "ISO_2013_VERSION", "2027-02-01", "block"),
    row(
        "expired before sunset",
        EXPIRED_2013_BEFORE_SUNSET,
        "ISO_2013_VERSION",
        "2025-11-01",
        "block",
    ),
    row("2022 edition", ISO_ONLY_MEDIUM, "ISO_2013_VERSION", "2025-11-01"),
    row("91 days left", ISO_ONLY_MEDIUM, "ISO_EXPIRING", days_before(ISO_EXPIRES, 91)),
    row("90 days left", ISO_ONLY_MEDIUM, "ISO_EXPIRING", days_before(ISO_EXPIRES, 90), "info"),
    row("31 days left", ISO_ONLY_MEDIUM, "ISO_EXPIRING", days_before(ISO_EXPIRES, 31), "info"),
    row("30 days left", ISO_ONLY_MEDIUM, "ISO_EXPIRING", days_before(ISO_EXPIRES, 30), "medium"),
    row("0 days left", ISO_ONLY_MEDIUM, "ISO_EXPIRING", ISO_EXPIRES, "medium"),
    row("expired", ISO_ONLY_MEDIUM, "ISO_EXPIRING", "2028-04-01"),
    row("2013 edition, 0 days to the sunset", ISO_2013, "ISO_EXPIRING", "2025-10-31", "medium"),
    row("2013 edition, 91 days to the sunset", ISO_2013, "ISO_EXPIRING", "2025-08-01"),
    row("UKAS", ISO_ONLY_MEDIUM, "ISO_UNACCREDITED", "2026-05-04"),
    row(
        "Norsk akkreditering",
        case(iso(accreditation_body="Norsk akkreditering"), tier="medium"),
        "ISO_UNACCREDITED",
        "2026-05-04",
    ),
    row(
        "no mark",
        case(iso(accreditation_body=None), tier="medium"),
        "ISO_UNACCREDITED",
        "2026-05-04",
        "block",
    ),
    row(
        "N/A",
        case(iso(accreditation_body="N/A"), tier="medium"),
        "ISO_UNACCREDITED",
        "2026-05-04",
        "block",
    ),
    row(
        "UKIAF",
        case(iso(accreditation_body="UKIAF"), tier="medium"),
        "ISO_UNACCREDITED",
        "2026-05-04",
        "block",
    ),
    row("active", ISO_ONLY_MEDIUM, "ISO_SUSPENDED", "2026-05-04"),
    row(
        "suspended",
        case(iso(certificate_status="suspended"), tier="medium"),
        "ISO_SUSPENDED",
        "2026-05-04",
        "block",
    ),
    row("active", ISO_ONLY_MEDIUM, "ISO_WITHDRAWN", "2026-05-04"),
    row(
        "withdrawn",
        case(iso(certificate_status="withdrawn"), tier="medium"),
        "ISO_WITHDRAWN",
        "2026-05-04",
        "block",
    ),
    row("exactly 36 months", JUST_36, "ISO_VALIDITY_TOO_LONG", "2026-05-04"),
    row("36 months and a day", TOO_LONG, "ISO_VALIDITY_TOO_LONG", "2026-05-04", "medium"),
    row("12 months after the audit", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", "2026-02-10"),
    row("a day later", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", "2026-02-11", "medium"),
    row("on the expiry day", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", ISO_EXPIRES, "medium"),
    row("expired", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", "2028-04-01"),
    row(
        "no audit: 12 months after issue",
        NEVER_SURVEILLED,
        "ISO_SURVEILLANCE_OVERDUE",
        "2026-04-01",
    ),
    row(
        "no audit: a day later",
        NEVER_SURVEILLED,
        "ISO_SURVEILLANCE_OVERDUE",
        "2026-04-02",
        "medium",
    ),
]

ROWS = REQUIREMENT_ROWS + SOC2_ROWS + BRIDGE_ROWS + ISO_ROWS


@pytest.mark.parametrize(("a_case", "code", "day", "severities"), ROWS)
def test_rule_at_its_boundary(a_case: VendorCase, code: str, day: date, severities: tuple) -> None:
    flags = evaluate(a_case, POLICY, as_of=day).flags
    assert tuple(f.severity for f in flags if f.code == code) == severities


def test_every_rule_code_has_a_boundary_row() -> None:
    covered = {p.values[1] for p in ROWS if p.values[3]}
    assert covered == {r.code for r in RULES}


# --- waivers: in force from granted_on to expires_on, both included ---------------------------

WAIVER = Waiver(
    id=7, code="ISO_IN_PLACE_OF_SOC2", granted_on=D("2026-04-01"), expires_on=D("2026-09-30")
)


@pytest.mark.parametrize(
    ("day", "waived", "status"),
    [
        ("2026-03-31", False, "blocked"),
        ("2026-04-01", True, "approved"),
        ("2026-09-30", True, "approved"),
        ("2026-10-01", False, "blocked"),
    ],
)
def test_waiver_start_and_end_days(day: str, waived: bool, status: str) -> None:
    result = evaluate(case(iso(), waivers=[WAIVER]), POLICY, as_of=D(day))
    (flag,) = result.flags
    assert (flag.code, flag.severity, flag.waived) == ("ISO_IN_PLACE_OF_SOC2", "block", waived)
    assert flag.waiver_id == (7 if waived else None)
    assert result.status == status


def test_revoked_waiver_never_counts() -> None:
    revoked = replace(WAIVER, revoked=True)
    result = evaluate(case(iso(), waivers=[revoked]), POLICY, as_of=D("2026-05-04"))
    assert [(f.waived, f.waiver_id) for f in result.flags] == [(False, None)]
    assert result.status == "blocked"


def test_waiver_id_names_the_waiver_that_ends_last() -> None:
    waivers = [
        replace(WAIVER, id=1, expires_on=D("2026-12-31")),
        replace(WAIVER, id=2, expires_on=D("2026-08-31")),
        replace(WAIVER, id=3, expires_on=D("2026-12-31"), granted_on=D("2026-05-01")),
    ]
    result = evaluate(case(iso(), waivers=waivers), POLICY, as_of=D("2026-05-04"))
    assert [f.waiver_id for f in result.flags] == [3]
    result = evaluate(case(iso(), waivers=waivers), POLICY, as_of=D("2026-04-15"))
    assert [f.waiver_id for f in result.flags] == [1]


def test_waiver_covers_every_flag_with_its_code() -> None:
    orgs = (SubserviceOrg("AWS", "carve_out"), SubserviceOrg("GCP", "carve_out"))
    waiver = replace(WAIVER, code="SOC2_SUBSERVICE_CARVED_OUT")
    result = evaluate(
        case(soc2(subservice_orgs=orgs), waivers=[waiver]), POLICY, as_of=D("2026-05-04")
    )
    assert [(f.code, f.waived) for f in result.flags] == [("SOC2_SUBSERVICE_CARVED_OUT", True)] * 2


def test_waived_high_flag_no_longer_makes_the_vendor_conditional() -> None:
    waiver = replace(WAIVER, code="SOC2_OPINION_QUALIFIED")
    a_case = case(soc2(opinion="qualified"), waivers=[waiver])
    assert evaluate(a_case, POLICY, as_of=D("2026-05-04")).status == "approved"
    assert evaluate(a_case, POLICY, as_of=D("2026-10-01")).status == "conditional"
