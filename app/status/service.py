"""The bridge between stored rows and the pure rules: rows → facts → evaluate → status.

Each vendor's assessment for today is materialised on its row (status, flags,
next_review_on) so that lists filter by an index; a stored assessment is true for
dates in [status_on, refresh_on). The writes and the daily pass store; reads never
write: a vendor whose stored assessment has lapsed is evaluated for the answer.

Beside it the row holds the calendar of SPEC §12, kept true as days pass:
- `review_due_on` moves only with a write (a review recorded, the tier changed, archiving or
  reactivating), each of which calls `materialise`; the passing of days leaves it as it is.
- `decision_on`, `decision_status` and `decision` are the renewal decision seen on status_on.
  Without a write it can change only on the day after the decision date (it becomes missed and
  then follows the day's status), the day after the current contract end (the contract ends or
  rolls over), on the days the status itself changes (next_review_on) and the day a
  waiver granted or a document received with a later date starts to count (`review_wakeups`).
  `refresh_on` is the earliest of those days and of next_review_on: the daily pass selects on
  it (`due_ids`), so the row is re-evaluated on the first day any of them could differ.
- An archived vendor has no review due, no decision and no refresh_on: it leaves the daily pass.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from itertools import islice
from pathlib import Path

from sqlalchemy import Row, bindparam, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app import clock
from app.config import get_settings
from app.db import read
from app.errors import NotFound
from app.evidence.kinds import evidence_facts
from app.models import Evidence, StatusChange, Vendor, VendorReview, Waiver
from app.rules import facts
from app.rules.contract import Contract, Decision, decide, review_due, review_wakeups
from app.rules.engine import Assessment, Coverage, Flag, coverage, evaluate, evaluate_with_coverage
from app.rules.policy import Policy, load_policy
from app.status.schemas import DecisionRead, FlagRead, StatusRead


@lru_cache
def _policy_at(path: Path) -> Policy:
    return load_policy(path)


def current_policy() -> Policy:
    """The requirement policy the settings point at (read once per path)."""
    return _policy_at(get_settings().policy_path)


def vendor_facts(vendor: Vendor) -> facts.VendorFacts:
    """What the rules need to know about the vendor itself."""
    tsc = tuple(vendor.required_tsc) if vendor.required_tsc else None
    return facts.VendorFacts(
        tier=vendor.tier,
        requirement=vendor.requirement,
        data_access=vendor.data_access,
        required_tsc=tsc,
        lifecycle=vendor.lifecycle,
    )


def waiver_facts(row: Waiver) -> facts.Waiver:
    """One waiver row as a fact."""
    return facts.Waiver(
        id=row.id,
        code=row.code,
        granted_on=row.granted_on,
        expires_on=row.expires_on,
        evidence_id=row.evidence_id,
        revoked=row.revoked_at is not None,
    )


def build_case(
    vendor: Vendor, evidence: Iterable[Evidence], waivers: Iterable[Waiver]
) -> facts.VendorCase:
    """A vendor with its evidence and waivers, ready for `evaluate`."""
    found = (evidence_facts(e) for e in evidence if e.retracted_at is None)
    return facts.VendorCase(
        vendor=vendor_facts(vendor),
        evidence=tuple(filter(None, found)),  # None: a kind the rules do not read
        waivers=tuple(waiver_facts(w) for w in waivers if w.revoked_at is None),
    )


def load_case(*, session: Session, vendor: Vendor) -> facts.VendorCase:
    """Read a vendor's evidence and waivers and build its case."""
    evidence = session.exec(select(Evidence).where(Evidence.vendor_id == vendor.id))
    waivers = session.exec(select(Waiver).where(Waiver.vendor_id == vendor.id))
    return build_case(vendor, evidence, waivers)


def assess(*, session: Session, vendor: Vendor, as_of: date) -> Assessment:
    """Evaluate a vendor's evidence as of a date."""
    return evaluate(load_case(session=session, vendor=vendor), current_policy(), as_of=as_of)


def flag_dict(flag: Flag) -> dict:
    """A flag as stored and as the API returns it."""
    return {
        "code": flag.code,
        "severity": flag.severity,
        "message": flag.message,
        "evidence_id": flag.evidence_id,
        "waived": flag.waived,
        "waiver_id": flag.waiver_id,
    }


