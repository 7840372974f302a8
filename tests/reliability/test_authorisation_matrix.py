"""Every route × {anonymous, reader, analyst, admin, revoked token, expired session}.

The routes are read from the application itself (every API operation, every page and form,
the docs, the static files), so a new route without an entry in ROUTES fails
`test_every_route_has_an_expectation`. Each entry says who may use the route and what a
permitted, well-formed request gets; the statuses of the others follow from the front end
(EXPECTED below): the API answers 401/403, pages send a stranger to the login page.
Each call gets records of its own (a fresh vendor, report, waiver or document).
"""

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from conftest import TEST_TODAY
from factories import soc2_body, vendor_body, waiver_body
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from reliability.support import COUNTS, make_token, pdf_bytes
from starlette.routing import Mount
from web.support import make_user, session_cookie, sign_in

from app import clock, config, db
from app.auth.sessions import LIFETIME
from app.auth.tokens import revoke_token
from app.documents.service import attach_document
from app.documents.storage import store_pdf_bytes
from app.evidence import service as evidence_service
from app.evidence.schemas import Soc2ReportCreate
from app.main import create_app
from app.models import EvidenceRequest
from app.portal import links
from app.portal import service as request_service
from app.portal.schemas import NOT_THE_VENDORS, RequestCreate, submission_schema
from app.vendors import lifecycle
from app.vendors.schemas import ArchiveRequest, VendorCreate
from app.vendors.service import create_vendor
from app.waivers import service as waiver_service
from app.waivers.schemas import WaiverCreate
from app.web.session import COOKIE

ROLES = ("anonymous", "reader", "analyst", "admin", "revoked_token", "expired_session")
RANK = {"reader": 0, "analyst": 1, "admin": 2}
LOGIN = "→login"  # a redirect to the login page
DOCS = ("/openapi.json", "/docs", "/redoc")  # public outside production (test_deployment.py)
Call = Callable[["Ctx", TestClient, str], object]


@dataclass
class Ctx:
    """Fresh records for each call, made through the services as of TEST_TODAY."""

    def vendor(self, **fields) -> int:
        with db.session_scope() as s:
            data = VendorCreate.model_validate(vendor_body(**fields))
            return create_vendor(session=s, data=data, actor="t", today=TEST_TODAY).id

    def evidence(self) -> int:
        with db.session_scope() as s:
            evidence, _ = evidence_service.create_evidence(
                session=s, vendor_id=self.vendor(), data=Soc2ReportCreate(**soc2_body()),
                actor="t", today=TEST_TODAY,
            )  # fmt: skip
            return evidence.id

    def waiver(self) -> int:
        with db.session_scope() as s:
            return waiver_service.create_waiver(
                session=s, vendor_id=self.vendor(), data=WaiverCreate(**waiver_body()),
                actor="t", today=TEST_TODAY,
            ).id  # fmt: skip

    def document(self) -> int:
        evidence_id = self.evidence()
        with db.session_scope() as s:
            stored = store_pdf_bytes(pdf_bytes())
            attach_document(
                session=s, evidence_id=evidence_id, stored=stored, filename="r.pdf", actor="t"
            )
        return evidence_id

    def request(self) -> tuple[int, str]:
        """An open request for a SOC 2 report: its id and its link's token."""
        due = TEST_TODAY + timedelta(days=14)
        data = RequestCreate(kinds=["soc2_report"], contact_email="s@v.example", due_on=due)
        with db.session_scope() as s:
            request = request_service.create_request(
                session=s, vendor_id=self.vendor(), data=data, actor="t", today=TEST_TODAY,
                now=clock.utc_now(),
            )  # fmt: skip
            return request.id, links.token_for(request)

    def submission(self) -> int:
        _, token = self.request()
        sent = {k: v for k, v in soc2_body().items() if k != "received_on"}
        with db.session_scope() as s:
            request = request_service.open_link(session=s, token=token, today=TEST_TODAY)
            fields = request_service.check_submission(
                "soc2_report", submission_schema("soc2_report").model_validate(sent), TEST_TODAY
            )
            return request_service.submit(
                session=s, request=request, kind="soc2_report", fields=fields,
                document=store_pdf_bytes(pdf_bytes()), document_name="r.pdf",
                today=TEST_TODAY, now=clock.utc_now(),
            ).id  # fmt: skip

    def archived_vendor(self) -> int:
        """A vendor archived, for the one route that needs one (reactivate)."""
        vendor_id = self.vendor()
        with db.session_scope() as s:
            lifecycle.archive_vendor(
                session=s, vendor_id=vendor_id, data=ArchiveRequest(**archive_body()),
                actor="t", today=TEST_TODAY,
            )  # fmt: skip
        return vendor_id

    def path(self, template: str) -> str:
        vendor = self.archived_vendor if template.endswith("/reactivate") else self.vendor
        ids = {"vendor_id": vendor, "evidence_id": self.evidence, "waiver_id": self.waiver}
        ids |= {"request_id": lambda: self.request()[0], "submission_id": self.submission}
        values = {name: make() for name, make in ids.items() if "{" + name + "}" in template}
        return template.format(kind="soc2_report", **values)


