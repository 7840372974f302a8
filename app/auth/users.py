"""Web users: created by an admin, passwords hashed with Argon2."""

from pwdlib import PasswordHash
from sqlmodel import Session, select

from app import clock
from app.audit.service import create, record
from app.auth import sessions
from app.auth.roles import Role
from app.errors import Conflict, Invalid, NotFound
from app.models import User

_hasher = PasswordHash.recommended()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """An Argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches the stored hash."""
    return _hasher.verify(password, password_hash)


def create_user(*, session: Session, email: str, password: str, role: Role, actor: str) -> User:
    """Create a web user."""
    email = email.strip().lower()
    if "@" not in email or not email.isprintable() or " " in email:
        raise Invalid("email", "enter an e-mail address (one line, no spaces)")
    _check_password(password)
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict(f"a user {email} exists already")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role.value,
        created_at=clock.utc_now(),
    )
    create(session=session, row=user, actor=actor, after={"email": email, "role": role.value})
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("password", f"use at least {MIN_PASSWORD_LENGTH} characters")


def get_user(*, session: Session, email: str) -> User:
    """The user with this e-mail address, or NotFound."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"no user {email.strip().lower()}")
    return user


def _changed(*, session: Session, user: User, actor: str, action: str, after: dict) -> int:
    """Store the change, audit it, and end every session of the user; how many ended."""
    session.add(user)
    session.flush()
    ended = sessions.end_all(session=session, user_id=user.id)
    record(
        session=session,
        actor=actor,
        action=action,
        row=user,
        after=after | {"sessions_ended": ended},
    )
    return ended


def set_password(*, session: Session, email: str, password: str, actor: str) -> int:
    """Give a user a new password; their open sessions end. Returns how many ended."""
    _check_password(password)
    user = get_user(session=session, email=email)
    user.password_hash = hash_password(password)
    return _changed(session=session, user=user, actor=actor, action="set_password", after={})


def set_role(*, session: Session, email: str, role: Role, actor: str) -> int:
    """Give a user another role; their open sessions end. Returns how many ended."""
    user = get_user(session=session, email=email)
    user.role = role.value
    after = {"role": role.value}
    return _changed(session=session, user=user, actor=actor, action="set_role", after=after)


def set_active(*, session: Session, email: str, active: bool, actor: str) -> int:
    """Deactivate (or reactivate) a user; deactivation ends their open sessions."""
    user = get_user(session=session, email=email)
    user.active = active
    action = "activate" if active else "deactivate"
    return _changed(
        session=session, user=user, actor=actor, action=action, after={"active": active}
    )
