"""The digest's content at its boundaries: plain values in, no database, no fixtures."""

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.digest.build import (
    EvaluatedVendor,
    StatusChangeFact,
    VendorInfo,
    build_digest,
    for_owner,
    is_empty,
    iso_week,
    owners,
    subject,
)
from app.rules.dates import add_months
from app.rules.engine import evaluate
from app.rules.facts import (
    BridgeLetter,
    IsoCertificate,
    SocReport,
    VendorCase,
    VendorFacts,
    Waiver,
)
from app.rules.policy import Policy

AS_OF = date(2026, 6, 15)
POLICY = Policy.default()
_ids = iter(range(1, 10_000))


def certificate(expires_on: date, **overrides) -> IsoCertificate:
    issued_on = add_months(expires_on, -36) + timedelta(days=1)
    values = {
        "id": next(_ids),
        "received_on": issued_on,
        "standard_version": "2022",
        "certificate_number": "IS 123456",
        "certification_body": "BSI",
        "accreditation_body": "UKAS",
        "issued_on": issued_on,
        "expires_on": expires_on,
        "last_surveillance_on": AS_OF - timedelta(days=30),
    }
    return IsoCertificate(**{**values, **overrides})


def report(currency_end: date, **overrides) -> SocReport:
    """A clean Type II report whose currency ends on `currency_end`."""
    period_end = add_months(currency_end, -12)
    values = {
        "id": next(_ids),
        "kind": "soc2_report",
        "received_on": period_end + timedelta(days=20),
        "period_end": period_end,
        "period_start": add_months(period_end, -12) + timedelta(days=1),
        "opinion": "unqualified",
        "report_type": "type2",
        "auditor": "Hale & Moss LLP",
    }
    return SocReport(**{**values, **overrides})


def waiver(expires_on: date, code: str = "ISO_EXPIRING", **overrides) -> Waiver:
    values = {"id": next(_ids), "code": code, "granted_on": AS_OF - timedelta(days=10)}
    return Waiver(**{**values, "expires_on": expires_on, **overrides})


def vendor(
    *evidence,
    waivers=(),
    tier="medium",
    requirement=None,
    changes=(),
    name="Acme",
    owner="owner@example.com",
    vendor_id=None,
) -> EvaluatedVendor:
    case = VendorCase(
        vendor=VendorFacts(tier=tier, requirement=requirement),
        evidence=tuple(evidence),
        waivers=tuple(waivers),
    )
    return EvaluatedVendor(
        info=VendorInfo(vendor_id or next(_ids), name, tier, owner),
        case=case,
        assessment=evaluate(case, POLICY, as_of=AS_OF),
        changes=tuple(changes),
    )


def digest(*vendors: EvaluatedVendor):
    return build_digest(vendors, as_of=AS_OF, policy=POLICY, base_url="https://vetted.example/")


def where(d, evidence_id: int) -> list[tuple[str, int]]:
    """(section, days) of every row about `evidence_id`."""
    return [
        (section, row.days)
        for section in ("expired", "expiring_30", "expiring_60", "expiring_90")
        for row in getattr(d, section)
        if row.evidence_id == evidence_id
    ]


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (0, [("expiring_30", 0)]),
        (1, [("expiring_30", 1)]),
        (30, [("expiring_30", 30)]),
        (31, [("expiring_60", 31)]),
        (60, [("expiring_60", 60)]),
        (61, [("expiring_90", 61)]),
        (90, [("expiring_90", 90)]),
        (91, []),
        (-1, [("expired", 1)]),
    ],
)
def test_a_certificate_lands_in_the_window_of_its_days_left(days_left, expected):
    c = certificate(AS_OF + timedelta(days=days_left))
    assert where(digest(vendor(c, requirement="iso27001")), c.id) == expected


def test_a_report_stale_today_is_expired_and_one_on_its_last_day_is_expiring():
    stale_today = report(AS_OF - timedelta(days=1))
    last_day = report(AS_OF)
    d = digest(vendor(stale_today, tier="high"), vendor(last_day, tier="high"))
    assert where(d, stale_today.id) == [("expired", 1)]
    assert where(d, last_day.id) == [("expiring_30", 0)]
    row = d.expired[0]
    assert (row.event, row.valid_until) == ("stale", AS_OF - timedelta(days=1))
    assert row.evidence.startswith("SOC 2 Type II report, period ")
    assert d.expiring_30[0].event == "goes stale"


def test_a_bridge_letter_moves_the_report_s_date():
    r = report(AS_OF + timedelta(days=10))
    letter = BridgeLetter(
        id=next(_ids),
        received_on=AS_OF - timedelta(days=5),
        soc2_report_id=r.id,
        covers_until=AS_OF + timedelta(days=40),
        signed_on=AS_OF - timedelta(days=6),
    )
    assert where(digest(vendor(r, letter, tier="high")), r.id) == [("expiring_60", 40)]


