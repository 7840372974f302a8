"""Bulk writes: rows as dicts, written without building ORM objects.

Building tens of thousands of SQLModel objects and flushing them costs seconds; these helpers
write the same rows the services would (audit entries as `audit.service.record` adds them,
materialised status as `status.service.store_assessment` stores it) with executemany
statements, or COPY on PostgreSQL. Ids are drawn before the rows are written, so the audit
entries and status changes of a batch can name them.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, bindparam, func, insert, select, text, update
from sqlmodel import Session, SQLModel, col

from app.models import StatusChange, Vendor, VendorReview
from app.rules.engine import Assessment, evaluate
from app.rules.facts import VendorCase
from app.status.service import (
    calendar_columns,
    current_policy,
    evidence_expiry,
    flag_dict,
    load_cases,
    review_due_of,
)

_VENDORS = Vendor.__table__


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """A row's values as the audit log stores them (dates as ISO strings)."""
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}


def columns_of(model: type[SQLModel]) -> tuple[str, ...]:
    """The column names of a table, in order."""
    return tuple(c.name for c in model.__table__.columns)


def audit_row(
    *, entity: str, entity_id: int, vendor_id: int, action: str, actor: str, at: datetime,
    after: dict, before: dict | None = None,
) -> dict:  # fmt: skip
    """An audit entry as a row (what `audit.service.record` would add)."""
    return dict(
        at=at, actor=actor, entity=entity, entity_id=entity_id, action=action,
        vendor_id=vendor_id, before=before, after=jsonable(after),
    )  # fmt: skip


def next_ids(session: Session, model: type[SQLModel], count: int) -> list[int]:
    """Ids for `count` new rows, known before they are written (so that audit entries and
    status changes can name them without RETURNING): from the sequence on PostgreSQL; on
    SQLite, after the largest id — the import holds the write lock (BEGIN IMMEDIATE)."""
    table = model.__table__
    if session.connection().dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
        return list(session.scalars(query, {"t": table.name, "n": count}))
    start = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(start + 1, start + count + 1))


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict]) -> None:
    """Write `rows` (dicts with the same keys) into `model`'s table, in the session's
    transaction: COPY on PostgreSQL (an executemany there spends seconds formatting one huge
    statement per page), an executemany INSERT elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(model.__table__), list(rows))
        return
    columns = list(rows[0])
    json = {c.name for c in model.__table__.columns if isinstance(c.type, JSON)}
    statement = f"COPY {model.__table__.name} ({', '.join(columns)}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([Json(row[c]) if c in json else row[c] for c in columns])


def status_columns(vendor: Any, case: VendorCase, assessment: Assessment, today: date) -> dict:
    """The materialised assessment, as `store_assessment` stores it on the vendor's row (with
    the renewal decision; `vendor`: a row or namespace with the lifecycle and contract)."""
    return dict(
        status=assessment.status,
        status_on=today,
        next_review_on=assessment.next_review_on,
        flags=[flag_dict(f) for f in assessment.flags],
        evidence_expires_on=evidence_expiry(case, today=today),
        **calendar_columns(vendor, case, assessment, today),
    )


def last_reviews(session: Session, vendor_ids: Sequence[int]) -> dict[int, date]:
    """The day of each vendor's latest review, for those reviewed."""
    query = (
        select(VendorReview.vendor_id, func.max(VendorReview.reviewed_on))
        .where(col(VendorReview.vendor_id).in_(vendor_ids))
        .group_by(VendorReview.vendor_id)
    )
    return dict(session.connection().execute(query).all())


def status_change(
    vendor_id: int, before: str | None, after: str, today: date, now: datetime
) -> dict | None:
    """The status_changes row a new status calls for (None when it did not change)."""
    if before == after:
        return None
    return dict(vendor_id=vendor_id, changed_on=today, changed_at=now, before=before, after=after)


def reevaluate(session: Session, vendor_ids: Sequence[int], today: date, now: datetime) -> None:
    """Evaluate these vendors for `today` and store the result (ids: at most a batch)."""
    policy = current_policy()
    query = select(
        _VENDORS.c.id, _VENDORS.c.tier, _VENDORS.c.requirement, _VENDORS.c.data_access,
        _VENDORS.c.required_tsc, _VENDORS.c.status, _VENDORS.c.status_on, _VENDORS.c.lifecycle,
        _VENDORS.c.contract_end_on, _VENDORS.c.notice_days, _VENDORS.c.auto_renews,
        _VENDORS.c.renewal_term_months, _VENDORS.c.first_review_due_on,
    ).where(col(Vendor.id).in_(vendor_ids))  # fmt: skip
    vendors = session.connection().execute(query).all()
    reviewed = last_reviews(session, vendor_ids)
    updates, changes = [], []
    for vendor, case in zip(vendors, load_cases(session=session, vendors=vendors), strict=True):
        assessment = evaluate(case, policy, as_of=today)
        review_due_on = review_due_of(vendor, reviewed.get(vendor.id))
        columns = status_columns(vendor, case, assessment, today)
        updates.append({"vendor_id": vendor.id, "review_due_on": review_due_on, **columns})
        before = vendor.status if vendor.status_on is not None else None
        changes.append(status_change(vendor.id, before, assessment.status, today, now))
    statement = update(_VENDORS).where(_VENDORS.c.id == bindparam("vendor_id"))
    session.connection().execute(statement, updates)
    insert_rows(session, StatusChange, [c for c in changes if c])
