"""Backups that restore every record: `vetted backup` of a live SQLite database (the online
backup API, while writers carry on), and pg_dump/pg_restore for PostgreSQL (as the README
says)."""

import os
import shutil
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest
from conftest import PG_URL
from factories import soc2_body, vendor_body, waiver_body
from reliability.support import COUNTS, VETTED, load_demo_data
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import db
from app.config import ROOT
from app.evidence.schemas import Soc2ReportCreate
from app.evidence.service import create_evidence
from app.vendors.schemas import VendorCreate
from app.vendors.service import create_vendor
from app.waivers.schemas import WaiverCreate
from app.waivers.service import create_waiver

TODAY = date(2026, 6, 15)


def every_row(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in key order."""
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        rows = {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
                for t in tables}  # fmt: skip
    engine.dispose()
    return rows


def write_one(n: int) -> None:
    """A vendor with a SOC 2 report and a waiver, in one transaction, as the API writes them."""
    with db.session_scope() as session:
        data = VendorCreate.model_validate(vendor_body(name=f"Live {n}"))
        vendor = create_vendor(session=session, data=data, actor="writer", today=TODAY)
        report = Soc2ReportCreate(**soc2_body())
        create_evidence(session=session, vendor_id=vendor.id, data=report, actor="w", today=TODAY)
        waiver = WaiverCreate(**waiver_body())
        create_waiver(session=session, vendor_id=vendor.id, data=waiver, actor="w", today=TODAY)


def _backup(url: str, target: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "VETTED_DATABASE_URL": url}
    return subprocess.run([str(VETTED), "backup", str(target)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


LIVE = """
SELECT v.id,
       (SELECT count(*) FROM evidence e WHERE e.vendor_id = v.id),
       (SELECT count(*) FROM waivers w WHERE w.vendor_id = v.id)
FROM vendors v WHERE v.name LIKE 'Live %'
"""


def _consistent(url: str) -> int:
    """The copy is one file, sound, and every vendor written in it is whole: its report, its
    waiver and the audit entries of all three. Returns how many such vendors it holds."""
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "delete"
        live = conn.execute(text(LIVE)).all()
        audited = set(conn.execute(text("SELECT entity, entity_id FROM audit_log")).all())
        records = {entity: conn.execute(text(f"SELECT id FROM {table}")).scalars().all()
                   for entity, table in (("vendor", "vendors"), ("evidence", "evidence"),
                                         ("waiver", "waivers"))}  # fmt: skip
    engine.dispose()
    assert all((evidence, waivers) == (1, 1) for _, evidence, waivers in live)
    assert all((entity, i) in audited for entity, ids in records.items() for i in ids)
    return len(live)


@pytest.mark.skipif(bool(PG_URL), reason="vetted backup copies SQLite; PostgreSQL: pg_dump below")
def test_a_backup_taken_while_writers_run_is_whole_and_restores(database_url, tmp_path):
    load_demo_data()
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            write_one(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    copies = []
    for n in range(3):  # three backups while the writer runs
        target = tmp_path / f"backup-{n}.db"
        result = _backup(database_url, target)
        assert result.returncode == 0, result.stderr
        copies.append(target)
    stop.set()
    thread.join()
    held = [_consistent(f"sqlite:///{copy}") for copy in copies]
    assert held == sorted(held) and held[0] < held[-1]  # taken while the writes went on
    COUNTS["backup: live SQLite backups checked whole"] += len(copies)

    final = tmp_path / "final.db"
    assert _backup(database_url, final).returncode == 0  # writers done: an exact copy
    source = every_row(database_url)
    assert every_row(f"sqlite:///{final}") == source
    COUNTS["backup: rows compared after a restore"] += sum(len(r) for r in source.values())


def _pg_tool(name: str) -> str | None:
    versioned = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(versioned[-1]) if versioned else shutil.which(name)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL is backed up with pg_dump: runs on PostgreSQL")
def test_pg_dump_and_pg_restore_bring_back_every_record(database_url, tmp_path, monkeypatch):
    pg_dump, pg_restore = _pg_tool("pg_dump"), _pg_tool("pg_restore")
    if not pg_dump or not pg_restore:
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client)")
    load_demo_data()
    for n in range(20):
        write_one(n)
    url = make_url(database_url)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    restored = url.set(database=f"{url.database}_restored")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{restored.database}"'))
        conn.execute(text(f'CREATE DATABASE "{restored.database}"'))
    dump = tmp_path / "vetted.dump"
    subprocess.run([pg_dump, "--format=custom", f"--file={dump}", libpq], check=True, timeout=120)
    target = restored.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run([pg_restore, "--no-owner", f"--dbname={target}", str(dump)], check=True,
                   timeout=120)  # fmt: skip
    restored_url = restored.render_as_string(hide_password=False)
    try:
        assert every_row(restored_url) == every_row(database_url)
        COUNTS["backup: rows compared after a pg_restore"] += sum(
            len(r) for r in every_row(restored_url).values()
        )
    finally:
        db.get_engine().dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored.database}"'))
        admin.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="vetted backup copies SQLite files")
def test_a_database_whose_path_holds_uri_characters_is_backed_up(database_url, tmp_path):
    odd = tmp_path / "odd #1 100%" / "vetted.db"  # '#' and '%' mean something in a file: URI
    odd.parent.mkdir()
    shutil.copyfile(make_url(database_url).database, odd)
    url = f"sqlite:///{odd}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (email, password_hash, role, active, created_at) "
                          "VALUES ('o@example.com', 'x', 'reader', 1, '2026-06-15')"))  # fmt: skip
    engine.dispose()
    result = _backup(url, tmp_path / "copy.db")
    assert result.returncode == 0, result.stderr
    assert every_row(f"sqlite:///{tmp_path / 'copy.db'}") == every_row(url)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db", "odd #1 100%", "vetted.db"]
