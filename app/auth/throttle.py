"""Failed-login throttling per account, shared by every process through one small table.

After MAX_FAILURES failed logins for one account within WINDOW, further attempts wait until
the oldest of them leaves the window; the password is not even checked meanwhile. Each
attempt is written down *before* its password is checked and counted with the others, so
concurrent guesses in several processes cannot slip past the limit together; a successful
login clears the account's record. Accounts are stored as a hash of the normalised e-mail
address, so the table holds no address an attacker typed.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app import clock
from app.db import session_scope
from app.models import LoginFailure

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


def account_key(email: str) -> str:
    """The stored identity of an account: the SHA-256 of its normalised e-mail address."""
    return hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """A login attempt that may go ahead (`wait_seconds` 0) or must wait."""

    account: str
    attempt_id: int | None
    wait_seconds: int

    @property
    def allowed(self) -> bool:
        """True when the password may be checked now."""
        return self.wait_seconds == 0


def _others(session: Session, account: str, since: datetime, own_id: int) -> list[datetime]:
    """When the account's other attempts in the window were made, latest first."""
    query = (
        select(LoginFailure.at)
        .where(
            LoginFailure.account == account,
            col(LoginFailure.at) > since,
            LoginFailure.id != own_id,
        )
        .order_by(col(LoginFailure.at).desc())
    )
    return list(session.exec(query))


def _wait(earlier: list[datetime], now: datetime) -> int:
    """Seconds until fewer than MAX_FAILURES of the `earlier` failures are in the window."""
    if len(earlier) < MAX_FAILURES:
        return 0
    frees_at = earlier[MAX_FAILURES - 1] + WINDOW  # the oldest of the latest MAX_FAILURES
    return max(1, math.ceil((frees_at - now).total_seconds()))


def _note(account: str, now: datetime) -> int:
    """Write the attempt down (committed, so that other processes count it)."""
    with session_scope(writes=True) as session:
        session.exec(delete(LoginFailure).where(col(LoginFailure.at) <= now - WINDOW))
        pending = LoginFailure(account=account, at=now)
        session.add(pending)
        session.flush()
        return pending.id


def begin_attempt(email: str) -> Attempt:
    """Note this attempt, then count the account's others: at MAX_FAILURES it must wait."""
    account, now = account_key(email), clock.utc_now()
    own_id = _note(account, now)
    with session_scope(writes=True) as session:
        wait = _wait(_others(session, account, now - WINDOW, own_id), now)
        if wait:  # attempts while locked do not lengthen the lock
            session.exec(delete(LoginFailure).where(LoginFailure.id == own_id))
            return Attempt(account=account, attempt_id=None, wait_seconds=wait)
    return Attempt(account=account, attempt_id=own_id, wait_seconds=0)


def succeeded(attempt: Attempt) -> None:
    """The password was right: forget the account's failures."""
    with session_scope(writes=True) as session:
        session.exec(delete(LoginFailure).where(LoginFailure.account == attempt.account))


def failures(email: str) -> int:
    """How many failed or pending attempts the account has in the current window."""
    since = clock.utc_now() - WINDOW
    with session_scope(writes=False) as session:
        query = select(func.count()).where(
            LoginFailure.account == account_key(email), col(LoginFailure.at) > since
        )
        return session.exec(query).one()
