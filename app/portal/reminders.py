"""Reminders about open evidence requests, and the retry of refused link e-mails: the portal's
part of the daily pass (SPEC §11).

A request that is `open` on the day (not submitted, closed, expired or cancelled) is reminded
on `due_on` − 7 days and then weekly while overdue: `due_on` + 7, + 14, … — never after the
link's end, since an expired request is not open. A day scheduled on or before the day the
request was created is skipped: the request's own e-mail went out then. Each reminder is
claimed once under (request, "reminder", its scheduled day). A pass that missed a scheduled
day sends the latest reminder due, not the backlog: one e-mail, under that day's key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings, get_settings
from app.db import session_scope
from app.evidence.kinds import KINDS
from app.mailer import Mailer, SmtpConfig
from app.models import EvidenceRequest, EvidenceSubmission, RequestEmail

from . import throttle
from .mail import (
    STALE_CLAIM,
    Outgoing,
    deliver,
    letter_context,
    local_day,
    render_letter,
    send_request_email,
)
from .service import LIVE, request_status, submissions_of

log = logging.getLogger("vetted.portal.reminders")
BEFORE_DUE_DAYS = 7  # the first reminder, this many days before the due date
OVERDUE_EVERY_DAYS = 7  # then one each week while overdue


def reminder_day(*, due_on: date, created_on: date, today: date) -> date | None:
    """The latest scheduled reminder day on or before `today` (None: none is due yet)."""
    overdue = (today - due_on).days
    if overdue >= OVERDUE_EVERY_DAYS:
        day = due_on + timedelta(days=overdue - overdue % OVERDUE_EVERY_DAYS)
    elif overdue >= -BEFORE_DUE_DAYS:
        day = due_on - timedelta(days=BEFORE_DUE_DAYS)
    else:
        return None
    return day if day > created_on else None


def _candidates(session: Session, today: date) -> list[EvidenceRequest]:
    """Requests that may be open today and near or past their due date."""
    query = select(EvidenceRequest).where(
        col(EvidenceRequest.cancelled_at).is_(None),
        col(EvidenceRequest.due_on) <= today + timedelta(days=BEFORE_DUE_DAYS),
        col(EvidenceRequest.expires_on) >= today,
    )
    return list(session.exec(query.order_by(col(EvidenceRequest.id))))


def overdue_requests(*, session: Session, today: date) -> list[EvidenceRequest]:
    """The requests open today after their due date (the digest's "Evidence requests
    overdue"): not submitted, closed, expired or cancelled; oldest due first."""
    query = select(EvidenceRequest).where(
        col(EvidenceRequest.cancelled_at).is_(None),
        col(EvidenceRequest.due_on) < today,
        col(EvidenceRequest.expires_on) >= today,
    )
    requests = list(session.exec(query.order_by(col(EvidenceRequest.due_on))))
    handed_in = submissions_of(session, [r.id for r in requests])
    return [r for r in requests if request_status(r, handed_in[r.id], today) == "open"]


def outstanding(request: EvidenceRequest, submissions: list[EvidenceSubmission]) -> list[str]:
    """The labels of the kinds asked for that have nothing accepted or pending."""
    handed_in = {s.kind for s in submissions if s.status in ("accepted", "pending")}
    return [KINDS[k].label if k in KINDS else k for k in request.kinds if k not in handed_in]


def _reminder(
    session: Session, request: EvidenceRequest, submissions: list, day: date, today: date
) -> Outgoing:
    settings = get_settings()
    context = letter_context(session, request, settings)
    overdue = max((today - request.due_on).days, 0)
    context |= {"overdue": overdue, "documents": outstanding(request, submissions)}
    when = "overdue since" if overdue else "due"
    subject = (
        f"Reminder: security evidence for {context['organisation']} {when} "
        f"{request.due_on.isoformat()} ({context['vendor']})"
    )
    letter = render_letter("reminder", subject, context)
    return Outgoing(request.id, "reminder", day, request.contact_email, letter)


def due_reminders(*, today: date, settings: Settings) -> Iterator[Outgoing]:
    """The reminders due today, rendered (each still to be claimed)."""
    with session_scope(writes=False) as session:
        requests = _candidates(session, today)
        handed_in = submissions_of(session, [r.id for r in requests])
        for request in requests:
            submissions = handed_in[request.id]
            if request_status(request, submissions, today) != "open":
                continue
            created_on = local_day(request.created_at, settings)
            day = reminder_day(due_on=request.due_on, created_on=created_on, today=today)
            if day is not None:
                yield _reminder(session, request, submissions, day, today)


def send_due_reminders(*, today: date) -> int:
    """Send the reminders due today that no pass has sent; how many went out. Without an
    SMTP host nothing is claimed; a server that cannot be reached ends the batch."""
    settings = get_settings()
    if not settings.smtp_host:
        return 0
    sent = 0
    with Mailer(SmtpConfig.from_settings(settings)) as mailer:
        for outgoing in list(due_reminders(today=today, settings=settings)):
            outcome, fatal = deliver(mailer, outgoing)
            sent += outcome.sent
            if fatal:
                break
    log.info("reminders for %s: %d sent", today, sent)
    return sent


def resend_refused_links(*, today: date) -> int:
    """Send again the link e-mails that were refused (or whose process died before
    recording), of requests still taking documents."""
    if not get_settings().smtp_host:
        return 0
    abandoned = col(RequestEmail.claimed_at) < clock.utc_now() - STALE_CLAIM
    with session_scope(writes=False) as session:
        query = select(RequestEmail.request_id).where(
            RequestEmail.what != "reminder",
            col(RequestEmail.sent_at).is_(None),
            or_(col(RequestEmail.failed_at).isnot(None), abandoned),
        )
        ids = sorted(set(session.exec(query)))
        requests = [session.get(EvidenceRequest, i) for i in ids]
        handed_in = submissions_of(session, ids)
        live = [r.id for r in requests if request_status(r, handed_in[r.id], today) in LIVE]
    return sum(send_request_email(request_id=i).sent for i in live)


def daily_mail(today: date) -> None:
    """The portal's part of the daily pass: forget the rate limit's old posts, then its e-mail —
    refused links again, then today's reminders."""
    with session_scope() as session:
        throttle.prune(clock.utc_now(), session=session)
    resend_refused_links(today=today)
    send_due_reminders(today=today)
