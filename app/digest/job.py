"""The weekly run: gather the digest, claim each (week, recipient), send, record.

The claim is a `digest_deliveries` row inserted in its own committed transaction before the
message goes out; its unique (week, recipient) key lets exactly one of several racing runs
(replicas, cron entries, `vetted serve` workers) send. Each recipient is its own delivery: a
recipient the server refuses (or cannot take, such as an address that needs SMTPUTF8 from a
server without it) keeps its claim marked refused, with the reason, never as sent, and the
next run sends it again; the recipients after it still get theirs. A failure that stops
every delivery (the server cannot be reached, the login or the sender is refused) deletes the
claim instead. A claim left by a run that crashed (sent_at still null) may be taken over once
it is older than STALE_CLAIM.
"""

from __future__ import annotations

import logging
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import clock
from app.audit.service import record, snapshot
from app.config import Settings
from app.db import session_scope
from app.digest.build import (
    MAX_ROWS,
    WORSENED_DAYS,
    DecisionFact,
    Digest,
    EvaluatedVendor,
    OverdueRequest,
    StatusChangeFact,
    VendorInfo,
    build_digest,
    for_owner,
    iso_week,
    owner_key,
    owners,
)
from app.digest.render import Rendered, render
from app.evidence.kinds import KINDS
from app.mailer import DeliveryError, Mailer, SmtpConfig, compose
from app.models import DigestDelivery, Evidence, StatusChange, Vendor, Waiver
from app.portal.reminders import overdue_requests
from app.rules.engine import evaluate
from app.rules.facts import VendorCase
from app.status.bulk import EVIDENCE_COLUMNS, WAIVER_COLUMNS, EvidenceRow, WaiverRow
from app.status.service import build_case, current_policy, decision_of, holds, refresh_due

log = logging.getLogger("vetted.digest")
BATCH = 1000
STALE_CLAIM = timedelta(hours=1)
Progress = Callable[[int], None]


class NotConfigured(Exception):
    """Sending needs an SMTP host and at least one recipient."""


# --- gathering ---------------------------------------------------------------------------------


# Only the columns the digest and the rules read, as named tuples: no ORM objects (and no
# identity map) for 100,000 vendors, and memory bounded by one page of vendors.
VENDOR_COLUMNS = (
    Vendor.id,
    Vendor.name,
    Vendor.tier,
    Vendor.owner_email,
    Vendor.requirement,
    Vendor.data_access,
    Vendor.required_tsc,
    Vendor.lifecycle,
    Vendor.contract_end_on,
    Vendor.notice_days,
    Vendor.auto_renews,
    Vendor.renewal_term_months,
    Vendor.status_on,
    Vendor.refresh_on,
    Vendor.review_due_on,
    Vendor.decision_on,
    Vendor.decision_status,
    Vendor.decision,
)
CHANGE_COLUMNS = (
    StatusChange.vendor_id,
    StatusChange.changed_on,
    StatusChange.before,
    StatusChange.after,
)
VendorRow = namedtuple("VendorRow", [c.key for c in VENDOR_COLUMNS])
NOT_ARCHIVED = col(Vendor.lifecycle) != "archived"
BAD = ("block", "high")


@dataclass(frozen=True, slots=True)
class _Page:
    """A page of vendors (by id) and, by vendor id, their evidence, waivers and changes."""

    vendors: list[VendorRow]
    evidence: dict[int, list]
    waivers: dict[int, list]
    changes: dict[int, list[StatusChangeFact]]


def _grouped(rows: Iterable, make: Callable) -> dict[int, list]:
    found: dict[int, list] = {}
    for row in rows:
        found.setdefault(row.vendor_id, []).append(make(row))
    return found


