"""API tokens: random, shown once, stored as SHA-256, revocable."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app import clock
from app.audit.service import record, snapshot
from app.auth.roles import Role
from app.db import read
from app.errors import Conflict, NotFound
from app.models import ApiToken

TOKEN_PREFIX = "vt_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's or a user's name, the role it holds, and which credential
    it is (`token:<id>` or `user:<id>`: what an Idempotency-Key is bound to)."""

    name: str
    role: Role
    subject: str = ""


def hash_token(token: str) -> str:
    """The stored form of a token. Tokens carry 256 random bits, so a plain hash suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session: Session, name: str, role: Role, actor: str) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plaintext, which is never stored."""
    if session.exec(select(ApiToken).where(ApiToken.name == name)).first():
        raise Conflict(f"a token named {name!r} exists already")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        role=role.value,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:8],
        created_at=clock.utc_now(),
    )
    session.add(token)
    session.flush()
    after = snapshot(token) | {"token_hash": "…"}
    record(session=session, actor=actor, action="create", row=token, after=after)
    return token, plaintext


def revoke_token(*, session: Session, name: str, actor: str) -> ApiToken:
    """Revoke a token by name; it stops working at once."""
    token = session.exec(select(ApiToken).where(ApiToken.name == name)).first()
    if token is None:
        raise NotFound(f"no token named {name!r}")
    if token.revoked_at is None:
        token.revoked_at = clock.utc_now()
        session.add(token)
        record(
            session=session,
            actor=actor,
            action="revoke",
            row=token,
            after={"revoked_at": token.revoked_at.isoformat()},
        )
    return token


# A live token's id, name and role: one lookup on the unique index of token_hash.
LIVE_TOKEN = select(ApiToken.id, ApiToken.name, ApiToken.role).where(
    ApiToken.token_hash == bindparam("token_hash"), col(ApiToken.revoked_at).is_(None)
)


def _principal(token_id: int, name: str, role: str) -> Principal:
    return Principal(name=f"token:{name}", role=Role(role), subject=f"token:{token_id}")


def principal_for_token(*, session: Session, plaintext: str) -> Principal | None:
    """The principal a live token stands for, or None."""
    params = {"token_hash": hash_token(plaintext)}
    row = session.connection().execute(LIVE_TOKEN, params).first()  # Core: see status_by_id
    return None if row is None else _principal(row.id, row.name, row.role)


async def lookup_token(plaintext: str) -> Principal | None:
    """`principal_for_token`, awaited (the token behind every API call).

    No cache: a revoked token fails on its next request, in every process.
    """
    return await read(lambda session: principal_for_token(session=session, plaintext=plaintext))