def materialised(assessment: Assessment, cover: Coverage) -> dict:
    """The vendor row's columns that hold an assessment (and the coverage it rests on)."""
    return {
        "status": assessment.status,
        "flags": [flag_dict(f) for f in assessment.flags],
        "evidence_expires_on": expiry_of(cover),
        "next_review_on": assessment.next_review_on,
    }


def contract_of(vendor: Vendor | Row) -> Contract | None:
    """The vendor's contract, if it has one."""
    if vendor.contract_end_on is None:
        return None
    return Contract(
        end_on=vendor.contract_end_on,
        notice_days=vendor.notice_days,
        auto_renews=vendor.auto_renews,
        renewal_term_months=vendor.renewal_term_months,
    )


def decision_of(vendor: Vendor | Row, case: facts.VendorCase, *, as_of: date) -> Decision | None:
    """The renewal decision seen on `as_of` (none for an archived vendor: it is offboarded)."""
    if vendor.lifecycle == "archived":
        return None
    return decide(case, current_policy(), contract_of(vendor), as_of=as_of)


def decision_dict(decision: Decision | None) -> dict | None:
    """A decision as stored and as the API returns it."""
    if decision is None:
        return None
    return {
        "on": decision.on.isoformat(),
        "contract_end_on": decision.contract_end_on.isoformat(),
        "missed": decision.missed,
        "status": decision.status,
        "flags": [flag_dict(f) for f in decision.flags],
    }


def calendar_columns(
    vendor: Vendor | Row, case: facts.VendorCase, assessment: Assessment, today: date
) -> dict:
    """The decision columns and `refresh_on` (see the module's docstring)."""
    if vendor.lifecycle == "archived":
        return dict(decision_on=None, decision_status=None, decision=None, refresh_on=None)
    decision = decision_of(vendor, case, as_of=today)
    days = [d for d in (assessment.next_review_on,) if d] + review_wakeups(case, decision, today)
    return dict(
        decision_on=decision.on if decision else None,
        decision_status=decision.status if decision else None,
        decision=decision_dict(decision),
        refresh_on=min(days, default=None),
    )


def last_reviewed_on(*, session: Session, vendor_id: int) -> date | None:
    """The day of the vendor's latest review (of any outcome), if any."""
    query = select(VendorReview.reviewed_on).where(VendorReview.vendor_id == vendor_id)
    return session.exec(query.order_by(col(VendorReview.reviewed_on).desc()).limit(1)).first()


def review_due_of(vendor: Vendor | Row, last_reviewed: date | None) -> date | None:
    """When the vendor's next review is due (none while archived)."""
    if vendor.lifecycle == "archived":
        return None
    every = current_policy().tiers[vendor.tier].review_every_months
    return review_due(last_reviewed, every, vendor.first_review_due_on)


def store_assessment(
    *,
    session: Session,
    vendor: Vendor,
    assessment: Assessment,
    cover: Coverage,
    case: facts.VendorCase,
    today: date,
) -> None:
    """Materialise today's assessment on the vendor's row, noting a change of status."""
    before = vendor.status if vendor.status_on is not None else None
    if before != assessment.status:
        session.add(
            StatusChange(
                vendor_id=vendor.id,
                changed_on=today,
                changed_at=clock.utc_now(),
                before=before,
                after=assessment.status,
            )
        )
    columns = materialised(assessment, cover) | calendar_columns(vendor, case, assessment, today)
    for column, value in columns.items():
        setattr(vendor, column, value)
    vendor.status_on = today
    session.add(vendor)


def materialise(*, session: Session, vendor: Vendor, today: date) -> Assessment:
    """Re-evaluate a vendor for today and store the result (after any write)."""
    session.flush()
    case = load_case(session=session, vendor=vendor)
    assessment, cover = evaluate_with_coverage(case, current_policy(), as_of=today)
    vendor.review_due_on = review_due_of(
        vendor, last_reviewed_on(session=session, vendor_id=vendor.id)
    )
    store_assessment(
        session=session, vendor=vendor, assessment=assessment, cover=cover, case=case, today=today
    )
    return assessment


def expiry_of(cover: Coverage) -> date | None:
    """The earliest of the current report's currency end and the certificate's expiry."""
    ends = [d for d in (cover.report_currency_end, cover.certificate_effective_expiry) if d]
    return min(ends, default=None)


def evidence_expiry(case: facts.VendorCase, *, today: date) -> date | None:
    """`expiry_of` the case's coverage on `today`."""
    return expiry_of(coverage(case, current_policy(), as_of=today))


