"""Login sessions in a signed cookie, and the CSRF token that travels with them.

Nothing is stored on the server, so any number of processes share the sessions: the
cookie carries the user id, role, a random nonce (new at every login) and the CSRF token,
signed with the secret key. The user row is read on each request, so a deactivated user
or a changed role ends the session at once.
"""

import secrets
from datetime import datetime
from functools import lru_cache
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.roles import Role
from app.auth.tokens import Principal
from app.clock import utc_now
from app.config import get_settings
from app.db import SAFE_METHODS, read_row
from app.models import User

COOKIE = "vetted_session"
MAX_AGE_SECONDS = 12 * 3600  # a working day; then log in again
SALT = "vetted.web-session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
BUSY = PlainTextResponse(
    "The database is busy or unavailable; retry shortly.", 503, headers={"Retry-After": "1"}
)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key.get_secret_value(), salt=SALT)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@lru_cache(maxsize=4096)
def _verified(value: str, secret_key: str) -> tuple[dict[str, Any], datetime] | None:
    """A cookie's data and signing time, if its signature under `secret_key` holds (checked
    once per cookie and key: the same bytes give the same answer; the age is checked on
    every request)."""
    try:
        serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        data, signed_at = serializer.loads(value, return_timestamp=True)
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
        if (utc_now() - signed_at).total_seconds() > MAX_AGE_SECONDS:
            return cls({})
        return cls(dict(data))

    @property
    def user_id(self) -> int | None:
        """The logged-in user's id, if any."""
        uid = self.data.get("uid")
        return uid if isinstance(uid, int) else None

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

    def log_in(self, user: User) -> None:
        """Start a fresh session for `user`: new nonce and CSRF token (no fixation)."""
        self.data = {"uid": user.id, "role": user.role, "nonce": _new_token(), "csrf": _new_token()}
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

    def set_cookie_header(self, *, secure: bool) -> str:
        """The Set-Cookie header value that stores (or clears) this session."""
        flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        if not self.data:
            return f"{COOKIE}=; Max-Age=0{flags}"
        value = _serializer().dumps(self.data)
        return f"{COOKIE}={value}; Max-Age={MAX_AGE_SECONDS}{flags}"


def web_session(request: Request) -> WebSession:
    """The request's session (set by the middleware; empty where it does not run)."""
    web = getattr(request.state, "web_session", None)
    if web is None:
        web = request.state.web_session = WebSession({})
    return web


# The session's user: one primary-key SELECT on every page (`read_row`, no ORM session).
SESSION_USER = select(User.email, User.role, User.active).where(User.id == bindparam("user_id"))


async def principal_for_session(web: WebSession) -> Principal | None:
    """The active user the session stands for, or None (and the session is ended)."""
    uid = web.user_id
    if uid is None:
        return None
    user = await read_row(SESSION_USER, {"user_id": uid})
    if user is None or not user["active"] or user["role"] != web.data.get("role"):
        web.log_out()
        return None
    return Principal(name=user["email"], role=Role(user["role"]))


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
        if web.user_id is not None:
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
