"""The session cookie: a signed cookie with the CSRF token, a notice, and for a logged-in
user the id of a server-side session (`app.auth.sessions`).

The cookie itself grants nothing: the session id in it is looked up on every request (one
indexed read joined to the user's row), so logging out, a new password or role, deactivation
and the session's absolute expiry end it at once, in every process. The signature keeps the
CSRF token and the notice honest before login.
"""

import secrets
from datetime import datetime
from functools import lru_cache
from typing import Any

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import OperationalError
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import clock
from app.auth import sessions
from app.auth.sessions import LIFETIME, Started
from app.auth.tokens import Principal
from app.config import get_settings
from app.db import SAFE_METHODS

COOKIE = "vetted_session"
MAX_AGE_SECONDS = int(LIFETIME.total_seconds())  # no cookie, logged in or not, lives longer
SALT = "vetted.web-session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
BUSY = PlainTextResponse(
    "The database is busy or unavailable; retry shortly.", 503, headers={"Retry-After": "1"}
)


class _ClockSigner(TimestampSigner):
    """Signs with the time of `app.clock`, the one clock every other age is measured by."""

    def get_timestamp(self) -> int:
        return int(clock.utc_now().timestamp())


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=_ClockSigner)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@lru_cache(maxsize=4096)
def _verified(value: str, secret_key: str) -> tuple[dict[str, Any], datetime] | None:
    """A cookie's data and signing time, if its signature under `secret_key` holds (checked
    once per cookie and key: the same bytes give the same answer; the age is checked on
    every request)."""
    try:
        data, signed_at = _serializer(secret_key).loads(value, return_timestamp=True)
    except BadSignature:
        return None
    return (data, signed_at) if isinstance(data, dict) else None


class WebSession:
    """The signed cookie's contents for one request; changes are written back."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.modified = False

    @classmethod
    def from_cookie(cls, value: str | None) -> "WebSession":
        """The session a cookie carries, or an empty one when it is missing, forged or old."""
        verified = _verified(value, get_settings().secret_key.get_secret_value()) if value else None
        if verified is None:
            return cls({})
        data, signed_at = verified
        if (clock.utc_now() - signed_at).total_seconds() > MAX_AGE_SECONDS:
            return cls({})
        return cls(dict(data))

    @property
    def session_id(self) -> str | None:
        """The id of the server-side login session, if the cookie carries one."""
        sid = self.data.get("sid")
        return sid if isinstance(sid, str) else None

    @property
    def csrf_token(self) -> str:
        """The token every form that changes something must send back."""
        if not isinstance(self.data.get("csrf"), str):
            self.data.update(csrf=_new_token(), nonce=_new_token())
            self.modified = True
        return self.data["csrf"]

    def csrf_ok(self, token: object) -> bool:
        """True when `token` is this session's CSRF token."""
        expected = self.data.get("csrf")
        if not isinstance(expected, str) or not isinstance(token, str):
            return False
        return secrets.compare_digest(expected.encode(), token.encode())

    def log_in(self, started: Started) -> None:
        """Carry the new login session: new nonce and CSRF token (no fixation)."""
        expires = int(started.expires_at.timestamp())
        self.data = {
            "sid": started.session_id,
            "exp": expires,
            "nonce": _new_token(),
            "csrf": _new_token(),
        }
        self.modified = True

    def log_out(self) -> None:
        """Forget the user; the cookie is cleared."""
        self.data = {}
        self.modified = True

    def flash(self, text: str) -> None:
        """A one-line notice for the next page (post/redirect/get)."""
        self.data["flash"] = text
        self.modified = True

    def pop_flash(self) -> str | None:
        """The pending notice, removed."""
        text = self.data.pop("flash", None)
        if text is not None:
            self.modified = True
        return text if isinstance(text, str) else None

    def _max_age(self) -> int:
        """Seconds the cookie may live: never past the login session's end."""
        expires = self.data.get("exp")
        if self.session_id is None or not isinstance(expires, int):
            return MAX_AGE_SECONDS
        left = expires - int(clock.utc_now().timestamp())
        return max(0, min(left, MAX_AGE_SECONDS))

    def set_cookie_header(self, *, secure: bool) -> str:
        """The Set-Cookie header value that stores (or clears) this session."""
        flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        if not self.data:
            return f"{COOKIE}=; Max-Age=0{flags}"
        value = _serializer(get_settings().secret_key.get_secret_value()).dumps(self.data)
        return f"{COOKIE}={value}; Max-Age={self._max_age()}{flags}"


def web_session(request: Request) -> WebSession:
    """The request's session (set by the middleware; empty where it does not run)."""
    web = getattr(request.state, "web_session", None)
    if web is None:
        web = request.state.web_session = WebSession({})
    return web


async def principal_for_session(web: WebSession) -> Principal | None:
    """The active user the session stands for, or None (and the cookie is cleared)."""
    session_id = web.session_id
    if session_id is None:
        return None
    principal = await sessions.principal_for(session_id, now=clock.utc_now())
    if principal is None:
        web.log_out()
    return principal


def _may_use_api(request: Request, web: WebSession) -> bool:
    """A cookie may write through the JSON API only with the CSRF token in a header."""
    if not request.scope["path"].startswith("/api/") or request.method in SAFE_METHODS:
        return True
    return web.csrf_ok(request.headers.get(CSRF_HEADER))


class WebSessionMiddleware:
    """Reads the session cookie, sets `request.state.principal`, writes the cookie back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        web = WebSession.from_cookie(request.cookies.get(COOKIE))
        state = scope.setdefault("state", {})
        state["web_session"] = web
        if web.session_id is not None:
            try:
                principal = await principal_for_session(web)  # one indexed read, on the loop
            except OperationalError:  # outside the app's handlers: answer here, not with a 500
                await BUSY(scope, receive, send)
                return
            if principal is not None and _may_use_api(request, web):
                state["principal"] = principal
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and web.modified:
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", web.set_cookie_header(secure=secure))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
