"""Issue 14, item 4: logging out ends the session, wherever its cookie was copied to; a session
ends 12 hours after login however it is used; a new password, a new role or deactivation
ends every session of the user."""

from datetime import timedelta

import itsdangerous.timed
import pytest
from factories import vendor_body
from fastapi.testclient import TestClient
from reliability.support import finding_closed
from web.support import PASSWORD, WebClient, make_user

from app import clock, db
from app.auth import users
from app.auth.roles import Role
from app.web.session import COOKIE

LIFETIME = timedelta(hours=12)


def _logged_in(app, email: str, role: str = "analyst") -> WebClient:
    make_user(email, role)
    client = WebClient(app)
    landed = client.log_in(email)
    assert landed.url.path == "/"
    client.login_response = landed.history[0]
    return client


def _with_cookie(app, cookie: str) -> TestClient:
    return TestClient(app, cookies={COOKIE: cookie})


def _max_age(response) -> int:
    header = response.headers["set-cookie"]
    return int(header.split("Max-Age=")[1].split(";")[0])


@pytest.fixture
def moving_clock(monkeypatch):
    """`move(delta)`: the app's clock (and the cookie signer's, wherever it reads it) jumps
    `delta` ahead of the real time."""
    offset = timedelta(0)
    real_now = clock.utc_now

    def now():
        return real_now() + offset

    class Time:
        @staticmethod
        def time() -> float:
            return now().timestamp()

    monkeypatch.setattr(clock, "utc_now", now)
    monkeypatch.setattr(itsdangerous.timed, "time", Time)

    def move(delta: timedelta) -> None:
        nonlocal offset
        offset = delta

    return move


def test_a_logged_out_cookie_is_refused(app):
    web = _logged_in(app, "leaver@example.com")
    stolen, csrf = web.cookies[COOKIE], web.csrf
    assert web.submit("/logout").headers["location"] == "/login"
    with _with_cookie(app, stolen) as thief:
        page = thief.get("/", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2F")
        headers = {"X-CSRF-Token": csrf}
        created = thief.post("/api/v1/vendors", json=vendor_body(), headers=headers)
        assert created.status_code == 401
    finding_closed("4 logout ends the session")


def test_use_does_not_extend_a_session_past_twelve_hours(app, moving_clock):
    web = _logged_in(app, "worker@example.com")
    # what is left of twelve hours when the cookie is written (a second may have ticked)
    assert 12 * 3600 - 5 <= _max_age(web.login_response) <= 12 * 3600
    moving_clock(timedelta(hours=11))
    saved = web.submit("/vendors/new", vendor_body())  # a notice: the cookie is written again
    assert saved.status_code == 303
    assert 0 < _max_age(saved) <= 3600  # what is left of the twelve hours, no more
    reissued = web.cookies[COOKIE]
    assert web.get("/", follow_redirects=False).status_code == 200
    moving_clock(timedelta(hours=12, minutes=1))
    with _with_cookie(app, reissued) as late:
        page = late.get("/", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2F")
    finding_closed("4 logout ends the session")


def test_an_expired_session_is_refused(app, moving_clock):
    web = _logged_in(app, "sleeper@example.com")
    moving_clock(LIFETIME - timedelta(seconds=5))
    assert web.get("/", follow_redirects=False).status_code == 200
    moving_clock(LIFETIME)
    assert web.get("/", follow_redirects=False).status_code == 303
    assert web.get("/api/v1/vendors").status_code == 401
    finding_closed("4 logout ends the session")


@pytest.mark.parametrize(
    ("change", "values"),
    [
        ("set_password", {"password": "another long password"}),
        ("set_role", {"role": Role.reader}),
        ("set_active", {"active": False}),
    ],
)
def test_a_new_password_role_or_deactivation_ends_every_session(app, change, values):
    email = "changed@example.com"
    first = _logged_in(app, email)
    second = WebClient(app)
    second.log_in(email)
    with db.session_scope() as session:  # the services an admin's commands call
        ended = getattr(users, change)(session=session, email=email, actor="admin", **values)
    assert ended == 2
    for client in (first, second):
        assert client.get("/", follow_redirects=False).status_code == 303
    if values.get("password"):
        assert WebClient(app).log_in(email, password=values["password"]).url.path == "/"
        assert WebClient(app).log_in(email, password=PASSWORD).status_code == 401
    finding_closed("4 logout ends the session")
