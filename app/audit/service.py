"""The append-only audit log: every write records who, what and the values around it."""

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app import clock
from app.models import AuditEntry


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """A row's columns as JSON-ready values (dates as ISO strings)."""
    if row is None:
        return None
    return {key: _jsonable(value) for key, value in row.model_dump().items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def record(
    *,
    session: Session,
    actor: str,
    entity: str,
    entity_id: int,
    action: str,
    vendor_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add one audit entry to the session's transaction (flushed with the write)."""
    entry = AuditEntry(
        at=clock.utc_now(),
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        action=action,
        vendor_id=vendor_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


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
