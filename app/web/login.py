"""Log in and log out."""

import secrets
from functools import lru_cache

from fastapi import APIRouter, Request
from sqlmodel import Session, select

from app import clock
from app.auth import sessions, throttle
from app.auth.client import client_address
from app.auth.users import hash_password, verify_password
from app.db import SessionDep, session_scope
from app.models import User
from app.web.deps import CsrfForm
from app.web.forms import FORM_ERROR, FormState
from app.web.session import web_session
from app.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
MAX_PASSWORD_LENGTH = 1000  # Argon2 on megabytes of input would be a cheap way to burn CPU
WRONG = "Wrong e-mail address or password."
TOO_MANY = (
    "Too many failed logins for this account from your address. Wait {minutes} minute(s) "
    "and try again, or ask an administrator to check the account."
)
TOO_MANY_FROM_HERE = (
    "Too many failed logins from your address. Wait {minutes} minute(s) and try again."
)


@lru_cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (in the same time either way)."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, user.password_hash) or not user.active:
        return None
    return user


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site, never another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str | None = None):
    """The login form."""
    if getattr(request.state, "principal", None) is not None:
        return see_other(safe_next(next))
    form = FormState({"email": "", "next": safe_next(next)})
    return render(request, "auth/login.html", {"form": form})


@router.post("/login")
def log_in(request: Request, posted: CsrfForm):
    """Check the password; on success start a new session and go where the user was going."""
    form = FormState.read(posted, ("email", "password", "next"))
    attempt = throttle.begin_attempt(form.value("email"), client_address(request))
    if not attempt.allowed:
        message = TOO_MANY_FROM_HERE if attempt.per_client else TOO_MANY
        return _refused(request, form, message.format(minutes=_minutes(attempt)), 429, attempt)
    with session_scope(writes=False) as session:  # a read: no write lock during Argon2
        user = authenticate(
            session=session, email=form.value("email"), password=form.value("password")
        )
    if user is None:
        return _refused(request, form, WRONG, 401)
    throttle.succeeded(attempt)
    web = web_session(request)
    with session_scope() as session:
        if web.session_id is not None:  # a session from before (expired, or another user's)
            sessions.end(session=session, session_id=web.session_id)
        started = sessions.start(session=session, user=user, now=clock.utc_now())
    web.log_in(started)
    return see_other(safe_next(form.value("next")))


def _minutes(attempt: throttle.Attempt) -> int:
    return -(-attempt.wait_seconds // 60)


def _refused(
    request: Request,
    form: FormState,
    message: str,
    status: int,
    attempt: throttle.Attempt | None = None,
):
    """The login form again, without the password, saying why."""
    form.values["password"] = ""
    form.add(FORM_ERROR, message)
    response = render(request, "auth/login.html", {"form": form}, status_code=status)
    if attempt is not None:
        response.headers["Retry-After"] = str(attempt.wait_seconds)
    return response


@router.post("/logout")
def log_out(request: Request, _: CsrfForm, session: SessionDep):
    """End the session, here and wherever its cookie was copied to."""
    web = web_session(request)
    if web.session_id is not None:
        sessions.end(session=session, session_id=web.session_id)
    web.log_out()
    web.flash("You are logged out.")
    return see_other("/login")
