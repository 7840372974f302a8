"""The audit log alone replays to the current state of every vendor, evidence record, waiver.

Hypothesis drives random sequences of writes through the JSON API and through the web forms
(create and edit vendors, log each kind of evidence, judge its scope, retract it, attach a
PDF, grant and revoke waivers; some of them invalid, so refused). After each sequence the
audit entries are replayed from nothing — a create sets the record, every later entry merges
its `after` — and must give every row exactly as stored; the materialised status of each
vendor must be what the rules say about the replayed records.
"""

import io
from datetime import timedelta

import hypothesis.strategies as st
from conftest import TEST_TODAY
from factories import bridge_body, iso_body, soc2_body, vendor_body, waiver_body
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    rule,
    run_state_machine_as_test,
)
from reliability.support import COUNTS, make_token, pdf_bytes, wipe
from sqlmodel import col, select
from web.support import make_user, sign_in

from app import config, db
from app.audit.service import snapshot
from app.models import AuditEntry, Evidence, Vendor, Waiver
from app.rules.engine import evaluate
from app.status.service import build_case, current_policy

CODES = ["EVIDENCE_MISSING", "SOC2_TSC_MISSING", "NOT_A_CODE"]
DERIVED = (
    *("status", "status_on", "next_review_on", "flags", "evidence_expires_on"),
    # the calendar materialised beside the status (SPEC §12)
    *("review_due_on", "decision_on", "decision_status", "decision", "refresh_on"),
)
MODELS = {"vendor": Vendor, "evidence": Evidence, "waiver": Waiver}
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40)
NAMES = st.one_of(TEXT, st.sampled_from(["<script>alert(1)</script>", "'; DROP TABLE vendors;--"]))


def replay() -> dict[tuple[str, int], dict]:
    """Every vendor, evidence record and waiver as the audit log says it is now."""
    state: dict[tuple[str, int], dict] = {}
    with db.session_scope(writes=False) as session:
        query = select(AuditEntry).where(col(AuditEntry.entity).in_(MODELS))
        for entry in session.exec(query.order_by(col(AuditEntry.id))):
            key = (entry.entity, entry.entity_id)
            assert entry.action == "create" or key in state, f"{entry.action} before create"
            state[key] = {**state.get(key, {}), **(entry.after or {})}
            COUNTS["audit: entries replayed"] += 1
    return state


def stored() -> dict[tuple[str, int], dict]:
    """Every vendor, evidence record and waiver as its row holds it."""
    with db.session_scope(writes=False) as session:
        return {
            (entity, row.id): snapshot(row)
            for entity, model in MODELS.items()
            for row in session.exec(select(model))
        }


def without(values: dict, keys: tuple[str, ...]) -> dict:
    return {k: v for k, v in values.items() if k not in keys}


def check_replay() -> None:
    replayed, rows = replay(), stored()
    assert replayed.keys() == rows.keys()
    for key, row in rows.items():
        keep = DERIVED if key[0] == "vendor" else ()
        assert without(replayed[key], keep) == without(row, keep), key
    policy = current_policy()
    for (entity, vendor_id), values in replayed.items():
        if entity != "vendor":
            continue
        records = [Evidence.model_validate(v) for (e, _), v in replayed.items() if e == "evidence"]
        waivers = [Waiver.model_validate(v) for (e, _), v in replayed.items() if e == "waiver"]
        case = build_case(
            Vendor.model_validate(values),
            [r for r in records if r.vendor_id == vendor_id],
            [w for w in waivers if w.vendor_id == vendor_id],
        )
        assert (
            evaluate(case, policy, as_of=TEST_TODAY).status == rows[(entity, vendor_id)]["status"]
        )


def evidence_body(kind: str, report_id: int | None) -> dict:
    if kind == "iso27001_certificate":
        return iso_body()
    if kind == "bridge_letter" and report_id is not None:
        return bridge_body(report_id)
    return soc2_body(report_type="type1", period_start=None) if kind == "type1" else soc2_body()


def form_fields(body: dict) -> dict:
    fields = {k: v for k, v in body.items() if k not in ("kind", "tsc") and v is not None}
    return fields | ({"tsc": body["tsc"]} if "tsc" in body else {})


