"""Many clients at once against a real server (`vetted serve`, two worker processes).

16 clients each create 50 vendors and log a SOC 2 report on each, every write sent with an
Idempotency-Key; some first attempts are cut off by a client timeout far shorter than the
write takes, and every tenth acknowledged write is sent again as if its answer had been
lost. Afterwards every acknowledged write is there exactly once, with one audit entry, and no
client ever saw a 5xx ("database is locked" or otherwise). Then 10 clients PATCH one vendor
at once with the same version: exactly one wins, the other nine get 409.
"""

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import httpx
import pytest
from factories import soc2_body
from fastapi.testclient import TestClient
from reliability.support import COUNTS, Server, make_token
from sqlalchemy import func, text
from sqlmodel import col, select

from app import clock, db
from app.errors import Conflict
from app.idempotency import LEASE
from app.models import AuditEntry, Evidence, IdempotencyKey, Vendor

CLIENTS = 16
VENDORS_EACH = 50
RACERS = 10
RACES = 5
CUT_OFF_EVERY = 12  # every n-th write's first attempt gets a timeout it cannot meet
RESEND_EVERY = 10  # every n-th acknowledged write is sent again (a lost response)


@pytest.fixture
def server(database_url, tmp_path):
    served = Server(database_url, tmp_path, workers=2).start()
    yield served
    served.stop()
    assert "database is locked" not in served.log()


@dataclass
class Client:
    """One API client: what it was told, and how often it had to retry."""

    base: str
    token: str
    number: int
    acknowledged: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    retries: int = 0
    replays: int = 0
    writes: int = 0

    def write(self, http: httpx.Client, path: str, body: dict) -> dict:
        """POST until answered; a retry carries the same Idempotency-Key."""
        key, self.writes = str(uuid.uuid4()), self.writes + 1
        cut_off = self.writes % CUT_OFF_EVERY == 0
        for attempt in range(100):
            timeout = 0.002 if cut_off and attempt == 0 else 60
            try:
                response = http.post(
                    path, json=body, headers={"Idempotency-Key": key}, timeout=timeout
                )
            except httpx.TransportError:  # timed out or cut: applied or not, we cannot tell
                self.retries += 1
                continue
            if response.status_code == 409 and "in progress" in response.text:
                self.retries += 1
                time.sleep(0.05)
                continue
            return self._answered(http, path, body, key, response)
        raise AssertionError(f"{path}: no answer after 100 attempts")

    def _answered(self, http, path, body, key, response) -> dict:
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code} {response.text[:200]}")
        assert response.status_code == 201, response.text
        if self.writes % RESEND_EVERY == 0:  # as if the answer had been lost on the way
            again = http.post(path, json=body, headers={"Idempotency-Key": key}, timeout=60)
            assert again.json() == response.json() and again.headers["idempotent-replayed"]
            self.replays += 1
        if response.headers.get("idempotent-replayed"):
            self.replays += 1
        return response.json()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base + "/api/v1", headers=headers) as http:
            for n in range(VENDORS_EACH):
                name = f"Client {self.number} vendor {n}"
                vendor = self.write(http, "/vendors", {"name": name, "tier": "high"})
                body = {k: v for k, v in soc2_body().items() if k != "received_on"}
                created = self.write(http, f"/vendors/{vendor['id']}/evidence", body)
                self.acknowledged.append({"vendor": vendor, "evidence": created["evidence"]})


def _check_everything_is_there(clients: list[Client]) -> None:
    with db.session_scope(writes=False) as session:
        vendors = {v.id: v.name for v in session.exec(select(Vendor))}
        evidence = {e.id: e.vendor_id for e in session.exec(select(Evidence))}
        creates = session.exec(
            select(AuditEntry.entity, AuditEntry.entity_id).where(
                AuditEntry.action == "create", col(AuditEntry.entity).in_(("vendor", "evidence"))
            )
        ).all()
    acknowledged = [a for c in clients for a in c.acknowledged]
    assert len(acknowledged) == CLIENTS * VENDORS_EACH
    for item in acknowledged:
        assert vendors[item["vendor"]["id"]] == item["vendor"]["name"]
        assert evidence[item["evidence"]["id"]] == item["vendor"]["id"]
    assert len(vendors) == len(evidence) == CLIENTS * VENDORS_EACH  # no duplicate from a retry
    assert sorted(creates) == sorted(
        [("vendor", i) for i in vendors] + [("evidence", i) for i in evidence]
    )


