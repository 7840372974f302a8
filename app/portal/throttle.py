"""The portal's rate limit (SPEC §11): posts to a link (submissions and extractions) counted per
link and per client address in the `portal_posts` table, shared by every process.

The limits are far above what a vendor handing in a few documents ever sends; they stop a
script from filling the store or keeping the PDF readers busy through one link or from one
address. The daily pass deletes the rows older than the window (`prune`).
"""

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.auth.throttle import client_key
from app.errors import TooMany
from app.models import PortalPost

PER_LINK = 30  # posts to one link within WINDOW
PER_CLIENT = 60  # posts from one client address within WINDOW, whatever the links
WINDOW = timedelta(minutes=15)
TOO_MANY = "Too many documents were sent through this page just now. Try again in {minutes}."


def _oldest_if_over(session: Session, where, limit: int, since: datetime) -> datetime | None:
    """The oldest post in the window when `limit` of them are in it already; None otherwise."""
    query = select(func.count(), func.min(PortalPost.at)).where(where, PortalPost.at > since)
    count, oldest = session.exec(query).one()
    return oldest if count >= limit else None


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def note_post(*, session: Session, request_id: int, client: str, now: datetime) -> None:
    """Count a post to the link of request `request_id` from address `client`; TooMany (429,
    with the seconds to wait) when the link or the address has used up its window. Flushes."""
    key, since = client_key(client), now - WINDOW
    limits = (
        (PortalPost.request_id == request_id, PER_LINK),
        (PortalPost.client == key, PER_CLIENT),
    )
    oldest = [_oldest_if_over(session, where, limit, since) for where, limit in limits]
    waits = [math.ceil((o + WINDOW - now).total_seconds()) for o in oldest if o is not None]
    if waits:
        wait = max(1, *waits)
        raise TooMany(TOO_MANY.format(minutes=_minutes(wait)), retry_after=wait)
    session.add(PortalPost(request_id=request_id, client=key, at=now))
    session.flush()


def prune(now: datetime, *, session: Session) -> int:
    """Delete the posts older than the window (for the daily pass, in its session); how many
    were deleted. Flushes."""
    done = session.exec(delete(PortalPost).where(col(PortalPost.at) <= now - WINDOW))
    return done.rowcount or 0
