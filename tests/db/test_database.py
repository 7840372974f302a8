"""The database layer: SQLite in WAL mode, concurrent writers queue instead of failing."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from conftest import PG_URL
from factories import count, rows
from sqlalchemy import text

from app import db
from app.models import AuditEntry, Vendor
from app.vendors.schemas import VendorCreate
from app.vendors.service import create_vendor

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite pragmas")


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(database_url):
    with db.session_scope(writes=False) as session:
        assert session.exec(text("PRAGMA journal_mode")).one()[0] == "wal"
        assert session.exec(text("PRAGMA busy_timeout")).one()[0] >= 5000
        assert session.exec(text("PRAGMA foreign_keys")).one()[0] == 1


def _create_many(worker: int) -> None:
    for n in range(10):
        with db.session_scope() as session:
            data = VendorCreate(name=f"Vendor {worker}-{n}", tier="medium")
            create_vendor(
                session=session, data=data, actor=f"worker-{worker}", today=date(2026, 6, 15)
            )


def test_concurrent_writers_all_succeed(database_url, session):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(_create_many, range(8)))
    assert count(session, Vendor) == 80
    assert count(session, AuditEntry, entity="vendor") == 80


def test_timestamps_come_back_in_utc(database_url, session):
    with db.session_scope() as writer:
        vendor = create_vendor(
            session=writer,
            data=VendorCreate(name="Zoned", tier="low"),
            actor="t",
            today=date(2026, 6, 15),
        )
        vendor.created_at = datetime(2026, 6, 15, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    stored = rows(session, Vendor)[0]
    assert stored.created_at == datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
    assert stored.created_at.tzinfo is not None


def test_a_failed_transaction_writes_nothing(database_url, session):
    with pytest.raises(RuntimeError), db.session_scope() as writer:
        create_vendor(
            session=writer,
            data=VendorCreate(name="Half", tier="low"),
            actor="t",
            today=date(2026, 6, 15),
        )
        raise RuntimeError("crash before commit")
    assert count(session, Vendor) == 0
    assert count(session, AuditEntry) == 0