def csrf(client: TestClient) -> str:
    """The CSRF token of the client's session (anonymous clients get one from /login)."""
    token = getattr(client, "csrf", "")
    if not token:
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="', 1)[-1].split('"', 1)[0]
    return token


def get(ctx: Ctx, client: TestClient, path: str):
    return client.get(ctx.path(path), follow_redirects=False)


def json_post(body: Callable[[], dict], method: str = "POST") -> Call:
    def call(ctx: Ctx, client: TestClient, path: str):
        return client.request(method, ctx.path(path), json=body())

    return call


def form_post(fields: Callable[[Ctx], dict]) -> Call:
    def call(ctx: Ctx, client: TestClient, path: str):
        data = {"csrf_token": csrf(client), **fields(ctx)}
        return client.post(ctx.path(path), data=data, follow_redirects=False)

    return call


def file_post(name: str, content: Callable[[], bytes], fields: dict | None = None) -> Call:
    def call(ctx: Ctx, client: TestClient, path: str):
        files = {"file": (name, io.BytesIO(content()))}
        data = {"csrf_token": csrf(client), **(fields or {})}
        return client.post(ctx.path(path), files=files, data=data, follow_redirects=False)

    return call


def document_download(ctx: Ctx, client: TestClient, path: str):
    return client.get(path.format(evidence_id=ctx.document()))


def lookup(ctx: Ctx, client: TestClient, path: str):
    name = f"Looked Up {time.monotonic_ns()}"
    ctx.vendor(name=name)
    return client.get(path, params={"name": name})


def web_login(ctx: Ctx, client: TestClient, path: str):
    email = getattr(client, "email", "nobody@example.com")
    data = {"csrf_token": csrf(client), "email": email, "password": "correct horse battery staple"}
    return client.post(path, data=data, follow_redirects=False)


def confirm_import(ctx: Ctx, client: TestClient, path: str):
    from app.bulk.web_upload import hold

    sha = hold(b"name,tier\r\nConfirmed Import Ltd,low\r\n")
    data = {"csrf_token": csrf(client), "what": "vendors", "sha256": sha, "filename": "v.csv"}
    return client.post(path, data=data, follow_redirects=False)


def archive_body() -> dict:
    checks = {"data_returned_or_deleted": "yes", "access_removed": "not_applicable"}
    return {"reason": "contract ended", "checks": checks}


def review_body() -> dict:
    return {"reviewed_on": TEST_TODAY.isoformat(), "outcome": "approved", "notes": "fine"}


def request_body() -> dict:
    due = (TEST_TODAY + timedelta(days=14)).isoformat()
    return {"kinds": ["soc2_report"], "contact_email": "s@v.example", "due_on": due}


def soc2_form(ctx: Ctx) -> dict:
    body = soc2_body()
    return {k: v for k, v in body.items() if k not in ("kind", "tsc")} | {"tsc": "security"}


def review_form(ctx: Ctx) -> dict:
    return review_body()


def archive_form(ctx: Ctx) -> dict:
    body = archive_body()
    return {"reason": body["reason"], **body["checks"]}  # the form asks for each check


def waiver_form(ctx: Ctx) -> dict:
    end = (TEST_TODAY + timedelta(days=60)).isoformat()
    body = waiver_body(granted_on=TEST_TODAY.isoformat(), expires_on=end)
    return {**body, "flag": body.pop("code")}  # the form names the flag it was opened from


def portal_link(ctx: Ctx) -> tuple[str, str]:
    """A fresh request's portal token and its forms' CSRF token."""
    request_id, token = ctx.request()
    with db.session_scope(writes=False) as s:
        return token, links.csrf_token(s.get(EvidenceRequest, request_id))


def portal_get(ctx: Ctx, client: TestClient, path: str):
    return client.get(path.format(token=portal_link(ctx)[0]), follow_redirects=False)


