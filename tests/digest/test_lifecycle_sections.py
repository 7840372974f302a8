"""The digest's "Reviews overdue or due within 30 days" and "Renewal decisions within 90 days"
(SPEC §12): read from the materialised review_due_on and decision, each decision with the
status at its decision date and "notice passed" once missed; archived vendors are in neither."""

from datetime import date, timedelta

from conftest import TEST_TODAY
from factories import vendor_body
from typer.testing import CliRunner
from web.support import web_client

from app.cli import app
from app.digest.build import (
    DecisionFact,
    EvaluatedVendor,
    VendorInfo,
    build_digest,
    for_owner,
)
from app.rules.engine import evaluate
from app.rules.facts import VendorCase, VendorFacts
from app.rules.policy import Policy

AS_OF = TEST_TODAY
POLICY = Policy.default()
CHECKS = {"data_returned_or_deleted": "yes", "access_removed": "yes"}
runner = CliRunner()


def _evaluated(vendor_id: int, *, owner=None, review_due_on=None, decision=None):
    case = VendorCase(VendorFacts(tier="high", requirement="soc2"), (), ())
    return EvaluatedVendor(
        info=VendorInfo(vendor_id, f"Vendor {vendor_id}", "high", owner),
        case=case,
        assessment=evaluate(case, POLICY, as_of=AS_OF),
        review_due_on=review_due_on,
        decision=decision,
    )


def _decision(days: int, *, end_after: int = 30, status="blocked", reasons=("SOC2_MISSING",)):
    on = AS_OF + timedelta(days=days)
    return DecisionFact(on, on + timedelta(days=end_after), status, reasons)


def _build(vendors):
    return build_digest(vendors, as_of=AS_OF, policy=POLICY, base_url="https://v.example")


def test_reviews_due_within_30_days_and_overdue_are_listed_31_days_on_not():
    due = {1: -40, 2: -1, 3: 0, 4: 30, 5: 31, 6: None}
    vendors = [
        _evaluated(i, review_due_on=None if d is None else AS_OF + timedelta(days=d))
        for i, d in due.items()
    ]
    digest = _build(vendors)
    rows = [(r.vendor.id, r.days, r.overdue) for r in digest.reviews_due]
    assert rows == [(1, 40, True), (2, 1, True), (3, 0, False), (4, 30, False)]
    assert digest.sizes["reviews_due"] == 4


def test_decisions_within_90_days_are_listed_91_days_on_not_and_a_missed_one_says_so():
    vendors = [
        _evaluated(1, decision=_decision(90)),
        _evaluated(2, decision=_decision(91)),
        _evaluated(3, decision=_decision(0, status="approved", reasons=())),
        _evaluated(4, decision=_decision(-5)),  # notice passed, the contract still runs
        _evaluated(5, decision=_decision(-40, end_after=30)),  # the contract has ended
        _evaluated(6),
    ]
    digest = _build(vendors)
    rows = [(r.vendor.id, r.days, r.notice_passed, r.status) for r in digest.decisions_due]
    assert rows == [(4, 5, True, "blocked"), (3, 0, False, "approved"), (1, 90, False, "blocked")]
    assert digest.decisions_due[0].reasons == ("SOC2_MISSING",)
    assert digest.decisions_due[0].contract_end_on == AS_OF + timedelta(days=25)


def test_an_owner_s_digest_has_only_their_reviews_and_decisions():
    vendors = [
        _evaluated(1, owner="a@x.io", review_due_on=AS_OF, decision=_decision(10)),
        _evaluated(2, owner="b@x.io", review_due_on=AS_OF, decision=_decision(10)),
    ]
    for digest in (_build(vendors), build_digest(
        vendors, as_of=AS_OF, policy=POLICY, base_url="", owners=True
    )):  # fmt: skip
        mine = for_owner(digest, "A@x.io")
        assert [r.vendor.id for r in mine.reviews_due] == [1]
        assert [r.vendor.id for r in mine.decisions_due] == [1]


# --- from the database, through the API and the e-mail -----------------------------------------


