"""E-mail about evidence requests: the link, and reminders (SPEC §11).

Each e-mail is claimed before it goes out, like the weekly digest: a `request_emails` row
inserted in its own committed transaction, whose unique (request, what, due_on) key lets one
process send it. `what` names the e-mail:

- "request": the first link, due the day the request was created (the organisation's time
  zone);
- "link-N": the link that replaced the N-th one (`POST /requests/{id}/link`), due the day
  its e-mail was first claimed. Each link is e-mailed once, whatever the day: a retry finds
  the link's row by (request, what) before inserting one;
- "reminder": a reminder, due on its scheduled day (app/portal/reminders.py).

A sent row is never sent again. A refused one — the server refused it or could not be
reached — keeps its row with failed_at and why, and is taken over by the next attempt (the
daily pass retries); so is a claim whose process died before recording (after STALE_CLAIM).
Neither the link's token nor the SMTP password is written to `error` or to a log line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from jinja2 import Environment
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings, get_settings
from app.db import session_scope
from app.evidence.kinds import KINDS
from app.mailer import DeliveryError, Mailer, SmtpConfig, compose, email_environment
from app.models import EvidenceRequest, RequestEmail, Vendor

from . import links
from .service import asked_by, current_link_email

log = logging.getLogger("vetted.portal.mail")
STALE_CLAIM = timedelta(hours=1)


@dataclass(frozen=True)
class EmailOutcome:
    """What became of an e-mail: sent, not configured (no SMTP host), or refused (why).
    Neither sent nor refused: `detail` says why not (sent already, being sent, cancelled)."""

    sent: bool
    configured: bool
    error: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    text: str
    html: str


# --- the letters -------------------------------------------------------------------------------


@lru_cache
def environment() -> Environment:
    """The e-mail templates' Jinja2, for the request e-mails."""
    return email_environment()


def local_day(moment: datetime, settings: Settings) -> date:
    """The organisation's day at `moment`."""
    return moment.astimezone(ZoneInfo(settings.timezone)).date()


def letter_context(session: Session, request: EvidenceRequest, settings: Settings) -> dict:
    """What every e-mail about a request says: who asks whom for what, by when, and the link."""
    vendor = session.get(Vendor, request.vendor_id)
    return {
        "organisation": settings.organisation_name,
        "asked_by": asked_by(request),
        "vendor": vendor.name if vendor else f"vendor {request.vendor_id}",
        "documents": [KINDS[k].label if k in KINDS else k for k in request.kinds],
        "due_on": request.due_on,
        "expires_on": request.expires_on,
        "message": request.message,
        "url": links.portal_url(request),
    }


def render_letter(name: str, subject: str, context: dict) -> Letter:
    """templates/email/{name}.txt and .html with `context`."""
    env, context = environment(), {**context, "subject": subject}
    return Letter(
        subject=subject,
        text=env.get_template(f"{name}.txt").render(context),
        html=env.get_template(f"{name}.html").render(context),
    )


# --- claiming ----------------------------------------------------------------------------------


def _insert_claim(request_id: int, what: str, due_on: date, recipient: str) -> int | None:
    try:
        with session_scope() as session:
            row = RequestEmail(
                request_id=request_id,
                what=what,
                due_on=due_on,
                recipient=recipient[:320],
                claimed_at=clock.utc_now(),
            )
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None


def _take_over(session: Session, row: RequestEmail) -> int | None:
    """Take a refused or abandoned claim, unless another process just did."""
    taken = session.execute(
        update(RequestEmail)
        .where(col(RequestEmail.id) == row.id, col(RequestEmail.claimed_at) == row.claimed_at)
        .where(col(RequestEmail.sent_at).is_(None))
        .values(claimed_at=clock.utc_now(), failed_at=None)
    )
    return row.id if taken.rowcount == 1 else None


def _existing_claim(request_id: int, what: str, due_on: date | None) -> int | str | None:
    """The row's id once taken over; a sentence when it is sent or being sent; None: no row."""
    with session_scope() as session:
        query = select(RequestEmail).where(
            RequestEmail.request_id == request_id, RequestEmail.what == what
        )
        if due_on is not None:
            query = query.where(RequestEmail.due_on == due_on)
        row = session.exec(query.order_by(col(RequestEmail.id).desc())).first()
        if row is None:
            return None
        if row.sent_at is not None:
            return f"already sent at {row.sent_at:%Y-%m-%d %H:%M} UTC"
        if row.failed_at is None and row.claimed_at > clock.utc_now() - STALE_CLAIM:
            return "being sent by another process"
        return _take_over(session, row) or "being sent by another process"


