"""Issue 14, item 10: an Idempotency-Key belongs to the credential that sent it, not to the
spelling of its Authorization header, and a revoked credential gets no stored answer."""

from factories import soc2_body, vendor_body
from fastapi.testclient import TestClient
from reliability.support import finding_closed, make_token
from sqlalchemy import func
from sqlmodel import select
from web.support import make_user, web_client

from app import db
from app.auth.tokens import revoke_token
from app.models import Evidence, IdempotencyKey, Vendor


def _count(model) -> int:
    with db.session_scope(writes=False) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_one_key_is_one_write_however_the_scheme_is_spelled(app):
    token = make_token("analyst")
    with TestClient(app) as client:
        bearer = {"Authorization": f"Bearer {token}"}
        vendor = client.post("/api/v1/vendors", json=vendor_body(), headers=bearer).json()
        url, body = f"/api/v1/vendors/{vendor['id']}/evidence", soc2_body()
        answers = [
            client.post(url, json=body, headers={"Authorization": f"{scheme} {token}",
                                                 "Idempotency-Key": "upload-7"})
            for scheme in ("Bearer", "bearer", "BEARER")
        ]  # fmt: skip
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.headers.get("idempotent-replayed") for a in answers] == [None, "true", "true"]
    assert len({a.json()["evidence"]["id"] for a in answers}) == 1
    assert (_count(Evidence), _count(IdempotencyKey)) == (1, 1)
    finding_closed("10 idempotency keys bound to the principal")


def test_a_revoked_token_gets_no_stored_answer(app):
    token, body = make_token("analyst", name="leaving"), vendor_body(name="Secret Supplier")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "create-1"}
    with TestClient(app) as client:
        assert client.post("/api/v1/vendors", json=body, headers=headers).status_code == 201
        with db.session_scope() as session:
            revoke_token(session=session, name="leaving", actor="admin")
        replay = client.post("/api/v1/vendors", json=body, headers=headers)
    assert replay.status_code == 401 and "idempotent-replayed" not in replay.headers
    assert replay.json() == {"detail": "invalid or revoked token"}
    assert replay.headers["www-authenticate"] == "Bearer"
    finding_closed("10 idempotency keys bound to the principal")


def test_a_web_session_s_key_is_bound_to_its_user(app):
    make_user("second@example.com", "analyst")
    with web_client(app, "analyst") as first, web_client(app, None) as second:
        second.log_in("second@example.com")
        key = {"Idempotency-Key": "same-key"}
        mine, theirs = vendor_body(name="Mine"), vendor_body(name="Theirs")
        sent = [
            client.post("/api/v1/vendors", json=body, headers=key | {"X-CSRF-Token": client.csrf})
            for client, body in ((first, mine), (first, mine), (second, theirs))
        ]
    assert [s.status_code for s in sent] == [201, 201, 201]
    assert [s.headers.get("idempotent-replayed") for s in sent] == [None, "true", None]
    assert _count(Vendor) == 2
    with db.session_scope(writes=False) as session:
        owners = sorted(session.exec(select(IdempotencyKey.owner)))
    assert [o.split(":")[0] for o in owners] == ["user", "user"] and owners[0] != owners[1]
    finding_closed("10 idempotency keys bound to the principal")
