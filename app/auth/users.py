"""Web users: created by an admin, passwords hashed with Argon2."""

from pwdlib import PasswordHash
from sqlmodel import Session, select

from app import clock
from app.audit.service import record
from app.auth.roles import Role
from app.errors import Conflict, Invalid
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
    if "@" not in email:
        raise Invalid("email", "enter an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("password", f"use at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict(f"a user {email} exists already")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role.value,
        created_at=clock.utc_now(),
    )
    session.add(user)
    session.flush()
    record(
        session=session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="create",
        vendor_id=None,
        after={"email": email, "role": role.value},
    )
    return user