def _vendor_pages(conn: Connection, batch: int, since: date, as_of: date) -> Iterator[_Page]:
    """Every vendor, a page at a time by id (keyset), with the rows that belong to it:
    four queries a page, each a range on an index."""
    after = 0
    while True:
        # Archived vendors leave the digest (SPEC §12); their records stay.
        query = select(*VENDOR_COLUMNS).where(col(Vendor.id) > after, NOT_ARCHIVED)
        query = query.order_by(col(Vendor.id))
        vendors = [VendorRow._make(v) for v in conn.execute(query.limit(batch))]
        if not vendors:
            return
        first, after = vendors[0].id, vendors[-1].id
        evidence = select(*EVIDENCE_COLUMNS).where(col(Evidence.vendor_id).between(first, after))
        waivers = select(*WAIVER_COLUMNS).where(col(Waiver.vendor_id).between(first, after))
        changes = (
            select(*CHANGE_COLUMNS)
            .where(col(StatusChange.vendor_id).between(first, after))
            .where(col(StatusChange.changed_on).between(since, as_of))
            .order_by(col(StatusChange.vendor_id), col(StatusChange.id))
        )
        yield _Page(
            vendors,
            _grouped(conn.execute(evidence), EvidenceRow._make),
            _grouped(conn.execute(waivers), WaiverRow._make),
            _grouped(conn.execute(changes), lambda c: StatusChangeFact(*c[1:])),
        )


def evaluated_vendors(
    *, session: Session, as_of: date, batch: int = BATCH, progress: Progress | None = None
) -> Iterator[EvaluatedVendor]:
    """Every vendor evaluated on `as_of`, with its status changes of the past week."""
    policy, done = current_policy(), 0
    since = as_of - timedelta(days=WORSENED_DAYS)
    for page in _vendor_pages(session.connection(), batch, since, as_of):
        for v in page.vendors:
            case = build_case(v, page.evidence.get(v.id, ()), page.waivers.get(v.id, ()))
            yield EvaluatedVendor(
                info=VendorInfo(v.id, v.name, v.tier, v.owner_email),
                case=case,
                assessment=evaluate(case, policy, as_of=as_of),
                changes=tuple(page.changes.get(v.id, ())),
                review_due_on=v.review_due_on,
                decision=decision_fact(v, case, as_of=as_of),
            )
        done += len(page.vendors)
        if progress is not None:
            progress(done)


def decision_fact(v: VendorRow, case: VendorCase, *, as_of: date) -> DecisionFact | None:
    """The renewal decision seen on `as_of`: the stored one (decision_on, decision_status and
    the decision's current end and flags) while the stored row holds, which it does for this
    week's digest once the daily pass has run; decided again for another week's preview."""
    if holds(v.status_on, v.refresh_on, as_of):
        if v.decision_on is None or v.decision_status is None or not v.decision:
            return None
        flags = [(f["code"], f["severity"], f.get("waived")) for f in v.decision.get("flags", ())]
        end = date.fromisoformat(v.decision["contract_end_on"])
        return DecisionFact(v.decision_on, end, v.decision_status, _reasons(flags))
    decision = decision_of(v, case, as_of=as_of)
    if decision is None:
        return None
    flags = [(f.code, f.severity, f.waived) for f in decision.flags]
    return DecisionFact(decision.on, decision.contract_end_on, decision.status, _reasons(flags))


def _reasons(flags: Iterable[tuple[str, str, bool | None]]) -> tuple[str, ...]:
    """The codes of the unwaived block and high flags, each once."""
    return tuple(dict.fromkeys(c for c, sev, waived in flags if not waived and sev in BAD))


def collect(
    *,
    session: Session,
    as_of: date,
    base_url: str,
    progress: Progress | None = None,
    limit: int | None = MAX_ROWS,
    owners: bool = False,
) -> Digest:
    """The team's digest for the week of `as_of`, read from the database: each section cut
    to the first `limit` rows an e-mail shows (None: every row); with `owners`, each vendor
    owner's digest too."""
    requests = overdue(session=session, as_of=as_of)
    vendors = evaluated_vendors(session=session, as_of=as_of, progress=progress)
    return build_digest(
        vendors,
        as_of=as_of,
        policy=current_policy(),
        base_url=base_url,
        limit=limit,
        owners=owners,
        requests=requests,
    )