def portal_post(ctx: Ctx, client: TestClient, path: str):
    """The vendor's SOC 2 report and its PDF, as the portal's form sends them (no login)."""
    token, csrf_token = portal_link(ctx)
    fields = {k: v for k, v in soc2_form(ctx).items() if k not in NOT_THE_VENDORS}
    data = {"csrf_token": csrf_token, "kind": "soc2_report", **fields}
    files = {"document": ("report.pdf", io.BytesIO(pdf_bytes()), "application/pdf")}
    url = path.format(token=token)
    return client.post(url, data=data, files=files, follow_redirects=False)


@dataclass(frozen=True)
class Route:
    """Who may use a route, and what a permitted, well-formed request gets."""

    need: str  # public, reader, analyst or admin
    ok: object  # a status, or LOGIN
    call: Call = get
    roles: dict[str, object] = field(default_factory=dict)  # exceptions to the rules below


PUBLIC_200 = Route("public", 200)
REQUEST_FORM = {"kinds": "soc2_report", "contact_email": "c@vendor.example"}
ROUTES: dict[tuple[str, str], Route] = {
    # the JSON API
    ("GET", "/api/v1/vendors"): Route("reader", 200),
    ("POST", "/api/v1/vendors"): Route("analyst", 201, json_post(vendor_body)),
    ("GET", "/api/v1/vendors/lookup"): Route("reader", 200, lookup),
    ("GET", "/api/v1/vendors/{vendor_id}"): Route("reader", 200),
    ("PATCH", "/api/v1/vendors/{vendor_id}"): Route(
        "analyst", 200, json_post(lambda: {"services": "SQL'; DROP TABLE vendors;--"}, "PATCH")
    ),
    ("GET", "/api/v1/vendors/{vendor_id}/status"): Route("reader", 200),
    ("POST", "/api/v1/vendors/{vendor_id}/evidence"): Route("analyst", 201, json_post(soc2_body)),
    ("GET", "/api/v1/vendors/{vendor_id}/evidence"): Route("reader", 200),
    ("GET", "/api/v1/evidence/{evidence_id}"): Route("reader", 200),
    ("PATCH", "/api/v1/evidence/{evidence_id}"): Route(
        "analyst", 200, json_post(lambda: {"scope_covers_services": "yes"}, "PATCH")
    ),
    ("POST", "/api/v1/evidence/{evidence_id}/retract"): Route(
        "analyst", 200, json_post(lambda: {"reason": "sent in error"})
    ),
    ("POST", "/api/v1/vendors/{vendor_id}/waivers"): Route("analyst", 201, json_post(waiver_body)),
    ("GET", "/api/v1/vendors/{vendor_id}/waivers"): Route("reader", 200),
    ("POST", "/api/v1/waivers/{waiver_id}/revoke"): Route("analyst", 200, json_post(dict)),
    ("POST", "/api/v1/evidence/{evidence_id}/document"): Route(
        "analyst", 200, file_post("report.pdf", pdf_bytes)
    ),
    ("GET", "/api/v1/evidence/{evidence_id}/document"): Route("reader", 200, document_download),
    ("POST", "/api/v1/vendors/{vendor_id}/evidence/extract"): Route(
        "analyst", 200, file_post("report.pdf", pdf_bytes)
    ),
    ("GET", "/api/v1/exports/vendors"): Route("reader", 200),
    # reviews and the lifecycle (SPEC §12)
    ("POST", "/api/v1/vendors/{vendor_id}/reviews"): Route("analyst", 201, json_post(review_body)),
    ("GET", "/api/v1/vendors/{vendor_id}/reviews"): Route("reader", 200),
    ("POST", "/api/v1/vendors/{vendor_id}/archive"): Route("analyst", 200, json_post(archive_body)),
    ("POST", "/api/v1/vendors/{vendor_id}/reactivate"): Route("analyst", 200, json_post(dict)),
    # evidence requests and submissions (SPEC §11)
    ("POST", "/api/v1/vendors/{vendor_id}/requests"): Route(
        "analyst", 201, json_post(request_body)
    ),
    ("GET", "/api/v1/vendors/{vendor_id}/requests"): Route("reader", 200),
    ("GET", "/api/v1/requests"): Route("reader", 200),
    ("POST", "/api/v1/requests/{request_id}/cancel"): Route(
        "analyst", 200, json_post(lambda: {"reason": "no longer needed"})
    ),
    ("POST", "/api/v1/requests/{request_id}/link"): Route("analyst", 201, json_post(dict)),
    ("GET", "/api/v1/requests/{request_id}/submissions"): Route("reader", 200),
    ("GET", "/api/v1/submissions"): Route("reader", 200),
    ("GET", "/api/v1/submissions/{submission_id}/document"): Route("reader", 200),
    ("POST", "/api/v1/submissions/{submission_id}/accept"): Route(
        "analyst", 201, json_post(lambda: {"scope_covers_services": "yes"})
    ),
    ("POST", "/api/v1/submissions/{submission_id}/reject"): Route(
        "analyst", 200, json_post(lambda: {"reason": "the scan is unreadable"})
    ),
    ("GET", "/api/v1/rules"): Route("reader", 200),
    ("GET", "/api/v1/digest/preview"): Route("reader", 200),
    ("GET", "/healthz"): PUBLIC_200,
    ("GET", "/readyz"): PUBLIC_200,
    # the API's documentation and the static files
    **{("GET", path): PUBLIC_200 for path in DOCS},
    ("GET", "/static"): Route("public", 200, lambda ctx, c, p: c.get("/static/vetted.css")),
    # the pages
    ("GET", "/login"): Route("public", 200, roles={"reader": 303, "analyst": 303, "admin": 303}),
    ("POST", "/login"): Route(
        "public", 401, web_login, roles={"reader": 303, "analyst": 303, "admin": 303}
    ),
    ("POST", "/logout"): Route("public", LOGIN, form_post(lambda ctx: {})),
    ("GET", "/"): Route("reader", 200),
    # the vendor portal: the link alone, whoever holds it (no login, no session)
    ("GET", "/portal/{token}"): Route("public", 200, portal_get),
    ("POST", "/portal/{token}/submissions"): Route("public", 303, portal_post),
    ("POST", "/portal/{token}/extract"): Route("public", 200, portal_post),
    ("GET", "/vendors"): Route("reader", 200),
    ("GET", "/vendors/new"): Route("analyst", 200),
    ("POST", "/vendors/new"): Route("analyst", 303, form_post(lambda ctx: vendor_body())),
    ("GET", "/vendors/{vendor_id}"): Route("reader", 200),
    ("GET", "/vendors/{vendor_id}/edit"): Route("analyst", 200),
    ("POST", "/vendors/{vendor_id}/edit"): Route(
        "analyst",
        303,
        form_post(
            lambda ctx: {"name": f"Edited {time.monotonic_ns()}", "tier": "low", "version": "1"}
        ),  # fmt: skip
    ),
    ("GET", "/vendors/{vendor_id}/evidence/{kind}/new"): Route("analyst", 200),
    ("POST", "/vendors/{vendor_id}/evidence/{kind}/new"): Route(
        "analyst", 303, form_post(soc2_form)
    ),
    ("POST", "/vendors/{vendor_id}/evidence/{kind}/prefill"): Route(
        "analyst", 200, file_post("report.pdf", pdf_bytes)
    ),
    ("GET", "/evidence/{evidence_id}/scope"): Route("analyst", 200),
    ("POST", "/evidence/{evidence_id}/scope"): Route(
        "analyst", 303, form_post(lambda ctx: {"scope_covers_services": "yes"})
    ),
    ("GET", "/evidence/{evidence_id}/retract"): Route("analyst", 200),
    ("POST", "/evidence/{evidence_id}/retract"): Route(
        "analyst", 303, form_post(lambda ctx: {"reason": "sent in error"})
    ),
    ("GET", "/vendors/{vendor_id}/waivers/new"): Route("analyst", 200),
    ("POST", "/vendors/{vendor_id}/waivers/new"): Route("analyst", 303, form_post(waiver_form)),
    ("GET", "/waivers/{waiver_id}/revoke"): Route("analyst", 200),
    ("POST", "/waivers/{waiver_id}/revoke"): Route("analyst", 303, form_post(lambda ctx: {})),
    ("GET", "/vendors/{vendor_id}/reviews/new"): Route("analyst", 200),
    ("POST", "/vendors/{vendor_id}/reviews/new"): Route("analyst", 303, form_post(review_form)),
    ("GET", "/vendors/{vendor_id}/archive"): Route("analyst", 200),
    ("POST", "/vendors/{vendor_id}/archive"): Route("analyst", 303, form_post(archive_form)),
    ("GET", "/vendors/{vendor_id}/reactivate"): Route("analyst", 200),
    ("POST", "/vendors/{vendor_id}/reactivate"): Route("analyst", 303, form_post(lambda ctx: {})),
    ("GET", "/vendors/{vendor_id}/requests/new"): Route("analyst", 200),
    ("POST", "/vendors/{vendor_id}/requests/new"): Route(  # no SMTP: the link is shown once
        "analyst", 200, form_post(lambda ctx: {**REQUEST_FORM, "due_on": str(TEST_TODAY)})
    ),
    ("GET", "/requests/{request_id}/cancel"): Route("analyst", 200),
    ("POST", "/requests/{request_id}/cancel"): Route("analyst", 303, form_post(lambda ctx: {})),
    ("POST", "/requests/{request_id}/link"): Route("analyst", 200, form_post(lambda ctx: {})),
    ("GET", "/submissions"): Route("reader", 200),
    ("GET", "/submissions/{submission_id}"): Route("reader", 200),
    ("GET", "/submissions/{submission_id}/document"): Route("reader", 200),
    ("POST", "/submissions/{submission_id}/accept"): Route(
        "analyst", 303, form_post(lambda ctx: soc2_form(ctx) | {"scope_covers_services": "yes"})
    ),
    ("POST", "/submissions/{submission_id}/reject"): Route(
        "analyst", 303, form_post(lambda ctx: {"reason": "unreadable"})
    ),
    ("GET", "/import"): Route("analyst", 200),
    ("POST", "/import"): Route(
        "analyst", 200, file_post("v.csv", lambda: b"name,tier\r\nChecked Ltd,low\r\n")
    ),
    ("POST", "/import/confirm"): Route("analyst", 303, confirm_import),
    ("GET", "/export/vendors"): Route("reader", 200),
    ("GET", "/digest"): Route("reader", 200),
    ("GET", "/digest/letter"): Route("reader", 200),
}