def claim(
    *, request_id: int, what: str, due_on: date, recipient: str, any_day: bool = False
) -> int | str:
    """Claim an e-mail: the claim's row id, or why another attempt has it. `any_day`: the
    e-mail's row is looked for whatever its due_on (a link is e-mailed once, ever)."""
    for _ in range(3):
        found = _existing_claim(request_id, what, None if any_day else due_on)
        if found is not None:
            return found
        inserted = _insert_claim(request_id, what, due_on, recipient)
        if inserted is not None:
            return inserted
    return "being sent by another process"


def record_sent(row_id: int) -> None:
    """The e-mail went out."""
    stamp = {"sent_at": clock.utc_now(), "failed_at": None, "error": None}
    with session_scope() as session:
        session.execute(update(RequestEmail).where(col(RequestEmail.id) == row_id).values(stamp))


def record_refused(row_id: int, cause: str) -> None:
    """The e-mail did not go out: keep the claim, unsent, with when and why (no token)."""
    stamp = {"failed_at": clock.utc_now(), "error": links.redact(cause)[:1000]}
    with session_scope() as session:
        session.execute(
            update(RequestEmail)
            .where(col(RequestEmail.id) == row_id, col(RequestEmail.sent_at).is_(None))
            .values(stamp)
        )


# --- sending -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An e-mail ready to claim and send."""

    request_id: int
    what: str
    due_on: date
    recipient: str
    letter: Letter
    any_day: bool = False


def deliver(mailer: Mailer, outgoing: Outgoing) -> tuple[EmailOutcome, bool]:
    """Claim the e-mail, send it, record what became of it; and whether the failure, if any,
    stops every other e-mail too (the server cannot be reached: a batch ends)."""
    got = claim(
        request_id=outgoing.request_id,
        what=outgoing.what,
        due_on=outgoing.due_on,
        recipient=outgoing.recipient,
        any_day=outgoing.any_day,
    )
    if isinstance(got, str):
        return EmailOutcome(sent=False, configured=True, detail=got), False
    letter = outgoing.letter
    msg = compose(
        sender=mailer.config.sender,
        recipient=outgoing.recipient,
        subject=letter.subject,
        text=letter.text,
        html=letter.html,
    )
    try:
        mailer.send(msg)
    except DeliveryError as exc:
        record_refused(got, exc.cause)
        cause = links.redact(exc.cause)
        log.warning("request %d: %s e-mail not sent: %s", outgoing.request_id, outgoing.what, cause)
        return EmailOutcome(sent=False, configured=True, error=cause), exc.fatal
    record_sent(got)
    log.info("request %d: %s e-mail sent", outgoing.request_id, outgoing.what)
    return EmailOutcome(sent=True, configured=True), False


def link_email_key(request: EvidenceRequest, settings: Settings) -> tuple[str, date]:
    """(what, due_on) of the current link's e-mail: "request" on the creation day for the
    first link, "link-N" today for the N-th replacement."""
    what = current_link_email(request)
    if what == "request":
        return what, local_day(request.created_at, settings)
    return what, clock.today(settings.timezone)


def request_letter(session: Session, request: EvidenceRequest, settings: Settings) -> Letter:
    """The e-mail that sends the link."""
    context = letter_context(session, request, settings)
    subject = (
        f"{context['organisation']} asks {context['vendor']} for security evidence "
        f"by {request.due_on.isoformat()}"
    )
    return render_letter("request", subject, context)


def _link_email(request_id: int, settings: Settings) -> Outgoing | str:
    with session_scope(writes=False) as session:
        request = session.get(EvidenceRequest, request_id)
        if request is None:
            return f"there is no request {request_id}"
        if request.cancelled_at is not None:
            return f"request {request_id} is cancelled"
        what, due_on = link_email_key(request, settings)
        letter = request_letter(session, request, settings)
        return Outgoing(request.id, what, due_on, request.contact_email, letter, any_day=True)


def send_request_email(*, request_id: int) -> EmailOutcome:
    """E-mail the request's link to its contact, once (claimed in the database). Opens its own
    transactions: call it after the request is committed."""
    settings = get_settings()
    if not settings.smtp_host:
        return EmailOutcome(sent=False, configured=False)
    try:
        outgoing = _link_email(request_id, settings)
        if isinstance(outgoing, str):
            return EmailOutcome(sent=False, configured=True, detail=outgoing)
        with Mailer(SmtpConfig.from_settings(settings)) as mailer:
            return deliver(mailer, outgoing)[0]
    except Exception as exc:  # the request stands whatever became of its e-mail
        log.error("request %d: the link e-mail failed: %s", request_id, type(exc).__name__)
        return EmailOutcome(sent=False, configured=True, error=type(exc).__name__)
