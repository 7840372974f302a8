"""The append-only audit log: every write records who, what and the values around it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app import clock
from app.errors import Conflict
from app.models import AuditEntry


def snapshot(row: SQLModel | None, columns: Iterable[str] | None = None) -> dict[str, Any] | None:
    """A row's columns (or only `columns`) as JSON-ready values (dates as ISO strings)."""
    if row is None:
        return None
    values = row.model_dump(include=set(columns) if columns is not None else None)
    return {key: _jsonable(value) for key, value in values.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# The audit log's name for a row of each table.
ENTITIES = {
    "vendors": "vendor",
    "evidence": "evidence",
    "waivers": "waiver",
    "users": "user",
    "api_tokens": "api_token",
    "digest_deliveries": "digest_delivery",
    "evidence_requests": "evidence_request",
    "evidence_submissions": "evidence_submission",
    "vendor_reviews": "vendor_review",
}


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    row: SQLModel,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add one audit entry about a flushed `row` to the session's transaction; `after` is the
    row's values unless given."""
    entity = ENTITIES[row.__tablename__]
    vendor_id = row.id if entity == "vendor" else getattr(row, "vendor_id", None)
    entry = AuditEntry(
        at=clock.utc_now(),
        actor=actor,
        entity=entity,
        entity_id=row.id,
        action=action,
        vendor_id=vendor_id,
        before=before,
        after=snapshot(row) if after is None else after,
    )
    session.add(entry)
    return entry


def create(*, session: Session, row: SQLModel, actor: str, after: dict | None = None) -> None:
    """Store a new row and audit its creation (`after`: what the log keeps, if not the row)."""
    session.add(row)
    session.flush()
    record(session=session, actor=actor, action="create", row=row, after=after)


def change(
    *,
    session: Session,
    row: SQLModel,
    changes: dict[str, Any],
    actor: str,
    action: str,
    columns: Iterable[str] | None = None,
) -> None:
    """Set `changes` on a stored row and audit it with its values (or only `columns`) before
    and after."""
    before = snapshot(row, columns)
    for name, value in changes.items():
        setattr(row, name, value)
    session.add(row)
    after = snapshot(row, columns)
    record(session=session, actor=actor, action=action, row=row, before=before, after=after)


@dataclass(frozen=True)
class Withdrawal:
    """How a kind of record is withdrawn (it stays, stamped, and counts on no date)."""

    entity: str
    action: str
    done: str  # the past participle the refusal of a second withdrawal names
    at: str
    by: str
    reason: str


RETRACTION = Withdrawal(
    "evidence", "retract", "retracted", "retracted_at", "retracted_by", "retraction_reason"
)
REVOCATION = Withdrawal("waiver", "revoke", "revoked", "revoked_at", "revoked_by", "revoke_reason")


def withdraw(*, session: Session, row: SQLModel, how: Withdrawal, reason: str, actor: str) -> None:
    """Stamp a record as withdrawn by `actor` for `reason`; a second withdrawal is a Conflict."""
    if getattr(row, how.at) is not None:
        raise Conflict(f"{how.entity} {row.id} was {how.done} already")
    stamp = {how.at: clock.utc_now(), how.by: actor, how.reason: reason}
    change(session=session, row=row, changes=stamp, actor=actor, action=how.action)


def history(*, session: Session, vendor_id: int, limit: int = 100) -> list[AuditEntry]:
    """A vendor's audit entries, newest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.vendor_id == vendor_id)
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def latest(*, session: Session, limit: int = 20) -> list[AuditEntry]:
    """The latest audit entries across every vendor, newest first."""
    return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)))
