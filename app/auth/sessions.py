"""Web login sessions kept on the server, so that ending one ends it everywhere.

The session cookie carries a random session id (256 bits); this table holds its SHA-256, the
user, the role at login and an absolute expiry 12 hours after login that use never extends.
The row is deleted at logout, when the user's password or role changes and when the user is
deactivated; a cookie whose row is gone or expired stands for nobody. Only the hash is stored
(as for API tokens): a copy of the table (a backup, a read-only database login) gives no
working cookie, even to someone who also holds the signing key.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlmodel import Session, col, select

from app.auth.roles import Role
from app.auth.tokens import Principal
from app.db import read
from app.models import LoginSession, User

LIFETIME = timedelta(hours=12)  # a working day; then log in again


def hash_session_id(session_id: str) -> str:
    """The stored form of a session id (256 random bits: a plain hash suffices)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    """A new login: the id for the cookie (never stored) and when the session ends."""

    session_id: str
    expires_at: datetime


def start(*, session: Session, user: User, now: datetime) -> Started:
    """Open a session for `user` that ends LIFETIME from `now`; forget expired ones."""
    session.exec(delete(LoginSession).where(col(LoginSession.expires_at) <= now))
    session_id = secrets.token_urlsafe(32)
    row = LoginSession(
        id_hash=hash_session_id(session_id),
        user_id=user.id,
        role=user.role,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    session.flush()
    return Started(session_id=session_id, expires_at=row.expires_at)


def end(*, session: Session, session_id: str) -> None:
    """End one session (logout)."""
    session.exec(delete(LoginSession).where(LoginSession.id_hash == hash_session_id(session_id)))


def end_all(*, session: Session, user_id: int) -> int:
    """End every session of a user (new password, new role, deactivation); how many ended."""
    return session.exec(delete(LoginSession).where(LoginSession.user_id == user_id)).rowcount


def count(*, session: Session, user_id: int) -> int:
    """How many sessions of the user are stored (expired ones included until swept)."""
    query = select(LoginSession.id).where(LoginSession.user_id == user_id)
    return len(session.exec(query).all())


# The session's user: one lookup on the unique index of id_hash, joined to the user's row.
SESSION_USER = (
    select(
        User.id,
        User.email,
        User.role,
        User.active,
        col(LoginSession.role).label("session_role"),
        LoginSession.expires_at,
    )
    .join(User, col(User.id) == col(LoginSession.user_id))
    .where(LoginSession.id_hash == bindparam("id_hash"))
)


async def principal_for(session_id: str, *, now: datetime) -> Principal | None:
    """The active user a live session stands for, or None (ended, expired, role changed)."""
    params = {"id_hash": hash_session_id(session_id)}
    row = await read(lambda session: session.connection().execute(SESSION_USER, params).first())
    if row is None or not row.active or row.role != row.session_role or now >= row.expires_at:
        return None
    return Principal(name=row.email, role=Role(row.role), subject=f"user:{row.id}")