def overdue(*, session: Session, as_of: date) -> list[OverdueRequest]:
    """The evidence requests still open after their due date, on `as_of`."""
    return [
        OverdueRequest(
            id=r.id,
            vendor_id=r.vendor_id,
            documents=tuple(KINDS[k].label if k in KINDS else k for k in r.kinds),
            due_on=r.due_on,
            contact=r.contact_email,
        )
        for r in overdue_requests(session=session, today=as_of)
    ]


def refresh_statuses(*, today: date) -> None:
    """Materialise lapsed statuses, so changes caused by the calendar are in the change log."""
    with session_scope() as session:
        refresh_due(session=session, today=today)


def letters(digest: Digest, *, team: Sequence[str], owners_too: bool) -> list[tuple[str, Digest]]:
    """(recipient, digest) pairs: the team gets everything; owners only their own, if any."""
    seen: set[str] = set()
    out: list[tuple[str, Digest]] = []
    for address in team:
        if (key := owner_key(address)) and key not in seen:
            seen.add(key)
            out.append((address.strip(), digest))
    for owner in owners(digest) if owners_too else ():
        if owner not in seen:
            seen.add(owner)
            out.append((owner, for_owner(digest, owner)))
    return out


# --- claiming ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    row_id: int
    ours: bool  # we inserted (or took over) the row, so a failed send deletes it


def _insert_claim(week: str, recipient: str) -> Claim | None:
    try:
        with session_scope() as session:
            row = DigestDelivery(week=week, recipient=recipient, claimed_at=clock.utc_now())
            session.add(row)
            session.flush()
            return Claim(row.id, ours=True)
    except IntegrityError:
        return None


def _existing_claim(week: str, recipient: str, *, force: bool) -> Claim | str | None:
    with session_scope() as session:
        query = select(DigestDelivery).where(
            DigestDelivery.week == week, DigestDelivery.recipient == recipient
        )
        row = session.exec(query).first()
        if row is None:
            return None  # released meanwhile: try to insert again
        if force:
            return Claim(row.id, ours=False)
        if row.sent_at is not None:
            return f"already sent for week {week} at {row.sent_at:%Y-%m-%d %H:%M} UTC"
        if row.failed_at is None and row.claimed_at > clock.utc_now() - STALE_CLAIM:
            return f"being sent for week {week} by another run (claimed {row.claimed_at:%H:%M} UTC)"
        return _take_over(session, row)


def _take_over(session: Session, row: DigestDelivery) -> Claim | str:
    """A claim refused last time, or whose run died before recording: take it, unless
    another run just did."""
    taken = session.execute(
        update(DigestDelivery)
        .where(col(DigestDelivery.id) == row.id, col(DigestDelivery.claimed_at) == row.claimed_at)
        .where(col(DigestDelivery.sent_at).is_(None))
        .values(claimed_at=clock.utc_now(), failed_at=None)
    )
    if taken.rowcount == 1:
        return Claim(row.id, ours=True)
    return f"being sent for week {row.week} by another run"


def claim(*, week: str, recipient: str, force: bool) -> Claim | str:
    """Claim (week, recipient) for this run, or say why another run has it."""
    key = owner_key(recipient) or recipient
    for _ in range(3):
        got = _insert_claim(week, key)
        if got is None:
            got = _existing_claim(week, key, force=force)
        if got is not None:
            return got
    return f"being sent for week {week} by another run"


def _change_unsent(claim_: Claim, statement) -> None:
    """Run `statement` on our claimed delivery row while it is still unsent."""
    if not claim_.ours:
        return
    with session_scope() as session:
        session.execute(
            statement.where(col(DigestDelivery.id) == claim_.row_id).where(
                col(DigestDelivery.sent_at).is_(None)
            )
        )


def release(claim_: Claim) -> None:
    """Undo our claim after a failed send: nothing is recorded as sent."""
    _change_unsent(claim_, delete(DigestDelivery))


def record_refused(claim_: Claim, cause: str) -> None:
    """The server refused this delivery: keep our claim, unsent, with when and why, so the
    next run sends it again."""
    stamp = {"failed_at": clock.utc_now(), "error": cause[:1000]}
    _change_unsent(claim_, update(DigestDelivery).values(**stamp))