def holds(status_on: date | None, refresh_on: date | None, as_of: date) -> bool:
    """True when an assessment stored on `status_on` holds on `as_of`."""
    if status_on is None or as_of < status_on:
        return False
    return refresh_on is None or as_of < refresh_on


def is_fresh(vendor: Vendor | Row, as_of: date) -> bool:
    """True when the stored assessment (and the decision beside it) holds on `as_of`."""
    return holds(vendor.status_on, vendor.refresh_on, as_of)


def due_ids(today: date):
    """The ids of the vendors whose stored assessment no longer holds today.

    Three index ranges, one per way it lapses, rather than one OR, which planners with
    statistics (SQLite after ANALYZE) answer by scanning every vendor.
    """
    return union_all(
        sa_select(Vendor.id).where(col(Vendor.refresh_on) <= today),
        sa_select(Vendor.id).where(col(Vendor.status_on).is_(None)),
        sa_select(Vendor.id).where(col(Vendor.status_on) > today),
    )


def due_filter(today: date):
    """The vendors whose stored assessment no longer holds today (an indexed query)."""
    return col(Vendor.id).in_(due_ids(today))


def lapsed_on(today: date):
    """The same condition, for narrowing a handful of vendors already picked by id."""
    return or_(
        col(Vendor.refresh_on) <= today,
        col(Vendor.status_on).is_(None),
        col(Vendor.status_on) > today,
    )


def refresh_some(*, session: Session, today: date, limit: int = 500) -> int:
    """Re-evaluate up to `limit` lapsed vendors; returns how many.

    The rows are locked in id order (PostgreSQL), so a concurrent refresher waits, then
    finds them no longer due: each lapse is re-evaluated once, and readers never see it twice.
    """
    # Archived vendors leave the daily pass (SPEC §12): nothing about them changes by itself.
    query = select(Vendor).where(due_filter(today), col(Vendor.lifecycle) != "archived")
    query = query.order_by(col(Vendor.id)).limit(limit)
    vendors = session.exec(query.with_for_update()).all()
    if vendors:
        _refresh_batch(session=session, vendors=vendors, today=today)
    return len(vendors)


def refresh_due(*, session: Session, today: date, batch: int = 500) -> int:
    """Re-evaluate every vendor whose stored assessment has lapsed; returns how many."""
    refreshed = 0
    while done := refresh_some(session=session, today=today, limit=batch):
        refreshed += done
    return refreshed


