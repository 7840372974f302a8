"""Failed-login throttling per (account, client address) and per client address, shared by
every process through one small table.

After MAX_FAILURES failed logins for one account from one client address within WINDOW,
further attempts on that account from that address wait until the oldest of them leaves the
window; after MAX_CLIENT_FAILURES from one address, whatever the accounts, every attempt from
it waits. The password is not even checked meanwhile. An attacker therefore locks only
themselves out: the account's owner, logging in from elsewhere, is not slowed down.

Each attempt is written down *before* its password is checked and counted with the others, so
concurrent guesses in several processes cannot slip past the limit together; a successful
login clears the account's record for that address. Accounts are stored as a hash of the
normalised e-mail address, so the table holds no address an attacker typed; client addresses
come from `app.auth.client` (X-Forwarded-For only from VETTED_TRUSTED_PROXIES), and an IPv6
client counts by its /64 network, the block one subscriber is usually given.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import IPv6Address, ip_address, ip_network

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app import clock
from app.db import session_scope
from app.models import LoginFailure

MAX_FAILURES = 10  # per account and client address
MAX_CLIENT_FAILURES = 50  # per client address, whatever the accounts tried
WINDOW = timedelta(minutes=15)


def account_key(email: str) -> str:
    """The stored identity of an account: the SHA-256 of its normalised e-mail address."""
    return hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()


def client_key(address: str) -> str:
    """The stored identity of a client address: an IPv6 address by its /64 network."""
    try:
        parsed = ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


@dataclass(frozen=True)
class Attempt:
    """A login attempt that may go ahead (`wait_seconds` 0) or must wait, and why."""

    account: str
    client: str
    attempt_id: int | None
    wait_seconds: int
    per_client: bool = False  # the address as a whole is throttled, not only this account

    @property
    def allowed(self) -> bool:
        """True when the password may be checked now."""
        return self.wait_seconds == 0


def _others(session: Session, since: datetime, own_id: int, *where) -> list[datetime]:
    """When the other attempts matching `where` in the window were made, latest first."""
    query = (
        select(LoginFailure.at)
        .where(*where, col(LoginFailure.at) > since, LoginFailure.id != own_id)
        .order_by(col(LoginFailure.at).desc())
    )
    return list(session.exec(query))


def _wait(earlier: list[datetime], now: datetime, limit: int) -> int:
    """Seconds until fewer than `limit` of the `earlier` failures are in the window."""
    if len(earlier) < limit:
        return 0
    frees_at = earlier[limit - 1] + WINDOW  # the oldest of the latest `limit`
    return max(1, math.ceil((frees_at - now).total_seconds()))


def _note(account: str, client: str, now: datetime) -> int:
    """Write the attempt down (committed, so that other processes count it)."""
    with session_scope(writes=True) as session:
        session.exec(delete(LoginFailure).where(col(LoginFailure.at) <= now - WINDOW))
        pending = LoginFailure(account=account, client=client, at=now)
        session.add(pending)
        session.flush()
        return pending.id


def _waits(session: Session, account: str, client: str, now: datetime, own_id: int):
    """(seconds to wait for this account from this client, for this client at all)."""
    since = now - WINDOW
    from_client = LoginFailure.client == client
    pair = _others(session, since, own_id, LoginFailure.account == account, from_client)
    anyone = _others(session, since, own_id, from_client)
    return _wait(pair, now, MAX_FAILURES), _wait(anyone, now, MAX_CLIENT_FAILURES)


def begin_attempt(email: str, client: str) -> Attempt:
    """Note this attempt, then count the others: at a limit it must wait."""
    account, client, now = account_key(email), client_key(client), clock.utc_now()
    own_id = _note(account, client, now)
    with session_scope(writes=True) as session:
        for_account, for_client = _waits(session, account, client, now, own_id)
        if for_account or for_client:  # attempts while locked do not lengthen the lock
            session.exec(delete(LoginFailure).where(LoginFailure.id == own_id))
            wait = max(for_account, for_client)
            return Attempt(account, client, None, wait, per_client=for_client >= for_account)
    return Attempt(account=account, client=client, attempt_id=own_id, wait_seconds=0)


def succeeded(attempt: Attempt) -> None:
    """The password was right: forget the account's failures from this client."""
    with session_scope(writes=True) as session:
        session.exec(
            delete(LoginFailure).where(
                LoginFailure.account == attempt.account, LoginFailure.client == attempt.client
            )
        )


def failures(email: str, client: str | None = None) -> int:
    """How many failed or pending attempts the account has in the current window (from
    `client` only, when given)."""
    since = clock.utc_now() - WINDOW
    where = [LoginFailure.account == account_key(email), col(LoginFailure.at) > since]
    if client is not None:
        where.append(LoginFailure.client == client_key(client))
    with session_scope(writes=False) as session:
        return session.exec(select(func.count()).where(*where)).one()