def test_sixteen_clients_writing_at_once(server, database_url):
    token = make_token("analyst")
    clients = [Client(server.url, token, n) for n in range(CLIENTS)]
    threads = [threading.Thread(target=c.run) for c in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads)
    assert [f for c in clients for f in c.failures] == []
    _check_everything_is_there(clients)
    with db.session_scope(writes=False) as session:
        assert session.exec(select(func.count()).select_from(IdempotencyKey)).one() > 0
        if session.get_bind().dialect.name == "sqlite":
            assert session.exec(text("PRAGMA journal_mode")).one()[0] == "wal"
    COUNTS["concurrency: acknowledged writes"] += 2 * CLIENTS * VENDORS_EACH
    COUNTS["concurrency: retries after a cut-off or busy answer"] += sum(c.retries for c in clients)
    COUNTS["concurrency: replayed answers (no second write)"] += sum(c.replays for c in clients)
    COUNTS["concurrency: seconds for the 16-client run"] += round(elapsed)


def _patch(base: str, token: str, vendor_id: int, barrier: threading.Barrier) -> int:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        http.get("/healthz")  # connect first, so that the PATCHes leave together
        barrier.wait()
        body = {"services": f"changed by {threading.get_ident()}", "version": 1}
        return http.patch(f"/api/v1/vendors/{vendor_id}", json=body, timeout=60).status_code


