"""next_review_on is exactly the first later day whose flags differ (SPEC §5)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules.catalog import RULES
from app.rules.dates import add_months
from app.rules.engine import Assessment, evaluate
from app.rules.facts import (
    BridgeLetter,
    IsoCertificate,
    SocReport,
    SubserviceOrg,
    VendorCase,
    VendorFacts,
    Waiver,
)
from app.rules.policy import REQUIREMENTS, TIERS, TSC, Policy

POLICY = Policy.default()
# The policy's v2 knobs turned: substitutes count for less in lower tiers, scope matters more.
EDITED = Policy(
    tiers={
        **POLICY.tiers,
        "high": replace(POLICY.tiers["high"], substitute_severity="high"),
        "medium": replace(POLICY.tiers["medium"], substitute_severity="medium"),
    },
    scope_required_tiers=("critical", "high"),
    subservice_report_tiers=("critical", "high"),
)
SCOPES = st.sampled_from([None, None, "yes", "yes", "partly", "no"])
EPOCH = date(2024, 1, 1)
days = st.integers(min_value=0, max_value=5 * 366).map(lambda n: EPOCH + timedelta(days=n))


def after(start: date, low: int, high: int) -> st.SearchStrategy[date]:
    return st.integers(low, high).map(lambda n: start + timedelta(days=n))


@st.composite
def vendors(draw) -> VendorFacts:
    own_tsc = st.none() | st.lists(st.sampled_from(TSC), max_size=3).map(tuple)
    return VendorFacts(
        tier=draw(st.sampled_from(TIERS)),
        requirement=draw(st.none() | st.sampled_from(REQUIREMENTS)),
        data_access=draw(st.sampled_from([None, "none", "internal", "confidential", "personal"])),
        required_tsc=draw(own_tsc),
        lifecycle=draw(st.sampled_from([None, "active", "active", "archived"])),
    )


@st.composite
def soc_reports(draw, id: int) -> SocReport:
    period_end = draw(days)
    extra_tsc = draw(st.sets(st.sampled_from(TSC[1:]), max_size=3))
    orgs = st.lists(st.sampled_from(["carve_out", "inclusive"]), max_size=2)
    return SocReport(
        id=id,
        kind=draw(st.sampled_from(["soc2_report"] * 4 + ["soc1_report", "soc3_report"])),
        received_on=draw(after(period_end, 0, 120)),
        period_end=period_end,
        opinion=draw(st.sampled_from(["unqualified", "qualified", "adverse", "disclaimer"])),
        report_type=draw(st.sampled_from(["type1", "type2", "type2"])),
        period_start=draw(after(period_end, -400, -30)),
        tsc=frozenset({"security", *extra_tsc}),
        exceptions_noted=draw(st.integers(0, 2)),
        subservice_orgs=tuple(SubserviceOrg(f"org{i}", m) for i, m in enumerate(draw(orgs))),
        cuecs=draw(st.booleans()),
        scope_covers_services=draw(SCOPES),
        retracted=draw(st.integers(0, 9)) == 0,
    )


@st.composite
def certificates(draw, id: int) -> IsoCertificate:
    issued_on = draw(days)
    return IsoCertificate(
        id=id,
        received_on=draw(after(issued_on, 0, 60)),
        standard_version=draw(st.sampled_from(["2013", "2022"])),
        certificate_number=f"C-{id}",
        certification_body=draw(st.sampled_from(["LRQA", "LRQA", "BSI (UKAS)", "UKAS"])),
        accreditation_body=draw(st.sampled_from(["UKAS", "UKAS", "DAkkS", None, "UKIAF"])),
        issued_on=issued_on,
        expires_on=draw(after(issued_on, 200, 1200)),
        last_surveillance_on=draw(st.none() | after(issued_on, -200, 800)),
        certificate_status=draw(st.sampled_from(["active"] * 4 + ["suspended", "withdrawn"])),
        scope_covers_services=draw(SCOPES),
        retracted=draw(st.integers(0, 9)) == 0,
    )


@st.composite
def bridge_letters(draw, id: int, report_ids: list[int]) -> BridgeLetter:
    signed_on = draw(days)
    return BridgeLetter(
        id=id,
        received_on=draw(after(signed_on, 0, 10)),
        soc2_report_id=draw(st.sampled_from(report_ids or [999])),
        covers_until=draw(after(signed_on, 1, 130)),
        signed_on=signed_on,
    )


@st.composite
def waivers(draw, id: int, evidence_ids: list[int]) -> Waiver:
    granted_on = draw(days)
    return Waiver(
        id=id,
        code=draw(st.sampled_from([r.code for r in RULES])),
        granted_on=granted_on,
        expires_on=draw(after(granted_on, 0, 366)),
        evidence_id=draw(st.none() | st.sampled_from(evidence_ids or [999])),
        revoked=draw(st.integers(0, 5)) == 0,
    )


@st.composite
def cases(draw) -> VendorCase:
    reports = [draw(soc_reports(i)) for i in range(1, 1 + draw(st.integers(0, 3)))]
    certs = [draw(certificates(10 + i)) for i in range(draw(st.integers(0, 2)))]
    soc2_ids = [r.id for r in reports if r.kind == "soc2_report"]
    letters = [draw(bridge_letters(20 + i, soc2_ids)) for i in range(draw(st.integers(0, 2)))]
    ids = [e.id for e in (*reports, *certs)]
    granted = [draw(waivers(30 + i, ids)) for i in range(draw(st.integers(0, 3)))]
    evidence = tuple(draw(st.permutations([*reports, *certs, *letters])))
    return VendorCase(draw(vendors()), evidence, tuple(granted))


def key_dates(case: VendorCase) -> list[date]:
    """Days around which the rules turn, to draw `as_of` near them."""
    found = [EPOCH]
    for item in case.evidence:
        found += [item.received_on, *(getattr(item, a, None) for a in ("expires_on", "period_end"))]
        # The windows rules read from a document's dates: currency, surveillance, remediation.
        for name in ("period_end", "issued_on", "last_surveillance_on"):
            start = getattr(item, name, None)
            found += [add_months(start, n) for n in (12, 24) if start is not None]
    found += [w.granted_on for w in case.waivers]
    return [d for d in found if d is not None]


@st.composite
def cases_and_days(draw) -> tuple[VendorCase, date]:
    case = draw(cases())
    near = st.sampled_from(key_dates(case)).flatmap(lambda d: after(d, -100, 3))
    return case, draw(days | near | near)


def on_file(case: VendorCase, as_of: date) -> VendorCase:
    """The case as if nothing arrived after `as_of`."""
    kept = tuple(e for e in case.evidence if e.received_on <= as_of)
    return VendorCase(case.vendor, kept, case.waivers)


def signature(result: Assessment) -> Counter:
    return Counter((f.code, f.severity, f.waived) for f in result.flags)


def horizon(case: VendorCase, as_of: date) -> date:
    """A day after which no rule can change: past every date the file holds, by more than
    the longest window a rule reads (a failed Type II counts for 24 months)."""
    found = [as_of, *key_dates(case)]
    for item in case.evidence:
        found += [getattr(item, a, None) for a in ("issued_on", "last_surveillance_on")]
        found += [getattr(item, "covers_until", None), getattr(item, "signed_on", None)]
    found += [w.expires_on for w in case.waivers]
    return max(d for d in found if d is not None) + timedelta(days=3 * 366)


def assessments_from(case: VendorCase, policy: Policy, as_of: date) -> list[Assessment]:
    """The oracle's input: the case evaluated on every day from `as_of` to the horizon."""
    count = (horizon(case, as_of) - as_of).days + 1
    return [evaluate(case, policy, as_of=as_of + timedelta(days=n)) for n in range(count)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_and_day=cases_and_days(), policy=st.sampled_from([POLICY, EDITED]))
def test_next_review_is_the_first_day_a_day_by_day_scan_finds(case_and_day, policy) -> None:
    """On every day from `as_of` on, next_review_on is the next day whose flags differ."""
    case, as_of = case_and_day
    fixed = on_file(case, as_of)
    assert evaluate(fixed, policy, as_of=as_of) == evaluate(case, policy, as_of=as_of)
    days = assessments_from(fixed, policy, as_of)
    expected: date | None = None  # scanning backwards: the next day whose flags differ
    for n in range(len(days) - 1, -1, -1):
        day = as_of + timedelta(days=n)
        assert days[n].next_review_on == expected, day
        if n and signature(days[n - 1]) != signature(days[n]):
            expected = day
