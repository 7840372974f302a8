"""Every rule code at its boundary: the day before, the day of, the day after (SPEC §4).

Each row gives a case, a rule code, a day, and the severities of the flags with that code on
that day (empty: the rule does not fire).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from types import MappingProxyType

import pytest
from rules.builders import bridge, case, iso, soc, soc2, waiver

from app.rules.catalog import RULES
from app.rules.engine import evaluate
from app.rules.facts import SubserviceOrg, VendorCase
from app.rules.policy import Policy

D = date.fromisoformat
POLICY = Policy.default()


def days_before(day: str, n: int) -> date:
    return D(day) - timedelta(days=n)


def row(
    label: str,
    a_case: VendorCase,
    code: str,
    day: date | str,
    *severities: str,
    policy: Policy = POLICY,
):
    day = D(day) if isinstance(day, str) else day
    return pytest.param(a_case, code, day, severities, policy, id=f"{code}: {label}")


ISO_ONLY_MEDIUM = case(iso(), tier="medium")
ISO_2013 = case(iso(standard_version="2013", expires_on=D("2027-01-31")), tier="medium")
CRITICAL = case(soc2(), tier="critical")
CRITICAL_BRIDGED = case(soc2(), bridge("2026-07-01", "2026-09-30"), tier="critical")
INVALID_BRIDGE = case(soc2(), bridge("2026-07-01", "2026-10-02"), tier="critical")
EDGE_BRIDGE = case(soc2(), bridge("2026-07-01", "2026-10-01"), tier="critical")
WANTS_ISO = case(soc2(), tier="medium", requirement="iso27001")
SURVEILLED = case(iso(last_surveillance_on=D("2025-08-10")), tier="medium")
# v2: the last audit is the later of the surveillance audit and the (re-)issue.
REISSUED = case(iso(last_surveillance_on=D("2025-02-10")), tier="medium")
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
    # v2 (first edition: nothing): a Type I is accepted where any SOC 2 will do, at medium.
    row(
        "Type I under soc2",
        case(soc2(report_type="type1", period_start=None), requirement="soc2"),
        "SOC2_TYPE1_ONLY",
        "2026-05-04",
        "medium",
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
    # v2 (first edition: an over-claiming letter covers nothing): it is flagged, and still
    # vouches up to add_months(signed_on, 3) = 2026-10-01.
    row(
        "over-claiming letter covers to signed + 3 months",
        INVALID_BRIDGE,
        "SOC2_BRIDGE_LETTER_NEEDED",
        "2026-10-01",
    ),
    row(
        "over-claiming letter, the day after signed + 3 months",
        INVALID_BRIDGE,
        "SOC2_BRIDGE_LETTER_NEEDED",
        "2026-10-02",
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
            bridge("2026-07-01", "2026-10-02", soc2_report_id=4),
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
    row("12 months after the audit", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", "2026-08-10"),
    row("a day later", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", "2026-08-11", "medium"),
    row(
        "24 months after the audit", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", "2027-08-10", "medium"
    ),
    row("past 24 months: high (v2)", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", "2027-08-11", "high"),
    row("on the expiry day", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", ISO_EXPIRES, "high"),
    row("expired", SURVEILLED, "ISO_SURVEILLANCE_OVERDUE", "2028-04-01"),
    row(
        "past 24 months, certificate not relied on",
        case(soc2(), iso(last_surveillance_on=D("2025-08-10"))),
        "ISO_SURVEILLANCE_OVERDUE",
        "2027-08-11",
        "info",
    ),
    # v2 (first edition: overdue from 2026-02-11): a surveillance audit before the issue date
    # is older than the re-issue, which is the last audit.
    row("audit before the re-issue", REISSUED, "ISO_SURVEILLANCE_OVERDUE", "2026-02-11"),
    row("12 months after the re-issue", REISSUED, "ISO_SURVEILLANCE_OVERDUE", "2026-04-01"),
    row("a day later", REISSUED, "ISO_SURVEILLANCE_OVERDUE", "2026-04-02", "medium"),
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
    row(
        "no audit: 24 months after issue",
        NEVER_SURVEILLED,
        "ISO_SURVEILLANCE_OVERDUE",
        "2027-04-01",
        "medium",
    ),
    row(
        "no audit: a day later, high",
        NEVER_SURVEILLED,
        "ISO_SURVEILLANCE_OVERDUE",
        "2027-04-02",
        "high",
    ),
]

# --- v2 (SPEC §3–§5 second edition) ----------------------------------------------------------

TYPE1 = dict(report_type="type1", period_start=None)
ADVERSE = soc2(opinion="adverse")
DISCLAIMER = soc2(opinion="disclaimer")
QUALIFIED = soc2(opinion="qualified")
LAST_CURRENT, FIRST_STALE = "2027-03-31", "2027-04-01"  # of a report ending 2026-03-31
# A certificate ending 2026-12-31, while soc2() is still current (until 2027-03-31).
SHORT_ISO = dict(expires_on=D("2026-12-31"))
OVERCLAIMING_LATE_LETTER = case(soc2(), bridge("2027-03-01", "2027-06-30"))  # covers to 06-01

SOC2_V2_ROWS = [
    # v2: an over-claiming letter still carries the report up to add_months(signed_on, 3).
    row(
        "over-claiming letter carries to signed + 3 months",
        OVERCLAIMING_LATE_LETTER,
        "SOC2_STALE",
        "2027-06-01",
    ),
    row(
        "over-claiming letter, the day after signed + 3 months",
        OVERCLAIMING_LATE_LETTER,
        "SOC2_STALE",
        "2027-06-02",
        "block",
    ),
    row(
        "critical: medium (subservice_report_tiers)",
        case(soc2(subservice_orgs=(SubserviceOrg("AWS", "carve_out"),)), tier="critical"),
        "SOC2_SUBSERVICE_CARVED_OUT",
        "2026-05-04",
        "medium",
    ),
    row(
        "under soc2, day before the Type I arrives",
        case(soc2(**TYPE1), requirement="soc2"),
        "SOC2_TYPE1_ONLY",
        "2026-04-14",
    ),
    row(
        "soc2_or_iso27001, the Type I is relied on",
        case(soc2(**TYPE1), tier="medium"),
        "SOC2_TYPE1_ONLY",
        "2026-05-04",
        "medium",
    ),
    row(
        "soc2_or_iso27001, the certificate is relied on (lasts longer)",
        case(soc2(**TYPE1), iso(), tier="medium"),
        "SOC2_TYPE1_ONLY",
        "2026-05-04",
    ),
    # Relying on the Type I would make the vendor conditional (Confidentiality missing), on the
    # certificate approved: the certificate is relied on until it expires.
    row(
        "soc2_or_iso27001, the certificate's last day",
        case(soc2(**TYPE1), iso(**SHORT_ISO), tier="medium", data_access="confidential"),
        "SOC2_TYPE1_ONLY",
        "2026-12-31",
    ),
    row(
        "soc2_or_iso27001, the certificate expired: the Type I is relied on",
        case(soc2(**TYPE1), iso(**SHORT_ISO), tier="medium", data_access="confidential"),
        "SOC2_TYPE1_ONLY",
        "2027-01-01",
        "medium",
    ),
]

R_NO = case(soc2(scope_covers_services="no"))
R_PARTLY = case(soc2(scope_covers_services="partly"))
C_NO = case(iso(scope_covers_services="no"), tier="medium")
C_PARTLY = case(iso(scope_covers_services="partly"), tier="medium")
OLDER_IN_SCOPE = soc2(
    id=4, period_start=D("2024-10-01"), period_end=D("2025-09-30"), received_on=D("2025-10-15")
)

SCOPE_ROWS = [
    row("R judged no, day before it arrives", R_NO, "SCOPE_NOT_COVERED", "2026-04-14"),
    row("R judged no, day it arrives", R_NO, "SCOPE_NOT_COVERED", "2026-04-15", "block"),
    row("R judged partly, day before", R_PARTLY, "SCOPE_NOT_COVERED", "2026-04-14"),
    row("R judged partly, day it arrives", R_PARTLY, "SCOPE_NOT_COVERED", "2026-04-15", "high"),
    row("R judged no, and stale", R_NO, "SCOPE_NOT_COVERED", FIRST_STALE, "block"),
    row("C judged no, day before it arrives", C_NO, "SCOPE_NOT_COVERED", "2025-04-09"),
    row("C judged no, day it arrives", C_NO, "SCOPE_NOT_COVERED", "2025-04-10", "block"),
    row("C judged partly, day before", C_PARTLY, "SCOPE_NOT_COVERED", "2025-04-09"),
    row("C judged partly, day it arrives", C_PARTLY, "SCOPE_NOT_COVERED", "2025-04-10", "high"),
    row("R judged yes", case(soc2()), "SCOPE_NOT_COVERED", "2026-05-04"),
    row(
        "newer report judged no is passed over",
        case(OLDER_IN_SCOPE, soc2(scope_covers_services="no")),
        "SCOPE_NOT_COVERED",
        "2026-04-15",
    ),
    row(
        "R judged no under iso27001: not relied on",
        case(soc2(scope_covers_services="no"), iso(), tier="medium", requirement="iso27001"),
        "SCOPE_NOT_COVERED",
        "2026-05-04",
        "info",
    ),
    row(
        "either-or: R judged no does not hold, C is relied on",
        case(soc2(scope_covers_services="no"), iso(), tier="medium"),
        "SCOPE_NOT_COVERED",
        "2026-05-04",
        "info",
    ),
    row(
        "C judged partly beside R under soc2_type2: not relied on",
        case(soc2(), iso(scope_covers_services="partly")),
        "SCOPE_NOT_COVERED",
        "2026-05-04",
        "info",
    ),
    row(
        "critical, day before the report arrives",
        case(soc2(scope_covers_services=None), tier="critical"),
        "SCOPE_UNCONFIRMED",
        "2026-04-14",
    ),
    row(
        "critical: high (scope_required_tiers)",
        case(soc2(scope_covers_services=None), tier="critical"),
        "SCOPE_UNCONFIRMED",
        "2026-04-15",
        "high",
    ),
    row(
        "high: medium (scope_confirmation_tiers)",
        case(soc2(scope_covers_services=None)),
        "SCOPE_UNCONFIRMED",
        "2026-04-15",
        "medium",
    ),
    row(
        "medium: info",
        case(soc2(scope_covers_services=None), tier="medium"),
        "SCOPE_UNCONFIRMED",
        "2026-04-15",
        "info",
    ),
    row(
        "low, its own requirement soc2: info",
        case(soc2(scope_covers_services=None), tier="low", requirement="soc2"),
        "SCOPE_UNCONFIRMED",
        "2026-04-15",
        "info",
    ),
    row(
        "low, nothing required: nothing relied on",
        case(soc2(scope_covers_services=None), tier="low"),
        "SCOPE_UNCONFIRMED",
        "2026-04-15",
    ),
    row(
        "judged partly is judged",
        case(soc2(scope_covers_services="partly"), tier="critical"),
        "SCOPE_UNCONFIRMED",
        "2026-04-15",
    ),
    row(
        "C relied on under iso27001, day before it arrives",
        case(iso(scope_covers_services=None), requirement="iso27001"),
        "SCOPE_UNCONFIRMED",
        "2025-04-09",
    ),
    row(
        "C relied on under iso27001, high tier",
        case(iso(scope_covers_services=None), requirement="iso27001"),
        "SCOPE_UNCONFIRMED",
        "2025-04-10",
        "medium",
    ),
    row(
        "C beside R under soc2_type2: not relied on",
        case(soc2(), iso(scope_covers_services=None), tier="critical"),
        "SCOPE_UNCONFIRMED",
        "2026-05-04",
    ),
    row(
        "R beside C under iso27001: not relied on",
        case(soc2(scope_covers_services=None), iso(), tier="critical", requirement="iso27001"),
        "SCOPE_UNCONFIRMED",
        "2026-05-04",
    ),
    # Critical, either-or: relying on the unjudged report would make it conditional, on the
    # judged certificate approved; once the certificate has expired the report is relied on.
    row(
        "either-or, the certificate's last day",
        case(
            soc2(scope_covers_services=None),
            iso(**SHORT_ISO),
            tier="critical",
            requirement="soc2_or_iso27001",
        ),
        "SCOPE_UNCONFIRMED",
        "2026-12-31",
    ),
    row(
        "either-or, the certificate expired",
        case(
            soc2(scope_covers_services=None),
            iso(**SHORT_ISO),
            tier="critical",
            requirement="soc2_or_iso27001",
        ),
        "SCOPE_UNCONFIRMED",
        "2027-01-01",
        "high",
    ),
]

BY_UKAS = case(iso(certification_body="UKAS"), tier="medium")
BY_UKAS_BESIDE_R = case(soc2(), iso(certification_body="UKAS", **SHORT_ISO))
BY_UKAS_2013 = case(
    iso(certification_body="UKAS", standard_version="2013", expires_on=D("2027-01-31"))
)

ISSUER_ROWS = [
    row("day before it arrives", BY_UKAS, "ISO_ISSUER_IS_ACCREDITOR", "2025-04-09"),
    row("issued by UKAS", BY_UKAS, "ISO_ISSUER_IS_ACCREDITOR", "2025-04-10", "block"),
    row(
        "issued by BSI (UKAS): a certification body with its mark",
        case(iso(certification_body="BSI (UKAS)"), tier="medium"),
        "ISO_ISSUER_IS_ACCREDITOR",
        "2026-05-04",
    ),
    row(
        "issued by the United Kingdom Accreditation Service",
        case(iso(certification_body="United Kingdom Accreditation Service"), tier="medium"),
        "ISO_ISSUER_IS_ACCREDITOR",
        "2026-05-04",
        "block",
    ),
    row("relied on, after expiry", BY_UKAS, "ISO_ISSUER_IS_ACCREDITOR", "2028-04-01", "block"),
    row(
        "not relied on, last day",
        BY_UKAS_BESIDE_R,
        "ISO_ISSUER_IS_ACCREDITOR",
        "2026-12-31",
        "block",
    ),
    row(
        "not relied on, day after expiry",
        BY_UKAS_BESIDE_R,
        "ISO_ISSUER_IS_ACCREDITOR",
        "2027-01-01",
        "info",
    ),
    row(
        "not relied on, 2013 edition on the sunset",
        BY_UKAS_2013,
        "ISO_ISSUER_IS_ACCREDITOR",
        "2025-10-31",
        "block",
    ),
    row(
        "not relied on, 2013 edition after the sunset",
        BY_UKAS_2013,
        "ISO_ISSUER_IS_ACCREDITOR",
        "2025-11-01",
        "info",
    ),
    row(
        "nothing required: at most high",
        case(iso(certification_body="UKAS"), tier="low"),
        "ISO_ISSUER_IS_ACCREDITOR",
        ISO_EXPIRES,
        "high",
    ),
    row(
        "nothing required, expired",
        case(iso(certification_body="UKAS"), tier="low"),
        "ISO_ISSUER_IS_ACCREDITOR",
        "2028-04-01",
        "info",
    ),
]

REMEDIATION_DEADLINE = "2028-03-31"  # add_months(2026-03-31, 24)
ADVERSE_THEN_TYPE1 = case(
    ADVERSE, soc2(id=4, **TYPE1, period_end=D("2026-06-30"), received_on=D("2026-07-10"))
)
NEWER_TYPE2 = dict(
    id=5, period_start=D("2026-04-01"), period_end=D("2027-03-31"), received_on=D("2027-04-20")
)

REMEDIATION_ROWS = [
    row("T is R, last current day", case(ADVERSE), "SOC2_REMEDIATION_UNPROVEN", LAST_CURRENT),
    row(
        "T is R, the day after",
        case(ADVERSE),
        "SOC2_REMEDIATION_UNPROVEN",
        FIRST_STALE,
        "high",
    ),
    row(
        "T is R, 24 months after its period",
        case(ADVERSE),
        "SOC2_REMEDIATION_UNPROVEN",
        REMEDIATION_DEADLINE,
        "high",
    ),
    row(
        "T is R, the day after 24 months",
        case(ADVERSE),
        "SOC2_REMEDIATION_UNPROVEN",
        "2028-04-01",
    ),
    row(
        "disclaimer, T is R, last current day",
        case(DISCLAIMER),
        "SOC2_REMEDIATION_UNPROVEN",
        LAST_CURRENT,
    ),
    row(
        "disclaimer, T is R, the day after",
        case(DISCLAIMER),
        "SOC2_REMEDIATION_UNPROVEN",
        FIRST_STALE,
        "high",
    ),
    row(
        "qualified is not a failure",
        case(QUALIFIED),
        "SOC2_REMEDIATION_UNPROVEN",
        FIRST_STALE,
    ),
    row(
        "a failed Type I is not T",
        case(soc2(opinion="adverse", **TYPE1), requirement="soc2"),
        "SOC2_REMEDIATION_UNPROVEN",
        FIRST_STALE,
    ),
    row(
        "day before a newer Type I arrives",
        ADVERSE_THEN_TYPE1,
        "SOC2_REMEDIATION_UNPROVEN",
        "2026-07-09",
    ),
    row(
        "a newer Type I is R: at once",
        ADVERSE_THEN_TYPE1,
        "SOC2_REMEDIATION_UNPROVEN",
        "2026-07-10",
        "high",
    ),
    row(
        "newer Type I, 24 months after T's period",
        ADVERSE_THEN_TYPE1,
        "SOC2_REMEDIATION_UNPROVEN",
        REMEDIATION_DEADLINE,
        "high",
    ),
    row(
        "newer Type I, the day after 24 months",
        ADVERSE_THEN_TYPE1,
        "SOC2_REMEDIATION_UNPROVEN",
        "2028-04-01",
    ),
    row(
        "day before a newer Type II arrives",
        case(ADVERSE, soc2(**NEWER_TYPE2)),
        "SOC2_REMEDIATION_UNPROVEN",
        "2027-04-19",
        "high",
    ),
    row(
        "a newer Type II arrived",
        case(ADVERSE, soc2(**NEWER_TYPE2)),
        "SOC2_REMEDIATION_UNPROVEN",
        "2027-04-20",
    ),
    row(
        "a newer Type II judged out of scope proves nothing",
        case(ADVERSE, soc2(**NEWER_TYPE2, scope_covers_services="no")),
        "SOC2_REMEDIATION_UNPROVEN",
        "2027-04-20",
        "high",
    ),
    row(
        "under soc2",
        case(ADVERSE, requirement="soc2"),
        "SOC2_REMEDIATION_UNPROVEN",
        FIRST_STALE,
        "high",
    ),
    row(
        "either-or, the certificate relied on: R's last current day",
        case(ADVERSE, iso(), tier="medium"),
        "SOC2_REMEDIATION_UNPROVEN",
        LAST_CURRENT,
    ),
    row(
        "either-or, the certificate relied on: the day after",
        case(ADVERSE, iso(), tier="medium"),
        "SOC2_REMEDIATION_UNPROVEN",
        FIRST_STALE,
        "high",
    ),
    row(
        "iso27001 does not name SOC 2",
        case(ADVERSE, tier="medium", requirement="iso27001"),
        "SOC2_REMEDIATION_UNPROVEN",
        FIRST_STALE,
    ),
    row(
        "nothing required",
        case(ADVERSE, tier="low"),
        "SOC2_REMEDIATION_UNPROVEN",
        FIRST_STALE,
    ),
]

VENDOR_ROWS = [
    row(
        "low, internal data",
        case(tier="low", data_access="internal"),
        "TIER_BELOW_DATA_ACCESS",
        "2026-05-04",
    ),
    row(
        "low, confidential data",
        case(tier="low", data_access="confidential"),
        "TIER_BELOW_DATA_ACCESS",
        "2026-05-04",
        "high",
    ),
    row(
        "low, personal data",
        case(soc2(), tier="low", data_access="personal"),
        "TIER_BELOW_DATA_ACCESS",
        "2026-05-04",
        "high",
    ),
    row(
        "medium, personal data",
        case(tier="medium", data_access="personal"),
        "TIER_BELOW_DATA_ACCESS",
        "2026-05-04",
    ),
    row(
        "archived: the only flag",
        case(tier="low", data_access="personal", lifecycle="archived"),
        "TIER_BELOW_DATA_ACCESS",
        "2026-05-04",
    ),
    row("offboarding", case(soc2(), lifecycle="offboarding"), "VENDOR_ARCHIVED", "2026-05-04"),
    row(
        "archived",
        case(soc2(), lifecycle="archived"),
        "VENDOR_ARCHIVED",
        "2026-05-04",
        "block",
    ),
]

# Findings keep their severity whoever relies on the document, while it is current (v2);
# where nothing is required they are at most high. Rows: not relied on, current / not.
ADVERSE_BESIDE_ISO = case(ADVERSE, iso(), tier="medium")  # either-or: C is relied on
DISCLAIMER_BESIDE_ISO = case(DISCLAIMER, iso(), tier="medium")
# Both hold and both give conditional (the qualified opinion counts either way): C lasts longer.
QUALIFIED_BESIDE_ISO = case(QUALIFIED, iso(), tier="medium")
SUSPENDED_BESIDE_R = case(soc2(), iso(certificate_status="suspended", **SHORT_ISO))
WITHDRAWN_BESIDE_R = case(soc2(), iso(certificate_status="withdrawn", **SHORT_ISO))

FINDING_ROWS = [
    row(
        "not relied on, last current day",
        ADVERSE_BESIDE_ISO,
        "SOC2_OPINION_ADVERSE",
        LAST_CURRENT,
        "block",
    ),
    row(
        "not relied on, no longer current",
        ADVERSE_BESIDE_ISO,
        "SOC2_OPINION_ADVERSE",
        FIRST_STALE,
        "info",
    ),
    row(
        "iso27001, last current day",
        case(ADVERSE, iso(), tier="medium", requirement="iso27001"),
        "SOC2_OPINION_ADVERSE",
        LAST_CURRENT,
        "block",
    ),
    row(
        "iso27001, no longer current",
        case(ADVERSE, iso(), tier="medium", requirement="iso27001"),
        "SOC2_OPINION_ADVERSE",
        FIRST_STALE,
        "info",
    ),
    row(
        "nothing required, current",
        case(ADVERSE, tier="low"),
        "SOC2_OPINION_ADVERSE",
        LAST_CURRENT,
        "high",
    ),
    row(
        "nothing required, stale",
        case(ADVERSE, tier="low"),
        "SOC2_OPINION_ADVERSE",
        FIRST_STALE,
        "info",
    ),
    row(
        "not relied on, last current day",
        DISCLAIMER_BESIDE_ISO,
        "SOC2_OPINION_DISCLAIMER",
        LAST_CURRENT,
        "block",
    ),
    row(
        "not relied on, no longer current",
        DISCLAIMER_BESIDE_ISO,
        "SOC2_OPINION_DISCLAIMER",
        FIRST_STALE,
        "info",
    ),
    row("relied on, stale", case(DISCLAIMER), "SOC2_OPINION_DISCLAIMER", FIRST_STALE, "block"),
    row(
        "nothing required, current",
        case(DISCLAIMER, tier="low"),
        "SOC2_OPINION_DISCLAIMER",
        LAST_CURRENT,
        "high",
    ),
    row(
        "nothing required, stale",
        case(DISCLAIMER, tier="low"),
        "SOC2_OPINION_DISCLAIMER",
        FIRST_STALE,
        "info",
    ),
    row("relied on, stale", case(QUALIFIED), "SOC2_OPINION_QUALIFIED", FIRST_STALE, "high"),
    row(
        "not relied on, last current day",
        QUALIFIED_BESIDE_ISO,
        "SOC2_OPINION_QUALIFIED",
        LAST_CURRENT,
        "high",
    ),
    row(
        "not relied on, no longer current",
        QUALIFIED_BESIDE_ISO,
        "SOC2_OPINION_QUALIFIED",
        FIRST_STALE,
        "info",
    ),
    row(
        "iso27001 does not name SOC 2",
        case(QUALIFIED, iso(), tier="medium", requirement="iso27001"),
        "SOC2_OPINION_QUALIFIED",
        "2026-05-04",
        "info",
    ),
    row(
        "nothing required",
        case(QUALIFIED, tier="low"),
        "SOC2_OPINION_QUALIFIED",
        "2026-05-04",
        "info",
    ),
    row("not relied on, last day", SUSPENDED_BESIDE_R, "ISO_SUSPENDED", "2026-12-31", "block"),
    row("not relied on, expired", SUSPENDED_BESIDE_R, "ISO_SUSPENDED", "2027-01-01", "info"),
    row(
        "relied on, expired",
        case(iso(certificate_status="suspended"), tier="medium"),
        "ISO_SUSPENDED",
        "2028-04-01",
        "block",
    ),
    row(
        "nothing required, valid",
        case(iso(certificate_status="suspended"), tier="low"),
        "ISO_SUSPENDED",
        ISO_EXPIRES,
        "high",
    ),
    row(
        "nothing required, expired",
        case(iso(certificate_status="suspended"), tier="low"),
        "ISO_SUSPENDED",
        "2028-04-01",
        "info",
    ),
    # ISO_WITHDRAWN is not a finding: on a certificate not relied on it asks why (high).
    row("not relied on, last day", WITHDRAWN_BESIDE_R, "ISO_WITHDRAWN", "2026-12-31", "high"),
    row("not relied on, expired", WITHDRAWN_BESIDE_R, "ISO_WITHDRAWN", "2027-01-01", "info"),
    row(
        "nothing required, valid",
        case(iso(certificate_status="withdrawn"), tier="low"),
        "ISO_WITHDRAWN",
        ISO_EXPIRES,
        "high",
    ),
    row(
        "nothing required, expired",
        case(iso(certificate_status="withdrawn"), tier="low"),
        "ISO_WITHDRAWN",
        "2028-04-01",
        "info",
    ),
]

# A policy accepting substitutes for a while: high tier at medium, medium tier at high.
LENIENT = replace(
    POLICY,
    tiers=MappingProxyType(
        {
            **POLICY.tiers,
            "high": replace(POLICY.tiers["high"], substitute_severity="medium"),
            "medium": replace(POLICY.tiers["medium"], substitute_severity="high"),
        }
    ),
)
SOC3 = soc("soc3_report", 5, report_type=None, period_start=None)
SOC1 = soc("soc1_report", 6)

SUBSTITUTE_ROWS = [
    row(
        "lenient, day before it arrives",
        case(iso()),
        "ISO_IN_PLACE_OF_SOC2",
        "2025-04-09",
        policy=LENIENT,
    ),
    row(
        "lenient, valid: the tier's substitute_severity",
        case(iso()),
        "ISO_IN_PLACE_OF_SOC2",
        "2025-04-10",
        "medium",
        policy=LENIENT,
    ),
    row(
        "lenient, last valid day",
        case(iso()),
        "ISO_IN_PLACE_OF_SOC2",
        ISO_EXPIRES,
        "medium",
        policy=LENIENT,
    ),
    row(
        "lenient, expired: block",
        case(iso()),
        "ISO_IN_PLACE_OF_SOC2",
        "2028-04-01",
        "block",
        policy=LENIENT,
    ),
    row(
        "lenient, unaccredited: block",
        case(iso(accreditation_body="UKIAF")),
        "ISO_IN_PLACE_OF_SOC2",
        "2026-05-04",
        "block",
        policy=LENIENT,
    ),
    row(
        "lenient, issued by an accreditation body: block",
        case(iso(certification_body="UKAS")),
        "ISO_IN_PLACE_OF_SOC2",
        "2026-05-04",
        "block",
        policy=LENIENT,
    ),
    row(
        "lenient, judged out of scope: block",
        case(iso(scope_covers_services="no")),
        "ISO_IN_PLACE_OF_SOC2",
        "2026-05-04",
        "block",
        policy=LENIENT,
    ),
    row(
        "lenient, last current day",
        case(SOC3, tier="medium"),
        "SOC3_IN_PLACE_OF_SOC2",
        LAST_CURRENT,
        "high",
        policy=LENIENT,
    ),
    row(
        "lenient, stale: block",
        case(SOC3, tier="medium"),
        "SOC3_IN_PLACE_OF_SOC2",
        FIRST_STALE,
        "block",
        policy=LENIENT,
    ),
    row(
        "lenient, high tier",
        case(SOC3),
        "SOC3_IN_PLACE_OF_SOC2",
        "2026-05-04",
        "medium",
        policy=LENIENT,
    ),
    row(
        "lenient, qualified is acceptable",
        case(replace(SOC3, opinion="qualified"), tier="medium"),
        "SOC3_IN_PLACE_OF_SOC2",
        "2026-05-04",
        "high",
        policy=LENIENT,
    ),
    row(
        "lenient, adverse: block",
        case(replace(SOC3, opinion="adverse"), tier="medium"),
        "SOC3_IN_PLACE_OF_SOC2",
        "2026-05-04",
        "block",
        policy=LENIENT,
    ),
    row(
        "lenient medium: never below high",
        case(SOC1),
        "SOC1_IN_PLACE_OF_SOC2",
        "2026-05-04",
        "high",
        policy=LENIENT,
    ),
    row(
        "lenient high, last current day",
        case(SOC1, tier="medium"),
        "SOC1_IN_PLACE_OF_SOC2",
        LAST_CURRENT,
        "high",
        policy=LENIENT,
    ),
    row(
        "lenient high, stale: block",
        case(SOC1, tier="medium"),
        "SOC1_IN_PLACE_OF_SOC2",
        FIRST_STALE,
        "block",
        policy=LENIENT,
    ),
]

# Either-or (v2): both hold; the report (current until 2027-03-31) would make the vendor
# conditional (period under 3 months), the certificate (ends 2026-12-31) approved.
SHORT_PERIOD_BESIDE_ISO = case(soc2(period_start=D("2026-01-02")), iso(**SHORT_ISO), tier="medium")

EITHER_OR_ROWS = [
    row(
        "better status beats longer-lasting: C relied on, last day",
        SHORT_PERIOD_BESIDE_ISO,
        "SOC2_PERIOD_TOO_SHORT",
        "2026-12-31",
        "info",
    ),
    row(
        "C expired: R relied on",
        SHORT_PERIOD_BESIDE_ISO,
        "SOC2_PERIOD_TOO_SHORT",
        "2027-01-01",
        "high",
    ),
]

V2_ROWS = (
    SOC2_V2_ROWS
    + SCOPE_ROWS
    + ISSUER_ROWS
    + REMEDIATION_ROWS
    + VENDOR_ROWS
    + FINDING_ROWS
    + SUBSTITUTE_ROWS
    + EITHER_OR_ROWS
)

ROWS = REQUIREMENT_ROWS + SOC2_ROWS + BRIDGE_ROWS + ISO_ROWS + V2_ROWS


@pytest.mark.parametrize(("a_case", "code", "day", "severities", "policy"), ROWS)
def test_rule_at_its_boundary(
    a_case: VendorCase, code: str, day: date, severities: tuple, policy: Policy
) -> None:
    flags = evaluate(a_case, policy, as_of=day).flags
    assert tuple(f.severity for f in flags if f.code == code) == severities


def test_every_rule_code_has_a_boundary_row() -> None:
    """Each code has a row where it fires and one where it does not."""
    codes = {r.code for r in RULES}
    assert {p.values[1] for p in ROWS if p.values[3]} == codes
    assert {p.values[1] for p in ROWS if not p.values[3]} == codes


# --- waivers: in force from granted_on to expires_on, both included ---------------------------

WAIVER = waiver("ISO_IN_PLACE_OF_SOC2")  # in force 2026-04-01..2026-09-30


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
    # v2: on equal ends, the lowest id (first edition: the later granted). The ids are chosen
    # so that "ends last" and "lowest id" disagree on the first day.
    waivers = [
        replace(WAIVER, id=2, expires_on=D("2026-08-31")),
        replace(WAIVER, id=4, expires_on=D("2026-12-31")),
        replace(WAIVER, id=3, expires_on=D("2026-12-31"), granted_on=D("2026-05-01")),
    ]
    result = evaluate(case(iso(), waivers=waivers), POLICY, as_of=D("2026-04-15"))
    assert [f.waiver_id for f in result.flags] == [4]
    result = evaluate(case(iso(), waivers=waivers), POLICY, as_of=D("2026-05-04"))
    assert [f.waiver_id for f in result.flags] == [3]


@pytest.mark.parametrize("evidence_id", [1, None], ids=["bound to the report", "before v2"])
def test_waiver_covers_every_flag_with_its_code(evidence_id: int | None) -> None:
    # v2: every flag with its code about the document it names; a waiver recorded before v2
    # (no document) every flag with its code.
    orgs = (SubserviceOrg("AWS", "carve_out"), SubserviceOrg("GCP", "carve_out"))
    accepted = waiver("SOC2_SUBSERVICE_CARVED_OUT", evidence_id=evidence_id)
    result = evaluate(
        case(soc2(subservice_orgs=orgs), waivers=[accepted]), POLICY, as_of=D("2026-05-04")
    )
    assert [(f.code, f.waived) for f in result.flags] == [("SOC2_SUBSERVICE_CARVED_OUT", True)] * 2


def test_a_waiver_bound_to_another_document_covers_nothing_here() -> None:
    orgs = (SubserviceOrg("AWS", "carve_out"),)
    accepted = waiver("SOC2_SUBSERVICE_CARVED_OUT", evidence_id=4)
    result = evaluate(
        case(soc2(subservice_orgs=orgs), waivers=[accepted]), POLICY, as_of=D("2026-05-04")
    )
    assert [(f.code, f.waived) for f in result.flags] == [("SOC2_SUBSERVICE_CARVED_OUT", False)]


# --- v2: waivers across two documents ---------------------------------------------------------

FIRST_QUALIFIED = soc2(
    id=11,
    opinion="qualified",
    period_start=D("2024-10-01"),
    period_end=D("2025-09-30"),
    received_on=D("2025-10-15"),
)
NEXT_QUALIFIED = soc2(id=12, opinion="qualified")  # arrives 2026-04-15


@pytest.mark.parametrize(
    ("evidence_id", "covers_the_next"),
    [(11, False), (None, True)],
    ids=["bound to the first report", "recorded before v2"],
)
def test_a_waiver_on_one_report_does_not_cover_the_next(
    evidence_id: int | None, covers_the_next: bool
) -> None:
    accepted = waiver(
        "SOC2_OPINION_QUALIFIED",
        granted_on="2025-11-01",
        expires_on="2026-10-31",
        evidence_id=evidence_id,
    )
    a_case = case(FIRST_QUALIFIED, NEXT_QUALIFIED, waivers=[accepted])
    before = evaluate(a_case, POLICY, as_of=D("2026-04-14"))
    assert [(f.code, f.evidence_id, f.waived, f.waiver_id) for f in before.flags] == [
        ("SOC2_OPINION_QUALIFIED", 11, True, 7)
    ]
    assert before.status == "approved"
    after = evaluate(a_case, POLICY, as_of=D("2026-04-15"))
    assert [(f.code, f.evidence_id, f.waived) for f in after.flags] == [
        ("SOC2_OPINION_QUALIFIED", 12, covers_the_next)
    ]
    assert after.status == ("approved" if covers_the_next else "conditional")


@pytest.mark.parametrize(
    ("evidence_id", "waived"),
    [(3, {3}), (9, {9}), (None, {3, 9})],
    ids=["bound to letter 3", "bound to letter 9", "before v2"],
)
def test_a_waiver_covers_only_its_own_letter(evidence_id: int | None, waived: set) -> None:
    letters = (bridge("2026-07-01", "2026-10-02"), bridge("2026-07-01", "2026-10-05", id=9))
    accepted = waiver("BRIDGE_LETTER_INVALID", evidence_id=evidence_id)
    result = evaluate(case(soc2(), *letters, waivers=[accepted]), POLICY, as_of=D("2026-08-15"))
    flags = [f for f in result.flags if f.code == "BRIDGE_LETTER_INVALID"]
    assert {f.evidence_id for f in flags} == {3, 9}
    assert {f.evidence_id for f in flags if f.waived} == waived


# --- v2: substitutes, and what a waiver of missing evidence covers ----------------------------


def _flag(result, code: str) -> tuple:
    (flag,) = [f for f in result.flags if f.code == code]
    return flag.severity, flag.waived, flag.waiver_id


def test_a_substitution_waiver_lapses_with_the_substitute() -> None:
    # Accepting a certificate in place of a SOC 2 does not survive the certificate's expiry,
    # even while the waiver itself runs (to 2026-09-30).
    a_case = case(iso(expires_on=D("2026-06-30")), waivers=[WAIVER])
    last_day = evaluate(a_case, POLICY, as_of=D("2026-06-30"))
    assert _flag(last_day, "ISO_IN_PLACE_OF_SOC2") == ("block", True, 7)
    assert (last_day.status, last_day.next_review_on) == ("approved", D("2026-07-01"))
    expired = evaluate(a_case, POLICY, as_of=D("2026-07-01"))
    assert _flag(expired, "ISO_IN_PLACE_OF_SOC2") == ("block", False, None)
    assert expired.status == "blocked"


def test_a_substitution_waiver_covers_the_tiers_substitute_severity_while_valid() -> None:
    a_case = case(iso(expires_on=D("2026-06-30")), waivers=[WAIVER])
    last_day = evaluate(a_case, LENIENT, as_of=D("2026-06-30"))
    assert _flag(last_day, "ISO_IN_PLACE_OF_SOC2") == ("medium", True, 7)
    expired = evaluate(a_case, LENIENT, as_of=D("2026-07-01"))
    assert _flag(expired, "ISO_IN_PLACE_OF_SOC2") == ("block", False, None)
    assert expired.status == "blocked"


def test_a_waiver_of_missing_evidence_covers_a_substitute_that_is_not_acceptable() -> None:
    missing = waiver("EVIDENCE_MISSING", id=8)
    a_case = case(iso(expires_on=D("2026-06-30")), waivers=[WAIVER, missing])
    # Both cover it and end together: the lowest id is named.
    assert _flag(evaluate(a_case, POLICY, as_of=D("2026-06-30")), "ISO_IN_PLACE_OF_SOC2") == (
        "block",
        True,
        7,
    )
    expired = evaluate(a_case, POLICY, as_of=D("2026-07-01"))
    assert _flag(expired, "ISO_IN_PLACE_OF_SOC2") == ("block", True, 8)
    assert expired.status == "approved"
    # The one that ends last is named, whatever its id.
    longer = replace(missing, id=6, expires_on=D("2026-12-31"))
    a_case = case(iso(expires_on=D("2026-06-30")), waivers=[WAIVER, longer])
    assert _flag(evaluate(a_case, POLICY, as_of=D("2026-06-30")), "ISO_IN_PLACE_OF_SOC2") == (
        "block",
        True,
        6,
    )


def test_a_waiver_of_missing_evidence_never_covers_findings_or_document_rules() -> None:
    missing = waiver("EVIDENCE_MISSING", id=8, expires_on="2027-04-30")
    qualified_type1 = soc2(opinion="qualified", **TYPE1)
    result = evaluate(case(qualified_type1, waivers=[missing]), POLICY, as_of=D("2026-05-04"))
    assert {(f.code, f.severity, f.waived) for f in result.flags} == {
        ("SOC2_TYPE1_ONLY", "high", True),
        ("SOC2_OPINION_QUALIFIED", "high", False),
    }
    assert result.status == "conditional"
    wants_iso = case(soc2(), tier="medium", requirement="iso27001", waivers=[missing])
    result = evaluate(wants_iso, POLICY, as_of=D("2026-05-04"))
    assert [(f.code, f.waived, f.waiver_id) for f in result.flags] == [
        ("SOC2_IN_PLACE_OF_ISO", True, 8)
    ]
    stale = evaluate(case(soc2(), waivers=[missing]), POLICY, as_of=D(FIRST_STALE))
    assert [(f.code, f.waived) for f in stale.flags] == [("SOC2_STALE", False)]
    assert stale.status == "blocked"


def test_an_archived_vendor_has_one_flag_that_no_waiver_covers() -> None:
    waivers = [
        replace(WAIVER, id=1, code="VENDOR_ARCHIVED"),
        replace(WAIVER, id=2, code="EVIDENCE_MISSING"),
    ]
    a_case = case(
        ADVERSE,
        iso(certificate_status="withdrawn"),
        tier="low",
        data_access="personal",
        lifecycle="archived",
        waivers=waivers,
    )
    result = evaluate(a_case, POLICY, as_of=D("2026-05-04"))
    assert [(f.code, f.severity, f.evidence_id, f.waived) for f in result.flags] == [
        ("VENDOR_ARCHIVED", "block", None, False)
    ]
    assert (result.status, result.next_review_on) == ("blocked", None)


def test_waived_high_flag_no_longer_makes_the_vendor_conditional() -> None:
    a_case = case(soc2(opinion="qualified"), waivers=[waiver("SOC2_OPINION_QUALIFIED")])
    assert evaluate(a_case, POLICY, as_of=D("2026-05-04")).status == "approved"
    assert evaluate(a_case, POLICY, as_of=D("2026-10-01")).status == "conditional"