def test_same_version_patches_one_wins(server):
    token = make_token("analyst")
    for race in range(RACES):
        created = httpx.post(
            f"{server.url}/api/v1/vendors",
            json={"name": f"Raced {race}", "tier": "low"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        barrier = threading.Barrier(RACERS)
        racer = partial(_patch, server.url, token, created["id"], barrier)
        with ThreadPoolExecutor(RACERS) as pool:
            statuses = [f.result() for f in [pool.submit(racer) for _ in range(RACERS)]]
        assert sorted(statuses) == [200] + [409] * (RACERS - 1), statuses
        with db.session_scope(writes=False) as session:
            assert session.get(Vendor, created["id"]).version == 2
        COUNTS["concurrency: same-version PATCHes (one winner each race)"] += RACERS


def _race(base: str, token: str, path: str, body: dict, barrier: threading.Barrier) -> int:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        http.get("/healthz")
        barrier.wait()
        return http.post(path, json=body, timeout=60).status_code


def test_retract_and_revoke_once_each(server):
    """Retracting a record (revoking a waiver) twice is a 409, also when both arrive at once."""
    token = make_token("analyst")
    headers = {"Authorization": f"Bearer {token}"}
    api = f"{server.url}/api/v1"
    for race in range(RACES):
        vendor = httpx.post(f"{api}/vendors", json={"name": f"Once {race}", "tier": "high"},
                            headers=headers).json()  # fmt: skip
        report = {k: v for k, v in soc2_body().items() if k != "received_on"}
        created = httpx.post(f"{api}/vendors/{vendor['id']}/evidence", json=report, headers=headers)
        ends = (clock.today() + timedelta(days=30)).isoformat()  # granted today: the server's
        waiver = httpx.post(f"{api}/vendors/{vendor['id']}/waivers", headers=headers, json={
            "code": "SOC2_STALE", "evidence_id": created.json()["evidence"]["id"], "reason": "r",
            "approved_by": "a", "expires_on": ends}).json()  # fmt: skip
        for path in (
            f"/api/v1/evidence/{created.json()['evidence']['id']}/retract",
            f"/api/v1/waivers/{waiver['id']}/revoke",
        ):
            racer = partial(
                _race, server.url, token, path, {"reason": "twice"}, threading.Barrier(RACERS)
            )
            with ThreadPoolExecutor(RACERS) as pool:
                statuses = [f.result() for f in [pool.submit(racer) for _ in range(RACERS)]]
            assert sorted(statuses) == [200] + [409] * (RACERS - 1), (path, statuses)
            COUNTS["concurrency: simultaneous retractions and revocations"] += RACERS


# --- the Idempotency-Key rules, one at a time -------------------------------------------------


def _vendors(session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(Vendor)).one()


def test_a_key_stands_for_one_request(analyst, session):
    key = {"Idempotency-Key": "order-66"}
    first = analyst.post("/api/v1/vendors", json={"name": "Once Ltd", "tier": "low"}, headers=key)
    again = analyst.post("/api/v1/vendors", json={"name": "Once Ltd", "tier": "low"}, headers=key)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = analyst.post("/api/v1/vendors", json={"name": "Other Ltd", "tier": "low"}, headers=key)
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert _vendors(session) == 1


def test_a_refused_request_leaves_its_key_free(analyst, session):
    key = {"Idempotency-Key": "fix-and-retry"}
    refused = analyst.post("/api/v1/vendors", json={"name": "", "tier": "low"}, headers=key)
    assert refused.status_code == 422
    fixed = analyst.post("/api/v1/vendors", json={"name": "Fixed", "tier": "low"}, headers=key)
    assert fixed.status_code == 201 and _vendors(session) == 1


def test_keys_belong_to_one_credential(analyst, admin, session):
    key = {"Idempotency-Key": "shared-name"}
    body = {"name": "Mine", "tier": "low"}
    assert analyst.post("/api/v1/vendors", json=body, headers=key).status_code == 201
    theirs = admin.post("/api/v1/vendors", json=body, headers=key)
    assert theirs.status_code == 409 and "idempotent-replayed" not in theirs.headers  # a duplicate


@pytest.mark.parametrize("bad", ["", "x" * 256, "tab\there", "ünïcode"])
def test_a_malformed_key_is_a_400(analyst, session, bad):
    headers = {"Idempotency-Key": bad.encode()}
    response = analyst.post("/api/v1/vendors", json={"name": "N", "tier": "low"}, headers=headers)
    assert response.status_code == 400 and _vendors(session) == 0


def _claim(owner_token: str, key: str, body: dict, *, committed: bool, age: timedelta) -> None:
    from app.auth.tokens import principal_for_token
    from app.idempotency import _digest

    fingerprint = _digest(b"POST", b"/api/v1/vendors", b"", json.dumps(body).encode())
    with db.session_scope() as s:
        owner = principal_for_token(session=s, plaintext=owner_token).subject
        s.add(IdempotencyKey(
            owner=owner, key=key, fingerprint=fingerprint,
            claim="crashed", created_at=clock.utc_now() - age, committed=committed))  # fmt: skip


def test_a_claim_left_by_a_crash_before_commit_is_taken_over(app, session):
    token, body = make_token("analyst"), {"name": "Retried", "tier": "low"}
    _claim(token, "k1", body, committed=False, age=LEASE + timedelta(seconds=1))
    _claim(token, "k2", body | {"name": "Busy"}, committed=False, age=timedelta(seconds=1))
    _claim(token, "k3", body | {"name": "Lost"}, committed=True, age=LEASE + timedelta(seconds=1))
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:

        def send(key, data):
            raw = json.dumps(data).encode()
            headers = {"Idempotency-Key": key, "content-type": "application/json"}
            return client.post("/api/v1/vendors", content=raw, headers=headers)

        assert send("k1", body).status_code == 201  # nothing was applied: applied now, once
        busy = send("k2", body | {"name": "Busy"})
        assert busy.status_code == 409 and busy.headers["retry-after"] == "1"
        lost = send("k3", body | {"name": "Lost"})
        assert lost.status_code == 409 and "applied" in lost.json()["detail"]
    assert _vendors(session) == 1


def test_a_write_whose_claim_was_taken_over_is_refused(database_url, session):
    from app.idempotency import Claim, _claim

    with db.session_scope() as s:
        row = IdempotencyKey(owner="o", key="k", fingerprint="f", claim="new-owner",
                             created_at=clock.utc_now())  # fmt: skip
        s.add(row)
    token = _claim.set(Claim(row_id=row.id, token="old-owner"))
    try:
        with pytest.raises(Conflict), db.session_scope() as s:
            s.add(Vendor(name="Late", name_key="late", tier="low", created_at=clock.utc_now(),
                         updated_at=clock.utc_now()))  # fmt: skip
            s.flush()
    finally:
        _claim.reset(token)
    assert _vendors(session) == 0