def record_sent(claim_: Claim, *, week: str, recipient: str, message_id: str, actor: str) -> None:
    """Mark the delivery as sent, with an audit entry, in one transaction."""
    with session_scope() as session:
        row = session.get(DigestDelivery, claim_.row_id)
        before = snapshot(row)
        now = clock.utc_now()
        if row is None:
            key = owner_key(recipient) or recipient
            row = DigestDelivery(week=week, recipient=key, claimed_at=now)
        row.sent_at, row.message_id = now, message_id
        row.failed_at, row.error = None, None
        session.add(row)
        session.flush()
        action = "send" if before is None or before["sent_at"] is None else "resend"
        record(session=session, actor=actor, action=action, row=row, before=before)


# --- sending -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    recipient: str
    state: str  # sent | skipped | failed
    detail: str
    fatal: bool = False


@dataclass(slots=True)
class RunReport:
    week: str
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, state: str) -> int:
        """How many recipients ended in `state`."""
        return sum(1 for o in self.outcomes if o.state == state)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state == "failed"]


def check_configured(settings: Settings) -> None:
    """Refuse to run without an SMTP host or without anybody to send to."""
    if not settings.smtp_host:
        raise NotConfigured("VETTED_SMTP_HOST is not set: there is no SMTP server to send with")
    if not settings.digest_to and not settings.digest_owners:
        raise NotConfigured(
            "nobody to send to: set VETTED_DIGEST_TO and/or VETTED_DIGEST_OWNERS=true"
        )


class _Sender:
    """Delivers the letters of one run through one SMTP connection."""

    def __init__(self, *, mailer: Mailer, week: str, force: bool, actor: str) -> None:
        self.mailer, self.week, self.force, self.actor = mailer, week, force, actor
        self.rendered: dict[str, Rendered] = {}
        self.fatal: str | None = None

    def deliver(self, recipient: str, digest: Digest) -> Outcome:
        if self.fatal is not None:
            return Outcome(recipient, "failed", self.fatal, fatal=True)
        got = claim(week=self.week, recipient=recipient, force=self.force)
        if isinstance(got, str):
            return Outcome(recipient, "skipped", got)
        letter = self._render(digest)
        msg = compose(
            sender=self.mailer.config.sender,
            recipient=recipient,
            subject=letter.subject,
            text=letter.text,
            html=letter.html,
        )
        try:
            self.mailer.send(msg)
        except DeliveryError as exc:
            if exc.fatal:  # nothing to do with this recipient: no record of it
                release(got)
                self.fatal = exc.cause
            else:
                record_refused(got, exc.cause)
            return Outcome(recipient, "failed", exc.cause, fatal=exc.fatal)
        record_sent(
            got, week=self.week, recipient=recipient, message_id=msg["Message-ID"], actor=self.actor
        )
        return Outcome(recipient, "sent", f"Message-ID {msg['Message-ID']}")

    def _render(self, digest: Digest) -> Rendered:
        if digest.scope not in self.rendered:
            self.rendered[digest.scope] = render(digest)
        return self.rendered[digest.scope]


def send_digest(
    *,
    as_of: date,
    settings: Settings,
    today: date,
    force: bool = False,
    actor: str = "cli",
    progress: Progress | None = None,
) -> RunReport:
    """Send the week's digest to every recipient that has not had it yet (all with `force`)."""
    check_configured(settings)
    refresh_statuses(today=today)
    with session_scope(writes=False) as session:
        digest = collect(
            session=session,
            as_of=as_of,
            base_url=settings.base_url,
            progress=progress,
            owners=settings.digest_owners,
        )
    report = RunReport(week=iso_week(as_of))
    addressed = letters(digest, team=settings.digest_to, owners_too=settings.digest_owners)
    with Mailer(SmtpConfig.from_settings(settings)) as mailer:
        sender = _Sender(mailer=mailer, week=report.week, force=force, actor=actor)
        for recipient, letter in addressed:
            outcome = sender.deliver(recipient, letter)
            log.info(
                "digest %s to %s: %s (%s)", report.week, recipient, outcome.state, outcome.detail
            )
            report.outcomes.append(outcome)
    return report
