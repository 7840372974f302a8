"""A digest built with a limit: each section keeps exactly the rows a full sort puts first,
counts the rest, and the e-mail made from it is the e-mail made from every row."""

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.db import session_scope
from app.digest.build import (
    SECTIONS,
    DecisionFact,
    EvaluatedVendor,
    OverdueRequest,
    StatusChangeFact,
    VendorInfo,
    build_digest,
    complete,
    for_owner,
    is_empty,
    owners,
    subject,
)
from app.digest.job import collect
from app.digest.render import render
from app.rules.engine import evaluate
from app.rules.facts import IsoCertificate, VendorCase, VendorFacts, Waiver
from app.rules.policy import Policy

from .conftest import DEMO_DAY

AS_OF = date(2026, 6, 15)
POLICY = Policy.default()
NAMES = ("acme", "Acme", "ACME", "Beta", "beta", "Zulu", "Ärger", "Omega")  # ties on purpose
OWNERS = ("a@x.io", "B@x.io", "b@x.io ", None)


def _vendor(vendor_id: int, rng: random.Random) -> EvaluatedVendor:
    """A vendor whose certificate lands in one of the sections (or none), sometimes with a
    waiver ending soon and a status that got worse this week; its review and renewal
    decision land within their sections' windows or just past them."""
    expires = AS_OF + timedelta(days=rng.randint(-40, 95))
    cert = IsoCertificate(
        id=vendor_id * 10,
        received_on=date(2025, 1, 1),
        standard_version="2022",
        certificate_number=f"IS-{vendor_id}",
        certification_body="BSI",
        accreditation_body="UKAS",
        issued_on=date(2025, 1, 1),
        expires_on=expires,
        last_surveillance_on=AS_OF - timedelta(days=20),
    )
    ends = AS_OF + timedelta(days=rng.randint(0, 30))
    waivers = (
        Waiver(id=vendor_id * 10 + 1, code="ISO_EXPIRING", granted_on=AS_OF, expires_on=ends),
    )
    before, after = rng.choice([("approved", "blocked"), ("approved", "conditional")])
    changes = (StatusChangeFact(AS_OF - timedelta(days=rng.randint(0, 6)), before, after),)
    case = VendorCase(VendorFacts(tier="medium", requirement="iso27001"), (cert,), waivers)
    return EvaluatedVendor(
        info=VendorInfo(vendor_id, rng.choice(NAMES), "medium", rng.choice(OWNERS)),
        case=case,
        assessment=evaluate(case, POLICY, as_of=AS_OF),
        changes=changes if rng.random() < 0.5 else (),
        review_due_on=AS_OF + timedelta(days=rng.randint(-20, 40)),
        decision=DecisionFact(
            on=(on := AS_OF + timedelta(days=rng.randint(-10, 100))),
            contract_end_on=on + timedelta(days=30),
            status=rng.choice(["approved", "conditional", "blocked"]),
        ),
    )


@pytest.fixture(scope="module")
def vendors() -> list[EvaluatedVendor]:
    """600 vendors in a shuffled order: more than 64 rows + twice the limit in each section,
    so the sections are cut while they fill, not only at the end."""
    rng = random.Random(20260615)
    found = [_vendor(i, rng) for i in range(1, 601)]
    rng.shuffle(found)
    return found


def _requests() -> list[OverdueRequest]:
    """Evidence requests of the 600 vendors: most overdue by up to 20 days (ties on purpose),
    some due today or later, which the digest leaves out."""
    rng = random.Random(20261206)
    return [
        OverdueRequest(
            id=i,
            vendor_id=rng.randint(1, 600),
            documents=("SOC 2 report",),
            due_on=AS_OF + timedelta(days=rng.randint(-20, 3)),
            contact=f"sec{i}@vendor.example",
        )
        for i in range(1, 401)
    ]


REQUESTS = _requests()


def _build(vendors, **options):
    return build_digest(
        vendors,
        as_of=AS_OF,
        policy=POLICY,
        base_url="https://v.example",
        requests=REQUESTS,
        **options,
    )


