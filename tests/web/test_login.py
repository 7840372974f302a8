"""Logging in and out: signed session cookie, CSRF on the login form, roles, deactivation."""

import pytest
from factories import vendor_body
from sqlalchemy.exc import OperationalError
from sqlmodel import select
from web.support import PASSWORD, WebClient, csrf_of, make_user

from app import db
from app.models import User, Vendor
from app.web.login import safe_next
from app.web.session import COOKIE, WebSession


def _set_cookie(response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie")


def test_pages_need_a_login_and_come_back_after_it(web: WebClient):
    make_user("ana@example.com", "analyst")
    response = web.get("/vendors?status=blocked", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fvendors%3Fstatus%3Dblocked"
    landed = web.log_in("ana@example.com", next="/vendors?status=blocked")
    assert landed.url.path == "/vendors"
    assert "ana@example.com" in landed.text


@pytest.mark.parametrize(
    ("email", "password"),
    [("ana@example.com", "wrong password!"), ("nobody@example.com", PASSWORD)],
)
def test_a_wrong_email_or_password_gets_one_message_with_no_hint(web: WebClient, email, password):
    make_user("ana@example.com", "analyst")
    token = csrf_of(web.get("/login").text)
    data = {"email": email, "password": password, "csrf_token": token, "next": "/"}
    response = web.post("/login", data=data)
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.text
    assert f'value="{email}"' in response.text  # the e-mail is kept, the password is not
    assert password not in response.text
    assert web.get("/", follow_redirects=False).status_code == 303


def test_a_deactivated_user_cannot_log_in(web: WebClient):
    make_user("gone@example.com", "analyst", active=False)
    response = web.log_in("gone@example.com")
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.text


def test_deactivating_a_user_ends_their_session(web_analyst: WebClient):
    assert web_analyst.get("/", follow_redirects=False).status_code == 200
    with db.session_scope() as session:
        session.exec(select(User).where(User.email == "analyst@example.com")).one().active = False
    assert web_analyst.get("/", follow_redirects=False).status_code == 303


def test_a_changed_role_ends_the_session(web_analyst: WebClient):
    with db.session_scope() as session:
        session.exec(select(User).where(User.email == "analyst@example.com")).one().role = "reader"
    assert web_analyst.get("/", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_signed_httponly_and_samesite(web: WebClient):
    make_user("ana@example.com", "analyst")
    token = csrf_of(web.get("/login").text)
    data = {"email": "ana@example.com", "password": PASSWORD, "csrf_token": token}
    cookie = _set_cookie(web.post("/login", data=data, follow_redirects=False))
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test


def test_the_cookie_is_secure_over_https(app):
    make_user("ana@example.com", "analyst")
    with WebClient(app, base_url="https://testserver") as client:
        cookie = _set_cookie(client.get("/login"))
    assert "Secure" in cookie


def test_logging_in_rotates_the_session_and_its_csrf_token(web: WebClient):
    make_user("ana@example.com", "analyst")
    before_token = csrf_of(web.get("/login").text)
    before_cookie = web.cookies[COOKIE]
    web.log_in("ana@example.com")
    assert web.cookies[COOKIE] != before_cookie
    assert web.csrf and web.csrf != before_token


def test_a_forged_cookie_is_ignored(web: WebClient):
    make_user("ana@example.com", "analyst")
    web.log_in("ana@example.com")
    web.cookies.set(COOKIE, web.cookies[COOKIE][:-4] + "AAAA")
    assert web.get("/", follow_redirects=False).status_code == 303


def test_login_without_the_csrf_token_is_refused(web: WebClient):
    make_user("ana@example.com", "analyst")
    web.get("/login")
    data = {"email": "ana@example.com", "password": PASSWORD}
    response = web.post("/login", data=data)
    assert response.status_code == 403
    assert web.get("/", follow_redirects=False).status_code == 303


def test_log_out_ends_the_session(web_analyst: WebClient):
    response = web_analyst.submit("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    value = _set_cookie(response).split(";")[0].removeprefix(f"{COOKIE}=")
    assert WebSession.from_cookie(value).session_id is None
    assert "You are logged out." in web_analyst.get("/login").text
    assert web_analyst.get("/", follow_redirects=False).status_code == 303


def test_log_out_needs_the_csrf_token(web_analyst: WebClient):
    assert web_analyst.post("/logout", data={}).status_code == 403
    assert web_analyst.get("/", follow_redirects=False).status_code == 200


def test_a_logged_in_user_visiting_the_login_page_goes_to_the_dashboard(web_analyst: WebClient):
    response = web_analyst.get("/login", follow_redirects=False)
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/vendors/3", "/vendors/3"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_after_login_only_local_paths_are_followed(target, expected):
    assert safe_next(target) == expected


def test_a_web_session_reads_the_json_api(web_reader: WebClient):
    response = web_reader.get("/api/v1/vendors")
    assert response.status_code == 200
    assert response.json()["total"] == 0


def test_a_web_session_writes_through_the_api_only_with_the_csrf_header(
    web_analyst: WebClient, session
):
    body = vendor_body()
    assert web_analyst.post("/api/v1/vendors", json=body).status_code == 401
    assert session.exec(select(Vendor)).first() is None
    headers = {"X-CSRF-Token": web_analyst.csrf}
    response = web_analyst.post("/api/v1/vendors", json=body, headers=headers)
    assert response.status_code == 201


def test_the_api_keeps_json_errors(web_analyst: WebClient):
    response = web_analyst.get("/api/v1/vendors/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "vendor 999 not found"}
    assert web_analyst.get("/api/v1/nowhere").json() == {"detail": "Not Found"}


def test_browser_errors_are_html_pages(web_analyst: WebClient):
    for url in ("/vendors/999", "/nowhere", "/vendors/not-a-number", "/vendors/99999999999"):
        response = web_analyst.get(url)
        assert response.status_code == 404, url
        assert response.headers["content-type"].startswith("text/html")
        assert "Not found" in response.text


def test_a_database_outage_while_reading_the_session_is_a_503(web_analyst: WebClient, monkeypatch):
    async def unavailable(web):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr("app.web.session.principal_for_session", unavailable)
    response = web_analyst.get("/")
    assert (response.status_code, response.headers["retry-after"]) == (503, "1")


def test_pages_may_not_be_framed(web: WebClient):
    headers = web.get("/login").headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