def test_a_2013_certificate_after_the_sunset_is_listed_as_withdrawn():
    c = certificate(date(2027, 1, 1), standard_version="2013")
    d = digest(vendor(c, requirement="iso27001"))
    assert [(r.event, r.valid_until) for r in d.expired] == [
        ("2013 edition withdrawn", date(2025, 10, 31))
    ]


def test_documents_the_requirement_does_not_rest_on_are_left_out():
    longer = report(AS_OF + timedelta(days=200))
    expiring = certificate(AS_OF + timedelta(days=20))
    low_tier_expired = certificate(AS_OF - timedelta(days=3))
    d = digest(vendor(longer, expiring), vendor(low_tier_expired, tier="low"))
    assert where(d, expiring.id) == []
    assert where(d, low_tier_expired.id) == []


def test_when_neither_document_holds_both_are_listed():
    r, c = report(AS_OF - timedelta(days=2)), certificate(AS_OF - timedelta(days=5))
    d = digest(vendor(r, c))
    assert {row.evidence_id for row in d.expired} == {r.id, c.id}


def test_a_superseded_report_is_not_listed():
    old, new = report(AS_OF - timedelta(days=40)), report(AS_OF + timedelta(days=300))
    assert is_empty(digest(vendor(old, new, tier="high")))


def test_a_waived_expiry_is_still_listed_and_marked():
    c = certificate(AS_OF - timedelta(days=3))
    w = waiver(AS_OF + timedelta(days=60), code="ISO_EXPIRED")
    d = digest(vendor(c, waivers=[w], requirement="iso27001"))
    assert [(r.evidence_id, r.waived) for r in d.expired] == [(c.id, True)]


@pytest.mark.parametrize(
    ("ends_in", "listed"), [(-1, False), (0, True), (1, True), (30, True), (31, False)]
)
def test_waivers_ending_within_30_days(ends_in, listed):
    c = certificate(AS_OF + timedelta(days=20))
    w = waiver(AS_OF + timedelta(days=ends_in))
    d = digest(vendor(c, waivers=[w], requirement="iso27001"))
    assert [(r.waiver_id, r.days) for r in d.waivers_ending] == (
        [(w.id, ends_in)] if listed else []
    )


def test_a_waiver_ending_in_30_days_names_the_flag_that_counts_again():
    c = certificate(AS_OF + timedelta(days=20))
    w = waiver(AS_OF + timedelta(days=30))
    (row,) = digest(vendor(c, waivers=[w], requirement="iso27001")).waivers_ending
    assert (row.code, row.expires_on, row.days, row.flag_severity) == (
        "ISO_EXPIRING",
        AS_OF + timedelta(days=30),
        30,
        "medium",
    )


def test_renewed_revoked_and_future_waivers_are_not_listed_as_ending():
    ends = AS_OF + timedelta(days=10)
    renewed = waiver(ends)
    renewal = waiver(ends + timedelta(days=90), granted_on=ends + timedelta(days=1))
    revoked = waiver(ends, code="ISO_EXPIRED", revoked=True)
    future = waiver(ends, code="SOC2_STALE", granted_on=AS_OF + timedelta(days=1))
    d = digest(vendor(certificate(AS_OF + timedelta(days=400)), waivers=[renewed, renewal]))
    d2 = digest(vendor(waivers=[revoked, future], tier="low"))
    assert d.waivers_ending == () and d2.waivers_ending == ()


def test_a_waiver_of_another_document_does_not_continue_one_ending():
    ends = AS_OF + timedelta(days=10)
    cert = certificate(AS_OF + timedelta(days=400))
    ending = waiver(ends, evidence_id=cert.id)
    elsewhere = waiver(ends + timedelta(days=90), granted_on=ends, evidence_id=cert.id + 1)
    unbound = waiver(ends + timedelta(days=90), granted_on=ends)
    listed = digest(vendor(cert, waivers=[ending, elsewhere])).waivers_ending
    assert [row.waiver_id for row in listed] == [ending.id]
    assert digest(vendor(cert, waivers=[ending, unbound])).waivers_ending == ()


def change(days_ago: int, before: str | None, after: str) -> StatusChangeFact:
    return StatusChangeFact(AS_OF - timedelta(days=days_ago), before, after)


A, C, B = "approved", "conditional", "blocked"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ([change(3, A, B)], (A, B)),
        ([change(7, A, C)], (A, C)),
        ([change(8, A, B)], None),
        ([change(0, C, B)], (C, B)),
        ([change(2, B, A)], None),
        ([change(1, None, B)], None),
        ([change(5, A, C), change(2, C, B)], (A, B)),
        ([change(5, A, B), change(2, B, A)], None),
        ([change(0, None, B), change(0, B, A), change(0, A, C)], (A, C)),
    ],
)
def test_status_worsened_in_the_past_7_days(changes, expected):
    d = digest(vendor(certificate(AS_OF + timedelta(days=400)), changes=changes))
    assert [(r.before, r.after) for r in d.worsened] == ([expected] if expected else [])


