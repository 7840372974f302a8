"""Every vendor, streamed: Core rows read in keyset batches, straight into the facts.

`vetted evaluate` reads 100,000 vendors and their evidence this way: no ORM objects, only
the columns the rules read, and memory bounded by one batch. `read_all` runs the same
queries and builds nothing: the baseline the benchmark compares evaluation with.
"""

import gc
import multiprocessing
import os
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from typing import TypeVar

from sqlalchemy import Connection, Row, select
from sqlmodel import col

from app.db import get_engine, session_scope
from app.models import Evidence, Vendor, Waiver
from app.rules.engine import Assessment, evaluate
from app.rules.facts import VendorCase
from app.status.service import build_case, current_policy

BATCH = 2000
T = TypeVar("T")
VENDOR_COLUMNS = (
    Vendor.id,
    Vendor.name,
    Vendor.tier,
    Vendor.requirement,
    Vendor.data_access,
    Vendor.required_tsc,
    Vendor.lifecycle,
)
EVIDENCE_FIELDS = (
    "id",
    "vendor_id",
    "kind",
    "received_on",
    "retracted_at",
    "report_type",
    "period_start",
    "period_end",
    "opinion",
    "auditor",
    "issued_on",
    "tsc",
    "exceptions_noted",
    "subservice_orgs",
    "cuecs",
    "standard_version",
    "certificate_number",
    "certification_body",
    "accreditation_body",
    "expires_on",
    "initial_certification_on",
    "last_surveillance_on",
    "certificate_status",
    "scope_covers_services",
    "soc2_report_id",
    "covers_until",
    "signed_on",
)
EVIDENCE_COLUMNS = tuple(getattr(Evidence, name) for name in EVIDENCE_FIELDS)
WAIVER_COLUMNS = (
    Waiver.id,
    Waiver.vendor_id,
    Waiver.code,
    Waiver.evidence_id,
    Waiver.granted_on,
    Waiver.expires_on,
    Waiver.revoked_at,
)

Batch = tuple[list[Row], dict[int, list[Row]], dict[int, list[Row]]]


def _by_vendor(rows) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.vendor_id].append(row)
    return grouped


def batches(
    conn: Connection, *, size: int = BATCH, after: int = 0, upto: int | None = None
) -> Iterator[Batch]:
    """Vendors in id order (ids in (after, upto]), `size` at a time, with their evidence and
    waivers by vendor id: three queries a batch, each a range on an index."""
    last = after
    while True:
        query = select(*VENDOR_COLUMNS).where(col(Vendor.id) > last).order_by(col(Vendor.id))
        if upto is not None:
            query = query.where(col(Vendor.id) <= upto)
        vendors = conn.execute(query.limit(size)).all()
        if not vendors:
            return
        first, last = vendors[0].id, vendors[-1].id
        evidence = select(*EVIDENCE_COLUMNS).where(col(Evidence.vendor_id).between(first, last))
        waivers = select(*WAIVER_COLUMNS).where(col(Waiver.vendor_id).between(first, last))
        yield vendors, _by_vendor(conn.execute(evidence)), _by_vendor(conn.execute(waivers))


def read_all(conn: Connection, *, size: int = BATCH) -> int:
    """Read every row `evaluate_all` reads and build nothing; returns how many vendors."""
    return sum(len(vendors) for vendors, _, _ in batches(conn, size=size))


# Rows as named tuples: the facts read two dozen attributes a record, and a named tuple's
# attribute costs a tenth of a Row's.
VendorRow = namedtuple("VendorRow", [c.key for c in VENDOR_COLUMNS])
EvidenceRow = namedtuple("EvidenceRow", EVIDENCE_FIELDS)
WaiverRow = namedtuple("WaiverRow", [c.key for c in WAIVER_COLUMNS])


def iter_cases(conn: Connection, **where) -> Iterator[tuple[VendorRow, VendorCase]]:
    """Every vendor's row (id, name, tier, …) with its case (`where`: as for `batches`)."""
    for vendors, evidence, waivers in batches(conn, **where):
        for vendor in map(VendorRow._make, vendors):
            mine = map(EvidenceRow._make, evidence.get(vendor.id, ()))
            yield vendor, build_case(vendor, mine, map(WaiverRow._make, waivers.get(vendor.id, ())))


def evaluate_all(
    conn: Connection, *, as_of: date, **where
) -> Iterator[tuple[VendorRow, Assessment]]:
    """Every vendor's row with its assessment on `as_of`."""
    policy = current_policy()
    for vendor, case in iter_cases(conn, **where):
        yield vendor, evaluate(case, policy, as_of=as_of)


# --- on every core ------------------------------------------------------------------------------

Line = Callable[[Row, Assessment], T]


def id_ranges(conn: Connection, *, size: int = BATCH) -> list[tuple[int, int]]:
    """(after, upto] ranges of vendor ids holding `size` vendors each, in id order."""
    ids = conn.execute(select(Vendor.id).order_by(col(Vendor.id))).scalars().all()
    return [
        (ids[start - 1] if start else 0, ids[min(start + size, len(ids)) - 1])
        for start in range(0, len(ids), size)
    ]


def _forget_parent_connections() -> None:
    get_engine().dispose(close=False)  # a forked child opens its own connections


@contextmanager
def rare_collections(threshold: int = 20_000) -> Iterator[None]:
    """The cycle collector run rarely: a range's rows and facts are short-lived and acyclic,
    and at the default thresholds (700, 10, 10) its passes took a fifth of the time."""
    thresholds = gc.get_threshold()
    gc.freeze()  # what is there already (modules, the policy) is not scanned again
    gc.set_threshold(threshold, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _evaluate_range(job: tuple[int, int, date, Line]) -> list:
    after, upto, as_of, line = job
    with rare_collections(), session_scope(writes=False) as session:
        pairs = evaluate_all(session.connection(), as_of=as_of, after=after, upto=upto)
        return [line(vendor, assessment) for vendor, assessment in pairs]


def map_assessments(
    line: Line, *, as_of: date, workers: int | None = None, size: int = BATCH
) -> Iterator[T]:
    """`line(vendor, assessment)` for every vendor, in id order, evaluated on every core.

    Worker processes (forked) each read and evaluate a range of ids; the results come back
    in order. `line` must be a module-level function (it is sent to the workers by name).
    """
    with session_scope(writes=False) as session:
        ranges = id_ranges(session.connection(), size=size)
    jobs = [(after, upto, as_of, line) for after, upto in ranges]
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        for job in jobs:
            yield from _evaluate_range(job)
        return
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, fork, initializer=_forget_parent_connections) as pool:
        for lines in pool.map(_evaluate_range, jobs):
            yield from lines