RANK = {"approved": 0, "conditional": 1, "blocked": 2}
ORDER = {  # SPEC §8's order of each section, written out again: soonest (worst) first
    "expired": lambda r: (r.valid_until, r.vendor.name.casefold(), r.evidence_id),
    "expiring_30": lambda r: (r.valid_until, r.vendor.name.casefold(), r.evidence_id),
    "expiring_60": lambda r: (r.valid_until, r.vendor.name.casefold(), r.evidence_id),
    "expiring_90": lambda r: (r.valid_until, r.vendor.name.casefold(), r.evidence_id),
    "worsened": lambda r: (-RANK[r.after], r.vendor.name.casefold(), r.vendor.id),
    "waivers_ending": lambda r: (r.expires_on, r.vendor.name.casefold(), r.waiver_id),
    "requests_overdue": lambda r: (r.due_on, r.vendor.name.casefold(), r.request_id),
    "reviews_due": lambda r: (r.due_on, r.vendor.name.casefold(), r.vendor.id),
    "decisions_due": lambda r: (r.decision_on, r.vendor.name.casefold(), r.vendor.id),
}


def test_the_full_digest_is_in_the_section_s_order_even_among_ties(vendors):
    full = _build(vendors)
    for name, key in ORDER.items():
        rows = getattr(full, name)
        assert list(rows) == sorted(rows, key=key), name
        keys = [key(r)[:2] for r in rows]
        assert len(set(keys)) < len(keys), f"{name}: no ties to break"


def _first(digest, limit: int):
    """The full digest with each section cut to its first `limit` rows, by hand."""
    cut = {name: getattr(digest, name)[:limit] for name in SECTIONS}
    return replace(digest, owner_digests=None, **cut)


@pytest.mark.parametrize("limit", [1, 3, 20])
def test_each_section_keeps_the_rows_a_full_sort_puts_first(vendors, limit):
    full, cut = _build(vendors), _build(vendors, limit=limit)
    assert all(full.sizes[name] > 64 + 2 * limit for name in SECTIONS)
    for name in SECTIONS:
        assert getattr(cut, name) == getattr(full, name)[:limit], name
        assert cut.sizes[name] == len(getattr(full, name)), name
    assert cut == _first(full, limit) and not complete(cut) and complete(full)
    assert cut.totals == full.totals and subject(cut) == subject(full)


def test_the_e_mail_of_a_cut_digest_is_the_e_mail_of_every_row(vendors):
    full, cut = _build(vendors), _build(vendors, limit=3)
    assert render(cut, limit=3) == render(full, limit=3)
    letter = render(cut)  # asked for more rows than were kept: still says how many are left
    more = full.sizes["expired"] - 3
    assert f"… and {more} more, listed at https://v.example/digest?as_of=2026-06-15&full=1" in (
        letter.text
    )
    assert f"EXPIRED OR STALE, NOT YET REPLACED ({full.sizes['expired']})" in letter.text


def test_a_section_within_the_limit_is_whole(vendors):
    few = vendors[:5]
    assert _build(few, limit=250) == _build(few) and complete(_build(few, limit=250))
    assert is_empty(_build([], limit=2)) and not is_empty(_build(few, limit=1))


def test_owners_digests_are_cut_the_same_way(vendors):
    full, cut = _build(vendors), _build(vendors, limit=2, owners=True)
    assert owners(cut) == owners(full) == ["a@x.io", "b@x.io"]
    for address in ("a@x.io", "B@X.IO", "nobody@x.io"):
        mine = for_owner(cut, address)
        expected = _first(for_owner(full, address), 2)
        assert mine == expected and mine.scope == address
        assert render(mine, limit=2) == render(for_owner(full, address), limit=2)
    assert is_empty(for_owner(cut, "nobody@x.io"))


def test_a_cut_digest_built_without_owners_refuses_to_guess_theirs(vendors):
    cut = _build(vendors, limit=2)
    with pytest.raises(ValueError, match="owners=True"):
        for_owner(cut, "a@x.io")
    with pytest.raises(ValueError, match="owners=True"):
        owners(cut)


def test_collect_cuts_in_the_database_pass_too(demo):
    with session_scope(writes=False) as session:
        full = collect(session=session, as_of=DEMO_DAY, base_url="https://v.example", limit=None)
        cut = collect(
            session=session, as_of=DEMO_DAY, base_url="https://v.example", limit=1, owners=True
        )
    assert cut == _first(full, 1) and cut.sizes == full.sizes
    assert sum(full.sizes.values()) > len(SECTIONS)  # the demo has something to cut
    for owner in owners(full):
        assert for_owner(cut, owner) == _first(for_owner(full, owner), 1)