def _create(client, **overrides) -> dict:
    response = client.post("/api/v1/vendors", json=vendor_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def _contract(decide_in: int, notice_days: int = 10) -> dict:
    """A contract whose renewal must be decided `decide_in` days after TEST_TODAY."""
    end = AS_OF + timedelta(days=decide_in + notice_days)
    return {"contract_end_on": end.isoformat(), "notice_days": notice_days}


def _preview(reader) -> dict:
    response = reader.get("/api/v1/digest/preview", params={"as_of": AS_OF.isoformat()})
    assert response.status_code == 200, response.text
    return response.json()


def _text(*args: str) -> str:
    result = runner.invoke(app, ["digest", "preview", "--as-of", AS_OF.isoformat(), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_sections_read_the_stored_columns_and_leave_archived_vendors_out(analyst, reader):
    _create(analyst, name="Ninety Co", owner_email="ann@example.com", **_contract(90))
    at_91 = _create(analyst, name="Ninety-One Co", **_contract(91))
    _create(analyst, name="Latecomer", **_contract(-3, notice_days=30))
    reviewed = _create(analyst, name="Reviewed Ltd")
    on = date(2025, 5, 1)  # a high-tier vendor is reviewed every 12 months: due 2026-05-01
    body = {"reviewed_on": on.isoformat(), "outcome": "approved", "notes": ""}
    assert analyst.post(f"/api/v1/vendors/{reviewed['id']}/reviews", json=body).status_code == 201
    gone = _create(analyst, name="Gone Co", **_contract(10))
    archive = {"reason": "contract ended", "checks": CHECKS}
    assert analyst.post(f"/api/v1/vendors/{gone['id']}/archive", json=archive).status_code == 200

    data = _preview(reader)
    decisions = {r["vendor"]["name"]: r for r in data["decisions_due"]}
    assert set(decisions) == {"Ninety Co", "Latecomer"}
    assert decisions["Ninety Co"]["decision_on"] == (AS_OF + timedelta(days=90)).isoformat()
    assert (decisions["Ninety Co"]["days"], decisions["Ninety Co"]["notice_passed"]) == (90, False)
    assert decisions["Ninety Co"]["status"] == "blocked" and decisions["Ninety Co"]["reasons"]
    assert (decisions["Latecomer"]["days"], decisions["Latecomer"]["notice_passed"]) == (3, True)
    reviews = {r["vendor"]["name"]: r for r in data["reviews_due"]}
    assert reviews["Reviewed Ltd"] == {
        **reviews["Reviewed Ltd"],
        "due_on": "2026-05-01",
        "days": 45,
        "overdue": True,
    }
    assert reviews["Ninety Co"]["due_on"] == AS_OF.isoformat()  # never reviewed: due today
    assert "Gone Co" not in reviews and "Gone Co" not in decisions
    assert at_91["id"] not in {r["vendor"]["id"] for r in data["decisions_due"]}

    text = _text()
    assert "REVIEWS OVERDUE OR DUE WITHIN 30 DAYS (4)" in text
    assert "Reviewed Ltd [high] — review due 2026-05-01, 45 days overdue" in text
    assert "RENEWAL DECISIONS WITHIN 90 DAYS (2)" in text
    assert "Latecomer [high] — renewal decision by 2026-06-12, notice passed 3 days ago" in text
    assert "Ninety Co [high] — renewal decision by 2026-09-13, in 90 days" in text
    assert "status then: blocked" in text and "Gone Co" not in text
    mine = _text("--owner", "ann@example.com")
    assert "RENEWAL DECISIONS WITHIN 90 DAYS (1)" in mine and "Latecomer" not in mine


def test_the_digest_page_shows_the_sections(app, analyst):
    _create(analyst, name="Soon Co", **_contract(20))
    with web_client(app, "reader") as client:
        html = client.get("/digest/letter", params={"as_of": AS_OF.isoformat()}).text
    assert "Renewal decisions within 90 days (1)" in html and "Soon Co" in html
    assert "Reviews overdue or due within 30 days (1)" in html
