"""The snapshot's memo of accreditation-body matches answers for the policy at hand."""

from __future__ import annotations

import gc
from datetime import date

from app.rules.accreditation import AccreditationBody, AccreditationRegistry
from app.rules.facts import IsoCertificate, VendorCase, VendorFacts
from app.rules.policy import Policy
from app.rules.snapshot import take_snapshot

AS_OF = date(2026, 6, 15)


def _case(body: str | None) -> VendorCase:
    certificate = IsoCertificate(
        id=1,
        received_on=date(2026, 1, 1),
        standard_version="2022",
        certificate_number="C-1",
        certification_body="LRQA",
        accreditation_body=body,
        issued_on=date(2026, 1, 1),
        expires_on=date(2028, 12, 31),
    )
    return VendorCase(VendorFacts(tier="medium"), (certificate,))


def _only(*names: str) -> Policy:
    bodies = [AccreditationBody(name=n, country="XX", acronym=n) for n in names]
    return Policy(accreditation=AccreditationRegistry.of(bodies))


def test_each_policy_gets_its_own_answer_for_the_same_body() -> None:
    default, other = Policy.default(), _only("ZZAB")
    for _ in range(3):
        assert take_snapshot(_case("UKAS"), default, as_of=AS_OF).recognised
        assert not take_snapshot(_case("UKAS"), other, as_of=AS_OF).recognised
        assert take_snapshot(_case("ZZAB"), other, as_of=AS_OF).recognised
        assert not take_snapshot(_case("ZZAB"), default, as_of=AS_OF).recognised
        assert not take_snapshot(_case(None), default, as_of=AS_OF).recognised


def test_a_new_registry_at_a_freed_address_is_asked_afresh() -> None:
    for n in range(50):  # freed registries' ids are reused; none may answer for another
        name = f"BODY{n}"
        policy = _only(name)
        assert take_snapshot(_case(name), policy, as_of=AS_OF).recognised
        assert not take_snapshot(_case(f"BODY{n - 1}"), policy, as_of=AS_OF).recognised
        del policy
        gc.collect()