def machine(api: TestClient, web: TestClient, database_url: str):
    class Writes(RuleBasedStateMachine):
        vendors = Bundle("vendors")
        reports = Bundle("reports")
        waivers = Bundle("waivers")

        def __init__(self) -> None:
            super().__init__()
            wipe(database_url)

        def _form(self, path: str, data: dict):
            response = web.post(path, data={"csrf_token": web.csrf, **data}, follow_redirects=False)
            assert response.status_code in (303, 409, 422), response.text[:300]
            COUNTS[f"audit: form posts answered {response.status_code}"] += 1
            return response

        @rule(target=vendors, name=NAMES, tier=st.sampled_from(["critical", "high", "low"]),
              by_form=st.booleans())  # fmt: skip
        def create_vendor(self, name, tier, by_form):
            body = vendor_body(name=name, tier=tier)
            if by_form:
                response = self._form("/vendors/new", body)
                created = response.status_code == 303
                return int(response.headers["location"].rsplit("/", 1)[1]) if created else -1
            response = api.post("/api/v1/vendors", json=body)
            assert response.status_code in (201, 409, 422), response.text
            return response.json()["id"] if response.status_code == 201 else -1

        @rule(vendor=vendors, services=NAMES, by_form=st.booleans())
        def edit_vendor(self, vendor, services, by_form):
            if vendor < 0:
                return
            current = api.get(f"/api/v1/vendors/{vendor}").json()
            if by_form:
                fields = {"name": current["name"], "tier": current["tier"], "services": services,
                          "version": str(current["version"])}  # fmt: skip
                self._form(f"/vendors/{vendor}/edit", fields)
            else:
                body = {"services": services, "version": current["version"]}
                assert api.patch(f"/api/v1/vendors/{vendor}", json=body).status_code in (200, 422)

        @rule(target=reports, vendor=vendors, by_form=st.booleans(),
              kind=st.sampled_from(["soc2_report", "type1", "iso27001_certificate"]))  # fmt: skip
        def log_evidence(self, vendor, kind, by_form):
            if vendor < 0:
                return -1
            body = evidence_body(kind, None)
            if by_form:
                path = f"/vendors/{vendor}/evidence/{body['kind']}/new"
                self._form(path, form_fields(body))
                records = api.get(f"/api/v1/vendors/{vendor}/evidence").json()
                return max((r["id"] for r in records), default=-1)
            response = api.post(f"/api/v1/vendors/{vendor}/evidence", json=body)
            assert response.status_code == 201, response.text
            return response.json()["evidence"]["id"]

        @rule(report=reports)
        def bridge(self, report):
            if report < 0:
                return
            record = api.get(f"/api/v1/evidence/{report}").json()
            if record["kind"] == "soc2_report" and not record["retracted"]:
                body = evidence_body("bridge_letter", report)
                api.post(f"/api/v1/vendors/{record['vendor_id']}/evidence", json=body)

        @rule(report=reports, value=st.sampled_from(["yes", "partly", "no", None]))
        def judge(self, report, value):
            if report >= 0:
                response = api.patch(
                    f"/api/v1/evidence/{report}", json={"scope_covers_services": value}
                )
                assert response.status_code in (200, 409, 422), response.text

        @rule(report=reports)
        def attach(self, report):
            if report >= 0:
                files = {"file": ("report.pdf", io.BytesIO(pdf_bytes()))}
                api.post(f"/api/v1/evidence/{report}/document", files=files)

        @rule(report=consumes(reports), reason=NAMES, by_form=st.booleans())
        def retract(self, report, reason, by_form):
            if report < 0:
                return
            if by_form:
                self._form(f"/evidence/{report}/retract", {"reason": reason})
            else:
                api.post(f"/api/v1/evidence/{report}/retract", json={"reason": reason})

        @rule(target=waivers, vendor=vendors, by_form=st.booleans(), code=st.sampled_from(CODES))
        def grant(self, vendor, code, by_form):
            if vendor < 0:
                return -1
            end = (TEST_TODAY + timedelta(days=90)).isoformat()
            body = waiver_body(code, granted_on=TEST_TODAY.isoformat(), expires_on=end)
            if by_form:
                self._form(f"/vendors/{vendor}/waivers/new", body)
                found = api.get(f"/api/v1/vendors/{vendor}/waivers").json()
                return found[0]["id"] if found else -1
            response = api.post(f"/api/v1/vendors/{vendor}/waivers", json=body)
            return response.json()["id"] if response.status_code == 201 else -1

        @rule(waiver=consumes(waivers), by_form=st.booleans())
        def revoke(self, waiver, by_form):
            if waiver < 0:
                return
            if by_form:
                self._form(f"/waivers/{waiver}/revoke", {"reason": "ended early"})
            else:
                api.post(f"/api/v1/waivers/{waiver}/revoke", json={"reason": "ended early"})

        def teardown(self) -> None:
            check_replay()
            COUNTS["audit: random write sequences replayed"] += 1

    return Writes


def test_the_audit_log_replays_to_the_current_state(app, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(tmp_path / "uploads"))
    config.get_settings.cache_clear()
    api = TestClient(app)
    api.headers["Authorization"] = f"Bearer {make_token('analyst')}"
    web = TestClient(app)
    sign_in(web, make_user("analyst@example.com", "analyst"))
    with api, web:
        run_state_machine_as_test(
            machine(api, web, database_url),
            settings=settings(
                max_examples=40, stateful_step_count=25, deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )  # fmt: skip