def expected(key: tuple[str, str], role: str) -> object:
    """What `role` gets from the route: the rules of its front end, or the entry's exception."""
    route = ROUTES[key]
    if role in route.roles:
        return route.roles[role]
    if route.need == "public":
        return route.ok
    signed_in = role in RANK
    if key[1].startswith("/api/"):
        if not signed_in:
            return 401  # no credentials, a revoked token, or only an (expired) session cookie
    elif not signed_in:
        return LOGIN  # pages ignore bearer tokens; an expired session is no session
    return route.ok if RANK[role] >= RANK[route.need] else 403


def app_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the application serves (HEAD mirrors GET)."""
    found = set()
    for route in iter_route_contexts(create_app().routes):
        if isinstance(route.original_route, Mount):
            found.add(("GET", route.path))
            continue
        found |= {(m, route.path_format) for m in route.methods or () if m != "HEAD"}
    return found


def test_every_route_has_an_expectation():
    routes = app_routes()
    assert sorted(routes - ROUTES.keys()) == [], "routes with no expectation in ROUTES"
    assert sorted(ROUTES.keys() - routes) == [], "expectations for routes that do not exist"


def expired_cookie(user) -> str:
    """A freshly signed cookie for a session of `user` that began longer ago than one lasts."""
    web = session_cookie(user, now=clock.utc_now() - LIFETIME - timedelta(minutes=1))
    return web.set_cookie_header(secure=False).split(";")[0].split("=", 1)[1]


@pytest.fixture
def clients(app, database_url, tmp_path, monkeypatch):
    """A client per role: tokens for the API, signed-in sessions for the pages."""
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(tmp_path / "uploads"))
    config.get_settings.cache_clear()
    made: dict[str, TestClient] = {}
    for role in ROLES:
        client = made[role] = TestClient(app, raise_server_exceptions=True)
        if role in RANK:
            user = make_user(f"{role}@example.com", role)
            client.headers["Authorization"] = f"Bearer {make_token(role)}"
            sign_in(client, user)
            client.email = user.email
    made["revoked_token"].headers["Authorization"] = f"Bearer {make_token('admin', 'gone')}"
    with db.session_scope() as s:
        revoke_token(session=s, name="gone", actor="t")
    admin = make_user("expired@example.com", "admin")
    made["expired_session"].cookies.set(COOKIE, expired_cookie(admin))
    yield made
    for client in made.values():
        client.close()


def _outcome(response) -> object:
    location = response.headers.get("location", "")
    if response.status_code in (302, 303, 307) and location.startswith("/login"):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("key", sorted(ROUTES), ids=lambda k: f"{k[0]} {k[1]}")
def test_route_answers_each_role_as_expected(key, clients):
    method, path = key
    route, ctx = ROUTES[key], Ctx()
    responses = {role: route.call(ctx, clients[role], path) for role in ROLES}
    got = {role: _outcome(response) for role, response in responses.items()}
    assert got == {role: expected(key, role) for role in ROLES}
    for response in responses.values():  # and every answer, refusals included, is locked down
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors" in response.headers["content-security-policy"]
    COUNTS["authorisation: route × role checks"] += len(ROLES)