def load_cases(*, session: Session, vendors: Sequence[Vendor]) -> list[facts.VendorCase]:
    """The cases of several vendors, read in two queries."""
    ids = [v.id for v in vendors]
    by_vendor_e: dict[int, list[Evidence]] = {i: [] for i in ids}
    by_vendor_w: dict[int, list[Waiver]] = {i: [] for i in ids}
    for e in session.exec(select(Evidence).where(col(Evidence.vendor_id).in_(ids))):
        by_vendor_e[e.vendor_id].append(e)
    for w in session.exec(select(Waiver).where(col(Waiver.vendor_id).in_(ids))):
        by_vendor_w[w.vendor_id].append(w)
    return [build_case(v, by_vendor_e[v.id], by_vendor_w[v.id]) for v in vendors]


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` items (itertools.batched arrived in Python 3.12)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def iter_assessments(
    *, session: Session, vendors: Iterable[Vendor], as_of: date, batch: int = 1000
) -> Iterator[tuple[Vendor, Assessment]]:
    """Evaluate many vendors as of a date, reading their evidence a batch at a time."""
    policy = current_policy()
    for chunk in batched(vendors, batch):
        for vendor, case in zip(chunk, load_cases(session=session, vendors=chunk), strict=True):
            yield vendor, evaluate(case, policy, as_of=as_of)


def evaluate_many(
    *, session: Session, vendors: Sequence[Vendor], today: date
) -> Iterator[tuple[Vendor, Assessment, Coverage, facts.VendorCase]]:
    """Each vendor with its assessment on `today`, the coverage it rests on and its case."""
    policy = current_policy()
    for vendor, case in zip(vendors, load_cases(session=session, vendors=vendors), strict=True):
        yield vendor, *evaluate_with_coverage(case, policy, as_of=today), case


def _refresh_batch(*, session: Session, vendors: Sequence[Vendor], today: date) -> None:
    evaluated = evaluate_many(session=session, vendors=vendors, today=today)
    for vendor, assessment, cover, case in evaluated:
        store_assessment(
            session=session,
            vendor=vendor,
            assessment=assessment,
            cover=cover,
            case=case,
            today=today,
        )
    session.flush()


def lapsed_today(*, session: Session, vendors: Sequence[Vendor], today: date) -> dict[int, dict]:
    """`materialised` today's assessment of each of `vendors` whose stored one has lapsed,
    by vendor id: evaluated for a read's answer, never stored (the daily pass stores it)."""
    lapsed = [vendor for vendor in vendors if not is_fresh(vendor, today)]
    if not lapsed:
        return {}
    evaluated = evaluate_many(session=session, vendors=lapsed, today=today)
    return {vendor.id: materialised(a, cover) for vendor, a, cover, _ in evaluated}


def status_read(
    vendor: Vendor, assessment: Assessment, *, as_of: date, decision: Decision | None
) -> StatusRead:
    """The status object of SPEC §6 and §12."""
    return StatusRead(
        vendor_id=vendor.id,
        name=vendor.name,
        status=assessment.status,
        as_of=as_of,
        requirement=assessment.requirement,
        next_review_on=assessment.next_review_on,
        flags=[FlagRead(**flag_dict(f)) for f in assessment.flags],
        lifecycle=vendor.lifecycle,
        review_due_on=vendor.review_due_on,
        decision=_decision_read(decision_dict(decision)),
    )


def _decision_read(stored: dict | None) -> DecisionRead | None:
    return DecisionRead.model_validate(stored) if stored else None


def stored_status(vendor: Vendor | Row, *, as_of: date) -> StatusRead:
    """The status object from the materialised row (only when `is_fresh`): a Vendor, or a
    row of STORED_STATUS."""
    requirement = vendor.requirement or current_policy().tiers[vendor.tier].requirement
    return StatusRead(
        vendor_id=vendor.id,
        name=vendor.name,
        status=vendor.status,
        as_of=as_of,
        requirement=requirement,
        next_review_on=vendor.next_review_on,
        flags=[FlagRead(**f) for f in vendor.flags],
        lifecycle=vendor.lifecycle,
        review_due_on=vendor.review_due_on,
        decision=_decision_read(vendor.decision),
    )


def evaluated_status(vendor: Vendor, case: facts.VendorCase, *, as_of: date) -> StatusRead:
    """The status object evaluated from the vendor's case on `as_of`."""
    assessment = evaluate(case, current_policy(), as_of=as_of)
    decision = decision_of(vendor, case, as_of=as_of)
    return status_read(vendor, assessment, as_of=as_of, decision=decision)


def status_on(*, session: Session, vendor: Vendor, as_of: date) -> StatusRead:
    """The status object for any date: from the stored row when it holds, else evaluated."""
    if is_fresh(vendor, as_of):
        return stored_status(vendor, as_of=as_of)
    return evaluated_status(vendor, load_case(session=session, vendor=vendor), as_of=as_of)


# What `stored_status` and `is_fresh` read of a vendor: its row's status columns only. Built
# once: SQLAlchemy then reuses its compiled form and result columns as they are (a statement
# built per call costs more than the query, matching its columns to the cached ones).
STORED_STATUS = sa_select(
    Vendor.id,
    Vendor.name,
    Vendor.tier,
    Vendor.requirement,
    Vendor.status,
    Vendor.status_on,
    Vendor.next_review_on,
    Vendor.flags,
    Vendor.refresh_on,
    Vendor.lifecycle,
    Vendor.review_due_on,
    Vendor.decision,
).where(Vendor.id == bindparam("vendor_id"))


def status_by_id(*, session: Session, vendor_id: int, as_of: date) -> StatusRead:
    """`status_on` of the vendor `vendor_id`, or NotFound: one primary-key read of the status
    columns while the stored assessment holds (Core, on the session's connection: the ORM's
    own execution costs several times the query), the vendor's file evaluated otherwise."""
    row = session.connection().execute(STORED_STATUS, {"vendor_id": vendor_id}).first()
    if row is None:
        raise NotFound(f"vendor {vendor_id} not found")
    if is_fresh(row, as_of):
        return stored_status(row, as_of=as_of)
    return status_on(session=session, vendor=session.get(Vendor, vendor_id), as_of=as_of)


async def read_status(vendor_id: int, *, as_of: date) -> StatusRead:
    """`status_by_id`, awaited (GET /vendors/{id}/status)."""
    return await read(lambda s: status_by_id(session=s, vendor_id=vendor_id, as_of=as_of))
