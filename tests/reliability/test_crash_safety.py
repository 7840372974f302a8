"""SIGKILL in the middle of writes: nothing acknowledged is lost, nothing half-written stays.

A real server (`vetted serve`) takes a stream of writes from four clients and is killed with
SIGKILL while they are in flight, then restarted on the same database, CYCLES times. A bulk
import (`vetted import vendors`, all rows or none) is killed while it writes, twice, and then
run to the end. Afterwards every acknowledged write is there, every row that is there is
whole (its audit entry, its materialised status), the killed imports left no row behind, and
SQLite's `PRAGMA integrity_check` says ok.
"""

import csv
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
from factories import soc2_body
from reliability.support import COUNTS, VETTED, Server, make_token
from sqlalchemy import create_engine, text
from sqlmodel import col, select

from app import db
from app.config import ROOT
from app.models import AuditEntry, Evidence, StatusChange, Vendor

CYCLES = 3
WRITERS = 4
IMPORT_ROWS = 20_000
IMPORT_KILLS = 2


def _integrity(url: str) -> None:
    if not url.startswith("sqlite"):
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


class Writer(threading.Thread):
    """Creates vendors, each with a SOC 2 report, until the server stops answering."""

    def __init__(self, base: str, token: str, tag: str) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.tag = base, token, tag
        self.vendors: list[dict] = []
        self.evidence: list[dict] = []
        self.refused: list[str] = []  # any answer but 201 (there should be none)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        report = {k: v for k, v in soc2_body().items() if k != "received_on"}
        with httpx.Client(base_url=self.base + "/api/v1", headers=headers, timeout=30) as http:
            for n in range(10_000):
                try:
                    vendor = http.post("/vendors", json={"name": f"{self.tag}-{n}", "tier": "high"})
                    if not self._acknowledged(vendor, self.vendors):
                        return
                    created = http.post(f"/vendors/{vendor.json()['id']}/evidence", json=report)
                    if not self._acknowledged(created, self.evidence, "evidence"):
                        return
                except httpx.TransportError:
                    return  # the server is gone

    def _acknowledged(self, response: httpx.Response, into: list, key: str | None = None) -> bool:
        if response.status_code != 201:
            self.refused.append(f"{response.status_code} {response.text[:200]}")
            return False
        into.append(response.json()[key] if key else response.json())
        return True


def _run_and_kill(server: Server, token: str, cycle: int) -> list[Writer]:
    writers = [Writer(server.url, token, f"c{cycle}w{n}") for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 30
    while sum(len(w.vendors) for w in writers) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(random.uniform(0, 0.3))  # somewhere in the middle of a write
    server.kill()
    for writer in writers:
        writer.join(timeout=30)
    return writers


def _check_whole(acknowledged_vendors: list[dict], acknowledged_evidence: list[dict]) -> None:
    with db.session_scope(writes=False) as session:
        vendors = {v.id: v for v in session.exec(select(Vendor))}
        evidence = {e.id: e for e in session.exec(select(Evidence))}
        audited = set(session.exec(select(AuditEntry.entity, AuditEntry.entity_id)).all())
        changed = set(session.exec(select(StatusChange.vendor_id)).all())
    for ack in acknowledged_vendors:
        assert vendors[ack["id"]].name == ack["name"]
    for ack in acknowledged_evidence:
        assert evidence[ack["id"]].vendor_id == ack["vendor_id"]
    for vendor in vendors.values():  # whole: audited and evaluated, or not there at all
        assert ("vendor", vendor.id) in audited and vendor.id in changed
        assert vendor.status_on is not None
    for record in evidence.values():
        assert ("evidence", record.id) in audited
        assert vendors[record.vendor_id].flags is not None


def test_sigkill_in_a_stream_of_writes(database_url, tmp_path):
    token = make_token("analyst")
    acknowledged_vendors, acknowledged_evidence = [], []
    server = Server(database_url, tmp_path)
    for cycle in range(CYCLES):
        server.start()
        writers = _run_and_kill(server, token, cycle)
        assert [r for w in writers for r in w.refused] == []
        acknowledged_vendors += [v for w in writers for v in w.vendors]
        acknowledged_evidence += [e for w in writers for e in w.evidence]
        _integrity(database_url)
        COUNTS["crash: SIGKILLs of the server mid-write survived"] += 1
    server.start()  # the last restart: the server comes up on what the kills left
    try:
        assert httpx.get(server.url + "/readyz").status_code == 200
        _check_whole(acknowledged_vendors, acknowledged_evidence)
    finally:
        server.stop()
    COUNTS["crash: acknowledged writes checked after the kills"] += len(acknowledged_vendors) + len(
        acknowledged_evidence
    )


def _import_file(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "domain", "tier", "services"])
        for n in range(IMPORT_ROWS):
            writer.writerow([f"Imported {n}", f"imported{n}.example", "high", "hosting " * 5])
    return path


def _import(database_url: str, csv_path: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "VETTED_DATABASE_URL": database_url}
    return subprocess.Popen(
        [str(VETTED), "import", "vendors", str(csv_path)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True,
    )  # fmt: skip


def _kill_while_writing(process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while b"importing" not in log.read_bytes():  # the progress bar: the writes have begun
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.01)
    time.sleep(random.uniform(0.2, 1.0))
    assert process.poll() is None, "the import finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _imported() -> tuple[int, int]:
    with db.session_scope(writes=False) as session:
        vendors = session.exec(select(Vendor.id).where(col(Vendor.name).like("Imported %"))).all()
        audit = session.exec(select(AuditEntry.id).where(AuditEntry.actor == "cli")).all()
    return len(vendors), len(audit)


def test_sigkill_in_a_bulk_import(database_url, tmp_path):
    csv_path = _import_file(tmp_path / "vendors.csv")
    for attempt in range(IMPORT_KILLS):
        log = tmp_path / f"import-{attempt}.log"
        _kill_while_writing(_import(database_url, csv_path, log), log)
        assert _imported() == (0, 0)  # all or nothing: nothing
        _integrity(database_url)
        COUNTS["crash: SIGKILLs of a bulk import mid-write survived"] += 1
    log = tmp_path / "import-final.log"
    finished = _import(database_url, csv_path, log)
    assert finished.wait(timeout=300) == 0, log.read_text()
    assert _imported() == (IMPORT_ROWS, IMPORT_ROWS)  # all or nothing: all
    _integrity(database_url)
