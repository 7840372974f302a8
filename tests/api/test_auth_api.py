"""Bearer tokens and roles: who may call what."""

import pytest
from factories import rows, soc2_body, vendor_body, waiver_body

from app.auth.tokens import revoke_token
from app.db import session_scope
from app.models import ApiToken

WRITES = [
    ("post", "/api/v1/vendors", vendor_body()),
    ("patch", "/api/v1/vendors/1", {"services": "x"}),
    ("post", "/api/v1/vendors/1/evidence", soc2_body()),
    ("post", "/api/v1/evidence/1/retract", {"reason": "x"}),
    ("post", "/api/v1/vendors/1/waivers", waiver_body()),
    ("post", "/api/v1/waivers/1/revoke", {}),
]
READS = [
    "/api/v1/vendors",
    "/api/v1/vendors/1",
    "/api/v1/vendors/1/status",
    "/api/v1/vendors/1/evidence",
    "/api/v1/vendors/1/waivers",
    "/api/v1/evidence/1",
    "/api/v1/rules",
    "/api/v1/vendors/lookup?name=x",
]


@pytest.mark.parametrize("path", READS)
def test_reads_need_a_token(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_readers_cannot_write(reader, method, path, body):
    assert reader.request(method, path, json=body).status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_anonymous_cannot_write(anonymous, method, path, body):
    assert anonymous.request(method, path, json=body).status_code == 401


def _one(items: list):
    assert len(items) == 1, items
    return items[0]


def test_a_wrong_token_is_401(anonymous):
    response = anonymous.get("/api/v1/vendors", headers={"Authorization": "Bearer vt_nope"})
    assert response.status_code == 401


def test_a_revoked_token_stops_working_at_once(reader):
    assert reader.get("/api/v1/vendors").status_code == 200
    with session_scope() as session:
        revoke_token(session=session, name="test-reader", actor="test")
    assert reader.get("/api/v1/vendors").status_code == 401


def test_tokens_are_stored_hashed(reader, session):
    plaintext = reader.headers["Authorization"].removeprefix("Bearer ")
    stored = _one(rows(session, ApiToken, name="test-reader"))
    assert plaintext not in (stored.token_hash, stored.prefix)
    assert len(stored.token_hash) == 64


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_and_admins_write(request, role):
    client = request.getfixturevalue(role)
    assert client.post("/api/v1/vendors", json=vendor_body()).status_code == 201


def test_health_needs_no_token(anonymous):
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    assert anonymous.get("/readyz").json() == {"status": "ok"}


def test_rules_catalogue_lists_every_code(reader):
    rules = reader.get("/api/v1/rules").json()
    codes = {r["code"] for r in rules}
    assert {"EVIDENCE_MISSING", "ISO_IN_PLACE_OF_SOC2", "SOC2_STALE", "ISO_2013_VERSION"} <= codes
    assert all(r["title"] and r["explanation"] for r in rules)


def test_openapi_documents_the_api(anonymous):
    schema = anonymous.get("/openapi.json").json()
    assert "/api/v1/vendors/{vendor_id}/status" in schema["paths"]
    assert anonymous.get("/docs").status_code == 200
