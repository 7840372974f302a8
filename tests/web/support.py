"""Helpers for the web tests: users, CSRF tokens, a client that behaves like a browser."""

import html
import re
from collections import deque
from collections.abc import Iterator
from functools import lru_cache

from factories import rows
from fastapi.testclient import TestClient

from app import clock, db
from app.auth import sessions
from app.auth.roles import Role
from app.auth.users import hash_password
from app.models import User
from app.web.session import COOKIE, WebSession

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_LINK = re.compile(r'href="(/[^"#]*)"')
NOT_PAGES = ("/api/", "/export/", "/static/", "/docs", "/redoc", "/openapi.json", "/logout")


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # Argon2 is slow on purpose: hash once per run


def make_user(email: str, role: str, *, active: bool = True) -> User:
    """A web user with PASSWORD."""
    with db.session_scope() as session:
        user = User(
            email=email,
            password_hash=_password_hash(),
            role=Role(role).value,
            active=active,
            created_at=clock.utc_now(),
        )
        session.add(user)
    return user


def csrf_of(html: str) -> str:
    """The CSRF token rendered into a page's forms."""
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class WebClient(TestClient):
    """A TestClient that behaves like a browser session: it logs in and sends form tokens."""

    csrf: str = ""

    def log_in(self, email: str, password: str = PASSWORD, next: str = "/"):
        """Post the login form; keeps the new session's CSRF token."""
        token = csrf_of(self.get("/login").text)
        data = {"email": email, "password": password, "csrf_token": token, "next": next}
        response = self.post("/login", data=data)
        if "csrf_token" in response.text:
            self.csrf = csrf_of(response.text)
        return response

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """Post a form with this session's CSRF token, not following the redirect."""
        body = {"csrf_token": self.csrf, **(data or {})}
        return self.post(url, data=body, follow_redirects=False, **kwargs)


def session_cookie(user: User, *, now=None) -> WebSession:
    """The session cookie a login of `user` at `now` (default: now) would give."""
    with db.session_scope() as session:
        started = sessions.start(session=session, user=user, now=now or clock.utc_now())
    web = WebSession({})
    web.log_in(started)
    return web


def sign_in(client: WebClient, user: User) -> None:
    """Give `client` the session cookie a login would (test_login tests the form)."""
    web = session_cookie(user)
    value = web.set_cookie_header(secure=False).split(";")[0].split("=", 1)[1]
    client.cookies.set(COOKIE, value)
    client.csrf = web.csrf_token


def web_client(app, role: str | None) -> WebClient:
    """A client logged in as a new user with `role` (anonymous when None)."""
    client = WebClient(app, raise_server_exceptions=True)
    if role is not None:
        sign_in(client, make_user(f"{role}@example.com", role))
    return client


def api_post(client, path: str, body: dict | None = None) -> dict:
    """POST `body` to the JSON API; the response's JSON, once it says 200 or 201."""
    response = client.post(path, json=body or {})
    assert response.status_code in (200, 201), response.text
    return response.json()


def log_evidence(client, vendor_id: int, body: dict) -> dict:
    """Log one evidence record through the API; the record as the API returns it."""
    return api_post(client, f"/api/v1/vendors/{vendor_id}/evidence", body)["evidence"]


def fresh_rows(session, model, **where) -> list:
    """The rows as they are now: ends the read session's snapshot first (SQLite WAL)."""
    session.rollback()
    return rows(session, model, **where)


def fresh_count(session, model, **where) -> int:
    """How many rows match, as they are now."""
    return len(fresh_rows(session, model, **where))


def crawl(client: TestClient, starts: list[str]) -> Iterator[tuple[str, object]]:
    """GET `starts` and every page their links lead to, each once, as (path, response): the
    API, downloads and log-out left out."""
    seen, queue = set(starts), deque(starts)
    while queue:
        path = queue.popleft()
        response = client.get(path)
        yield path, response
        for link in map(html.unescape, _LINK.findall(response.text)):
            if not link.startswith(NOT_PAGES) and link not in seen:
                seen.add(link)
                queue.append(link)