def test_a_worsened_row_says_why():
    c = certificate(AS_OF - timedelta(days=1))
    v = vendor(c, requirement="iso27001", changes=[change(1, "approved", "blocked")])
    (row,) = digest(v).worsened
    assert row.reasons == ("ISO_EXPIRED",) and row.changed_on == AS_OF - timedelta(days=1)


def test_rows_are_soonest_first_and_link_to_the_vendor_page():
    late = vendor(certificate(AS_OF + timedelta(days=25)), requirement="iso27001", name="Zed")
    soon = vendor(certificate(AS_OF + timedelta(days=5)), requirement="iso27001", name="Ann")
    later = vendor(certificate(AS_OF + timedelta(days=29)), requirement="iso27001", name="Bob")
    d = digest(late, soon, later)
    assert [r.vendor.name for r in d.expiring_30] == ["Ann", "Zed", "Bob"]
    assert d.expiring_30[0].vendor.url == f"https://vetted.example/vendors/{soon.info.id}"


def test_totals_subject_and_week():
    blocked = vendor(certificate(AS_OF - timedelta(days=1)), requirement="iso27001")
    approved = vendor(certificate(AS_OF + timedelta(days=3)), requirement="iso27001")
    conditional = vendor(report(AS_OF + timedelta(days=200), report_type="type1"), tier="high")
    d = digest(blocked, approved, conditional, vendor(tier="low"))
    assert (d.totals.tracked, d.totals.approved, d.totals.conditional, d.totals.blocked) == (
        4,
        2,
        1,
        1,
    )
    assert d.week == "2026-W25" == iso_week(AS_OF)
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert subject(d) == "Vendor evidence — week 2026-W25: 1 expired, 1 expiring within 30 days"


def test_an_owner_s_digest_has_only_their_vendors_and_their_totals():
    mine = vendor(certificate(AS_OF - timedelta(days=1)), requirement="iso27001", owner="A@x.io")
    theirs = vendor(certificate(AS_OF + timedelta(days=3)), requirement="iso27001", owner="b@x.io")
    quiet = vendor(tier="low", owner="c@x.io")
    d = digest(mine, theirs, quiet, vendor(tier="low", owner="a@x.io"))
    assert owners(d) == ["a@x.io", "b@x.io"]
    own = for_owner(d, "a@x.io")
    assert [r.vendor.id for r in own.expired] == [mine.info.id] and own.expiring_30 == ()
    assert (own.scope, own.totals.tracked, own.totals.blocked) == ("a@x.io", 2, 1)
    assert is_empty(for_owner(d, "c@x.io")) and not is_empty(own)


def test_build_is_pure():
    """Like app/rules: nothing from the database, the web or the clock."""
    source = Path(__file__).resolve().parents[2] / "app" / "digest" / "build.py"
    modules = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module)
    app_modules = {m for m in modules if m.split(".")[0] == "app"}
    assert all(m.startswith("app.rules") for m in app_modules), app_modules
    assert not modules & {"sqlmodel", "sqlalchemy", "fastapi", "datetime.datetime", "time"}


def test_a_waiver_bound_to_a_document_names_it_and_its_own_flag():
    # Two reports' worth of waivers: only the one on the report relied on waives a flag today.
    r = report(AS_OF + timedelta(days=200), opinion="qualified")
    ends = AS_OF + timedelta(days=10)
    on_r = waiver(ends, code="SOC2_OPINION_QUALIFIED", evidence_id=r.id)
    on_old = waiver(ends, code="SOC2_OPINION_QUALIFIED", evidence_id=r.id + 1000)
    rows = {row.waiver_id: row for row in digest(vendor(r, waivers=[on_r, on_old])).waivers_ending}
    assert rows[on_r.id].evidence_id == r.id and rows[on_r.id].flag_severity == "high"
    assert rows[on_old.id].flag_severity is None  # it waives nothing raised today


def test_a_renewal_on_another_document_does_not_continue_a_waiver():
    r = report(AS_OF + timedelta(days=200), opinion="qualified")
    ends = AS_OF + timedelta(days=10)
    ending = waiver(ends, code="SOC2_OPINION_QUALIFIED", evidence_id=r.id)
    elsewhere = waiver(
        ends + timedelta(days=90),
        code="SOC2_OPINION_QUALIFIED",
        evidence_id=r.id + 1000,
        granted_on=AS_OF,
    )
    rows = digest(vendor(r, waivers=[ending, elsewhere])).waivers_ending
    assert [row.waiver_id for row in rows] == [ending.id]
