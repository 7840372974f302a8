"""Sessions and headers: CSP without inline script, framing refused, cookies locked down,
the session renewed at login, failed logins throttled, no production start on the default
secret key."""

import os
import re
import subprocess

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from reliability.support import COUNTS, VETTED, Server, load_demo_data
from web.support import PASSWORD, csrf_of, make_user, sign_in

from app import clock
from app.auth import throttle
from app.config import ROOT, Settings
from app.security import script_hashes
from app.web.session import COOKIE, WebSession

TEMPLATES = ROOT / "templates"
PAGES = ("/", "/vendors", "/vendors/1", "/vendors/new", "/vendors/1/edit", "/digest", "/import")


def directives(csp: str) -> dict[str, str]:
    return {d.split()[0]: d.strip() for d in csp.split(";") if d.strip()}


def test_pages_forbid_inline_script_and_framing(app, demo_ready, analyst_web):
    for path in PAGES:
        response = analyst_web.get(path)
        assert response.status_code == 200, path
        policy = directives(response.headers["content-security-policy"])
        assert policy["script-src"] == "script-src 'self'", path
        assert "unsafe" not in response.headers["content-security-policy"], path
        assert policy["frame-ancestors"] == "frame-ancestors 'none'"
        assert policy["base-uri"] == "base-uri 'none'" and policy["object-src"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        COUNTS["headers: pages checked"] += 1


def test_the_api_and_downloads_allow_nothing_to_run(reader, demo_ready):
    for path in ("/api/v1/vendors", "/api/v1/vendors/1", "/api/v1/exports/vendors", "/healthz"):
        response = reader.get(path)
        assert directives(response.headers["content-security-policy"])["default-src"] == (
            "default-src 'none'"
        )
        assert response.headers["x-content-type-options"] == "nosniff"


def test_templates_hold_no_inline_script_style_or_handler():
    for template in TEMPLATES.rglob("*.html"):
        if template.parent.name == "email":  # e-mail needs inline styles; it is framed sandboxed
            continue
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert not re.search(r"\sstyle\s*=", text), template
        assert "javascript:" not in text, template


def test_the_digest_letter_is_framed_sandboxed_from_its_own_address(demo_ready, analyst_web):
    page = analyst_web.get("/digest")
    frame = re.search(r'<iframe[^>]*\bsandbox\b[^>]*src="([^"]+)"', page.text)
    assert frame, "the e-mail is framed, sandboxed, from its own address"
    letter = analyst_web.get(frame.group(1).replace("&amp;", "&"))
    policy = directives(letter.headers["content-security-policy"])
    assert "sandbox" in policy and policy["default-src"] == "default-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'self'"
    assert "script-src" not in policy  # default-src 'none': no script at all


def test_the_docs_allow_their_one_inline_script_by_hash(anonymous):
    docs = anonymous.get("/docs")
    inline = re.findall(r"<script>(.*?)</script>", docs.text, re.S)
    assert len(inline) == 1
    csp = docs.headers["content-security-policy"]
    assert script_hashes(docs.content) in csp and "'unsafe-inline'" not in csp.split("style-src")[0]


def test_a_405_names_every_method_of_the_path(analyst):
    response = analyst.request("OPTIONS", "/api/v1/vendors/1")
    assert response.status_code == 405 and response.headers["allow"] == "GET, PATCH"
    assert analyst.delete("/api/v1/vendors").headers["allow"] == "GET, POST"


# --- cookies and sessions ---------------------------------------------------------------------


def _cookie(response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie")


def _session_of(cookie_header: str) -> dict:
    value = cookie_header.split(";")[0].split("=", 1)[1]
    return WebSession.from_cookie(value).data


def test_session_cookie_flags_and_renewal_at_login(app):
    make_user("cookie@example.com", "reader")
    with TestClient(app) as client:
        before = _cookie(client.get("/login"))
        token = csrf_of(client.get("/login").text)
        data = {"email": "cookie@example.com", "password": PASSWORD, "csrf_token": token}
        after = _cookie(client.post("/login", data=data, follow_redirects=False))
        for header in (before, after):
            assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
        old, new = _session_of(before), _session_of(after)
        assert old["nonce"] != new["nonce"] and old["csrf"] != new["csrf"] and "sid" in new
        stale = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert stale.status_code == 403  # the token from before the login no longer works
    with TestClient(app, cookies={COOKIE: before.split(";")[0].split("=", 1)[1]}) as fixed:
        assert fixed.get("/", follow_redirects=False).status_code == 303  # fixation: no login


def test_over_https_cookies_are_secure_and_hsts_is_sent(app):
    make_user("tls@example.com", "reader")
    with TestClient(app, base_url="https://vetted.example") as client:
        page = client.get("/login")
        assert "Secure" in _cookie(page)
        assert page.headers["strict-transport-security"].startswith("max-age=")


def test_behind_a_tls_proxy_the_cookie_is_secure(database_url, tmp_path):
    forwarded = {"X-Forwarded-Proto": "https"}
    trusted = Server(database_url, tmp_path, env={"VETTED_TRUSTED_PROXIES": "127.0.0.1"})
    server = trusted.start()
    try:
        behind = httpx.get(f"{server.url}/login", headers=forwarded)
        plain = httpx.get(f"{server.url}/login")
    finally:
        server.stop()
    assert "Secure" in behind.headers["set-cookie"] and "Secure" not in plain.headers["set-cookie"]
    server = Server(database_url, tmp_path).start()  # no VETTED_TRUSTED_PROXIES: not believed
    try:
        untrusted = httpx.get(f"{server.url}/login", headers=forwarded)
    finally:
        server.stop()
    assert "Secure" not in untrusted.headers["set-cookie"]


# --- failed-login throttling ------------------------------------------------------------------


def _attempt(client: TestClient, email: str, password: str):
    token = csrf_of(client.get("/login").text)
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/login", data=data, follow_redirects=False)


def test_ten_failures_in_fifteen_minutes_make_the_account_wait(app, monkeypatch):
    make_user("victim@example.com", "analyst")
    make_user("bystander@example.com", "analyst")
    with TestClient(app) as client:
        for _ in range(throttle.MAX_FAILURES):
            assert _attempt(client, "Victim@Example.com ", "wrong password").status_code == 401
        locked = _attempt(client, "victim@example.com", PASSWORD)  # even the right password
        assert locked.status_code == 429 and "Too many failed logins" in locked.text
        assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
        assert _attempt(client, "bystander@example.com", PASSWORD).status_code == 303
        later = clock.utc_now() + throttle.WINDOW
        monkeypatch.setattr(clock, "utc_now", lambda: later)
        assert _attempt(client, "victim@example.com", PASSWORD).status_code == 303
    assert throttle.failures("victim@example.com") == 0  # a success clears the record
    COUNTS["sessions: throttled login attempts"] += throttle.MAX_FAILURES + 1


def test_the_throttle_is_shared_by_every_process(database_url, tmp_path):
    make_user("shared@example.com", "analyst")
    server = Server(database_url, tmp_path, workers=2).start()
    statuses = []
    try:
        for _ in range(throttle.MAX_FAILURES + 3):
            with httpx.Client(base_url=server.url) as client:  # a new connection, any worker
                token = csrf_of(client.get("/login").text)
                data = {"email": "shared@example.com", "password": "nope", "csrf_token": token}
                statuses.append(client.post("/login", data=data).status_code)
    finally:
        server.stop()
    assert statuses == [401] * throttle.MAX_FAILURES + [429] * 3


# --- the secret key ---------------------------------------------------------------------------


def test_production_refuses_the_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("VETTED_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="VETTED_SECRET_KEY"):
        Settings(env="production")
    assert Settings(env="production", secret_key="x" * 48).env == "production"
    env = {"VETTED_ENV": "production", "VETTED_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    started = subprocess.run(
        [str(VETTED), "serve", "--port", "0"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env={**_clean_env(), **env},
    )  # fmt: skip
    assert started.returncode != 0 and "VETTED_SECRET_KEY" in started.stdout + started.stderr


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("VETTED_")}


# --- in a real browser: the pages keep working under their policy ------------------------------


@pytest.fixture
def demo_ready(database_url):
    load_demo_data()


@pytest.fixture
def analyst_web(app):
    client = TestClient(app)
    sign_in(client, make_user("analyst@example.com", "analyst"))
    with client:
        yield client


VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.mark.browser
def test_no_page_breaks_its_policy_in_chromium(page, live_server, demo_ready):
    base = live_server
    make_user("browser@example.com", "analyst")
    page.add_init_script(VIOLATIONS)
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill("browser@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    for path in PAGES:
        page.goto(base + path)
        assert page.evaluate("window.__csp") == [], path
    page.goto(base + "/digest")
    frame = page.frame_locator("iframe.letter-frame")
    link = frame.locator("a").first
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(23, 92, 211)"  # inline style
    assert page.evaluate("window.__csp") == []
    COUNTS["headers: pages loaded in chromium without a CSP violation"] += len(PAGES) + 1
