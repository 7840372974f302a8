"""The weekly digest's content: a pure function of the evaluated vendors and `as_of`.

No database, no web, no clock: the job streams vendors in (and hands over the overdue evidence
requests, SPEC §11), this keeps only the rows that go into the digest (SPEC §8), and the same
inputs always give the same digest. Built with a
`limit`, each section keeps only its first `limit` rows in the section's order (the rows an
e-mail shows) and counts the rest, so memory does not grow with the number of vendors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from app.rules.checks import relied_on
from app.rules.engine import Assessment
from app.rules.facts import IsoCertificate, SocReport, VendorCase, Waiver
from app.rules.policy import Policy
from app.rules.snapshot import take_snapshot

WINDOWS = (30, 60, 90)  # expiring within 30 days, in 31–60, in 61–90
WORSENED_DAYS = 7
WAIVER_DAYS = 30
REVIEW_DAYS = 30  # reviews overdue or due within 30 days (SPEC §12)
DECISION_DAYS = 90  # renewal decisions within 90 days, a passed notice included
STATUS_RANK: Mapping[str, int] = {"approved": 0, "conditional": 1, "blocked": 2}
EXPIRED_CODES = {"report": ("SOC2_STALE",), "certificate": ("ISO_EXPIRED", "ISO_2013_VERSION")}
TEAM = "team"
# An e-mail lists at most this many rows per section (the rest on the web page): with
# 100,000 vendors a section can hold thousands, and SMTP servers refuse huge messages.
MAX_ROWS = 250


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VendorInfo:
    """What a digest row says about the vendor itself."""

    id: int
    name: str
    tier: str
    owner_email: str | None = None


@dataclass(frozen=True, slots=True)
class StatusChangeFact:
    """One change of a vendor's materialised status (a `status_changes` row)."""

    changed_on: date
    before: str | None
    after: str


@dataclass(frozen=True, slots=True)
class OverdueRequest:
    """An evidence request open after its due date (status `open` and `as_of` > `due_on`):
    not submitted, closed, expired or cancelled."""

    id: int
    vendor_id: int
    documents: tuple[str, ...]  # the labels of the kinds asked for
    due_on: date
    contact: str


@dataclass(frozen=True, slots=True)
class DecisionFact:
    """The renewal decision materialised on the vendor row (SPEC §12): the decision date,
    the contract's current end, the status evaluated on the decision date and the codes of
    the unwaived block and high flags behind it."""

    on: date
    contract_end_on: date
    status: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EvaluatedVendor:
    """A vendor, its case, its assessment on `as_of` and its status changes, oldest first;
    its review due date and renewal decision as materialised (none when archived)."""

    info: VendorInfo
    case: VendorCase
    assessment: Assessment
    changes: tuple[StatusChangeFact, ...] = ()
    review_due_on: date | None = None
    decision: DecisionFact | None = None


# --- the digest --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VendorRef:
    id: int
    name: str
    tier: str
    owner: str | None
    url: str


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """A relied-on document that has stopped counting, or will within 90 days."""

    vendor: VendorRef
    evidence_id: int
    kind: str  # soc2_report | iso27001_certificate
    evidence: str  # e.g. "SOC 2 Type II report, period 2025-04-01 to 2026-03-31"
    event: str  # stale | expired | 2013 edition withdrawn | goes stale | expires
    valid_until: date  # the last day it counts
    days: int  # days left (0 = last day) or, once expired, days since `valid_until`
    waived: bool = False


@dataclass(frozen=True, slots=True)
class StatusRow:
    """A vendor whose status got worse in the past 7 days."""

    vendor: VendorRef
    before: str
    after: str
    changed_on: date
    reasons: tuple[str, ...]  # the unwaived block/high flag codes on `as_of`


@dataclass(frozen=True, slots=True)
class WaiverRow:
    """A risk acceptance that ends within 30 days and is not renewed."""

    vendor: VendorRef
    waiver_id: int
    code: str
    expires_on: date
    days: int  # days left; 0 = its last day
    flag_severity: str | None  # the severity of the flag it waives today, if raised
    evidence_id: int | None = None  # the document whose flag it accepts (None: any)


@dataclass(frozen=True, slots=True)
class RequestRow:
    """An evidence request the vendor has not answered by its due date."""

    vendor: VendorRef
    request_id: int
    documents: tuple[str, ...]
    due_on: date
    days: int  # days overdue: 1 the day after `due_on`
    contact: str


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A periodic review overdue or due within 30 days."""

    vendor: VendorRef
    due_on: date
    days: int  # days left (0 = due today) or, once overdue, days since `due_on`
    overdue: bool


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """A renewal decision within 90 days, or whose notice period has passed while the
    contract still runs, with the status the vendor will have on its decision date."""

    vendor: VendorRef
    decision_on: date
    contract_end_on: date
    days: int  # days left until the decision date or, once missed, days since it
    notice_passed: bool
    status: str  # the status on the decision date
    reasons: tuple[str, ...]  # the unwaived block/high flag codes behind it


@dataclass(frozen=True, slots=True)
class Totals:
    tracked: int = 0
    approved: int = 0
    conditional: int = 0
    blocked: int = 0


@dataclass(frozen=True, slots=True)
class Digest:
    as_of: date
    week: str  # ISO week, e.g. 2026-W48
    scope: str  # "team", or the owner's e-mail address
    totals: Totals
    expired: tuple[EvidenceRow, ...]
    expiring_30: tuple[EvidenceRow, ...]
    expiring_60: tuple[EvidenceRow, ...]
    expiring_90: tuple[EvidenceRow, ...]
    worsened: tuple[StatusRow, ...]
    waivers_ending: tuple[WaiverRow, ...]
    requests_overdue: tuple[RequestRow, ...]
    reviews_due: tuple[ReviewRow, ...]
    decisions_due: tuple[DecisionRow, ...]
    # The rows in each section, counting those a `limit` left out of the tuples above.
    sizes: Mapping[str, int]
    base_url: str = ""  # the links' root; the web page of the whole digest is {base_url}/digest
    # Each owner's totals, so an owner's digest needs no second pass over the vendors.
    owner_totals: Mapping[str, Totals] = field(default_factory=dict, compare=False, repr=False)
    # Each owner's own digest (by owner_key), when built with `owners=True`; else None.
    owner_digests: Mapping[str, Digest] | None = field(default=None, compare=False, repr=False)


SECTIONS = (
    "expired",
    "expiring_30",
    "expiring_60",
    "expiring_90",
    "worsened",
    "waivers_ending",
    "requests_overdue",
    "reviews_due",
    "decisions_due",
)
Row = EvidenceRow | StatusRow | WaiverRow | RequestRow | ReviewRow | DecisionRow


def iso_week(day: date) -> str:
    """The ISO week a day falls in, as 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def rows_of(digest: Digest) -> Iterator[Row]:
    """Every row the digest holds, section by section (see `complete`)."""
    for name in SECTIONS:
        yield from getattr(digest, name)


def complete(digest: Digest) -> bool:
    """True when no section was cut by a `limit`: the digest holds every row."""
    return all(len(getattr(digest, name)) == digest.sizes[name] for name in SECTIONS)


def is_empty(digest: Digest) -> bool:
    """True when no section has a row (totals alone are not news)."""
    return not any(digest.sizes.values())


def subject(digest: Digest) -> str:
    """The e-mail subject: the week and the counts that matter most."""
    return (
        f"Vendor evidence — week {digest.week}: {digest.sizes['expired']} expired, "
        f"{digest.sizes['expiring_30']} expiring within 30 days"
    )


def owner_key(email: str | None) -> str | None:
    """Owners are matched case-insensitively."""
    return email.strip().lower() if email and email.strip() else None


def owners(digest: Digest) -> list[str]:
    """The owners with at least one row, sorted."""
    if digest.owner_digests is not None:
        return sorted(k for k, d in digest.owner_digests.items() if not is_empty(d))
    _need_complete(digest)
    return sorted({k for row in rows_of(digest) if (k := owner_key(row.vendor.owner))})


def for_owner(digest: Digest, email: str) -> Digest:
    """The digest restricted to the vendors `email` owns."""
    key = owner_key(email)
    if digest.owner_digests is not None:
        mine = digest.owner_digests.get(key) or _empty(digest, digest.sizes)
        return replace(mine, scope=email)
    _need_complete(digest)
    sections = {
        name: tuple(r for r in getattr(digest, name) if owner_key(r.vendor.owner) == key)
        for name in SECTIONS
    }
    sizes = {name: len(rows) for name, rows in sections.items()}
    totals = digest.owner_totals.get(key, Totals())
    return replace(digest, scope=email, totals=totals, owner_totals={}, sizes=sizes, **sections)


def _need_complete(digest: Digest) -> None:
    if not complete(digest):
        raise ValueError("an owner's rows are lost from a cut digest: build it with owners=True")


def _empty(digest: Digest, sizes: Mapping[str, int]) -> Digest:
    """An owner's digest with no vendors."""
    sections = {name: () for name in SECTIONS}
    return replace(
        digest,
        totals=Totals(),
        sizes=dict.fromkeys(sizes, 0),
        owner_totals={},
        owner_digests=None,
        **sections,
    )


# --- building ----------------------------------------------------------------------------------


def build_digest(
    vendors: Iterable[EvaluatedVendor],
    *,
    as_of: date,
    policy: Policy,
    base_url: str,
    limit: int | None = None,
    owners: bool = False,
    requests: Iterable[OverdueRequest] = (),
) -> Digest:
    """The team's digest for the week of `as_of`; keeps only the rows it shows: those of
    its sections or, with a `limit`, each section's first `limit` rows and a count of all.
    With `owners`, each owner's digest (cut to the same limit) is built in the same pass.
    `requests`: the overdue evidence requests, each listed with its vendor."""
    builder = _Builder(
        as_of=as_of, policy=policy, base_url=base_url.rstrip("/"), limit=limit, owners=owners
    )
    for request in requests:
        if request.due_on < as_of:  # overdue: the day after its due date
            builder.requests.setdefault(request.vendor_id, []).append(request)
    for vendor in vendors:
        builder.add(vendor)
    return builder.result()


def _by_date(row: EvidenceRow) -> tuple:
    return row.valid_until, row.vendor.name.casefold(), row.evidence_id


def _by_severity(row: StatusRow) -> tuple:
    return -STATUS_RANK[row.after], row.vendor.name.casefold(), row.vendor.id


def _by_expiry(row: WaiverRow) -> tuple:
    return row.expires_on, row.vendor.name.casefold(), row.waiver_id


def _by_due(row: RequestRow) -> tuple:
    return row.due_on, row.vendor.name.casefold(), row.request_id


def _by_review(row: ReviewRow) -> tuple:
    return row.due_on, row.vendor.name.casefold(), row.vendor.id


def _by_decision(row: DecisionRow) -> tuple:
    return row.decision_on, row.vendor.name.casefold(), row.vendor.id


# Each section's order; every key is unique within its section, so the first `limit` rows
# are the same whether the section is sorted whole or cut as it fills.
ORDER: Mapping[str, Callable[[Any], tuple]] = {
    "expired": _by_date,
    "expiring_30": _by_date,
    "expiring_60": _by_date,
    "expiring_90": _by_date,
    "worsened": _by_severity,
    "waivers_ending": _by_expiry,
    "requests_overdue": _by_due,
    "reviews_due": _by_review,
    "decisions_due": _by_decision,
}


class _Section:
    """One section's rows in its order: every row, or the first `limit` and a count."""

    __slots__ = ("key", "limit", "rows", "size")

    def __init__(self, name: str, limit: int | None) -> None:
        self.key, self.limit = ORDER[name], limit
        self.rows: list = []
        self.size = 0

    def add(self, row: Row) -> None:
        self.size += 1
        self.rows.append(row)
        if self.limit is not None and len(self.rows) >= 2 * self.limit + 64:
            self._cut()  # at most about twice the limit is ever held

    def _cut(self) -> None:
        self.rows.sort(key=self.key)
        if self.limit is not None:
            del self.rows[self.limit :]

    def result(self) -> tuple:
        self._cut()
        return tuple(self.rows)


class _Part:
    """The sections and status counts of one digest: the team's, or one owner's."""

    __slots__ = ("sections", "counts")

    def __init__(self, limit: int | None) -> None:
        self.sections = {name: _Section(name, limit) for name in SECTIONS}
        self.counts: Counter[str] = Counter()

    def add(self, rows: list[tuple[str, Row]], status: str):
        for name, row in rows:
            self.sections[name].add(row)
        self.counts[status] += 1

    def result(self, *, scope: str, as_of: date, base_url: str) -> Digest:
        cut = {name: section.result() for name, section in self.sections.items()}
        return Digest(
            as_of=as_of,
            week=iso_week(as_of),
            scope=scope,
            totals=_totals(self.counts),
            sizes={name: section.size for name, section in self.sections.items()},
            base_url=base_url,
            **cut,
        )


class _Builder:
    """Accumulates the digest's rows and counts, one vendor at a time."""

    def __init__(
        self, *, as_of: date, policy: Policy, base_url: str, limit: int | None, owners: bool
    ) -> None:
        self.as_of, self.policy, self.base_url = as_of, policy, base_url
        self.limit, self.owners = limit, owners
        self.team = _Part(limit)
        self.parts: dict[str, _Part] = {}  # each owner's, when building theirs too
        self.owner_counts: dict[str, Counter[str]] = {}
        self.requests: dict[int, list[OverdueRequest]] = {}  # by vendor id

    def add(self, v: EvaluatedVendor) -> None:
        ref = VendorRef(
            id=v.info.id,
            name=v.info.name,
            tier=v.info.tier,
            owner=v.info.owner_email,
            url=f"{self.base_url}/vendors/{v.info.id}",
        )
        rows: list[tuple[str, Row]] = list(
            evidence_rows(ref, v, as_of=self.as_of, policy=self.policy)
        )
        if (row := worsened_row(ref, v, as_of=self.as_of)) is not None:
            rows.append(("worsened", row))
        rows.extend(("waivers_ending", w) for w in waiver_rows(ref, v, as_of=self.as_of))
        for request in self.requests.get(v.info.id, ()):
            rows.append(("requests_overdue", request_row(ref, request, as_of=self.as_of)))
        if (review := review_row(ref, v, as_of=self.as_of)) is not None:
            rows.append(("reviews_due", review))
        if (decision := decision_row(ref, v, as_of=self.as_of)) is not None:
            rows.append(("decisions_due", decision))
        self.team.add(rows, v.assessment.status)
        if (key := owner_key(v.info.owner_email)) is not None:
            self.owner_counts.setdefault(key, Counter())[v.assessment.status] += 1
            if self.owners:
                self.parts.setdefault(key, _Part(self.limit)).add(rows, v.assessment.status)

    def result(self) -> Digest:
        where = {"as_of": self.as_of, "base_url": self.base_url}
        team = self.team.result(scope=TEAM, **where)
        mine = {k: p.result(scope=k, **where) for k, p in self.parts.items()}
        return replace(
            team,
            owner_totals={k: _totals(c) for k, c in self.owner_counts.items()},
            owner_digests=mine if self.owners else None,
        )


def _totals(counts: Counter[str]) -> Totals:
    return Totals(
        tracked=sum(counts.values()),
        approved=counts["approved"],
        conditional=counts["conditional"],
        blocked=counts["blocked"],
    )


# --- the rows of one vendor --------------------------------------------------------------------


def evidence_rows(
    ref: VendorRef, v: EvaluatedVendor, *, as_of: date, policy: Policy
) -> Iterator[tuple[str, EvidenceRow]]:
    """(section, row) for each relied-on document expired or ending within 90 days."""
    s = take_snapshot(v.case, policy, as_of=as_of)
    report_relied, certificate_relied = relied_on(s, as_of)
    waived = {f.code for f in v.assessment.flags if f.waived}
    documents = []
    if report_relied and s.report is not None:
        documents.append(("report", s.report, s.currency_end))
    if certificate_relied and s.certificate is not None:
        documents.append(("certificate", s.certificate, s.effective_expiry))
    for what, document, valid_until in documents:
        days_left = (valid_until - as_of).days
        section = _section(days_left)
        if section is not None:
            is_waived = bool(waived.intersection(EXPIRED_CODES[what])) and days_left < 0
            event = _event(document, days_left, policy=policy, as_of=as_of)
            yield section, _evidence_row(ref, document, event, valid_until, days_left, is_waived)


def _section(days_left: int) -> str | None:
    if days_left < 0:
        return "expired"
    return next((f"expiring_{w}" for w in WINDOWS if days_left <= w), None)


def _event(
    document: SocReport | IsoCertificate, days_left: int, *, policy: Policy, as_of: date
) -> str:
    if isinstance(document, SocReport):
        return "stale" if days_left < 0 else "goes stale"
    if days_left >= 0:
        return "expires"
    sunset = str(document.standard_version) == "2013" and as_of > policy.iso_2013_sunset
    return "2013 edition withdrawn" if sunset else "expired"


def _evidence_row(
    ref: VendorRef,
    document: SocReport | IsoCertificate,
    event: str,
    valid_until: date,
    days_left: int,
    waived: bool,
) -> EvidenceRow:
    return EvidenceRow(
        vendor=ref,
        evidence_id=document.id,
        kind=document.kind,
        evidence=describe(document),
        event=event,
        valid_until=valid_until,
        days=abs(days_left),
        waived=waived,
    )


def describe(document: SocReport | IsoCertificate) -> str:
    """A document as a TPRM analyst names it: the report period or the certificate number."""
    if isinstance(document, IsoCertificate):
        number = document.certificate_number or "(no number)"
        return (
            f"ISO/IEC 27001:{document.standard_version} certificate {number} "
            f"({document.certification_body})"
        )
    label = "SOC 2 Type I" if document.report_type == "type1" else "SOC 2 Type II"
    if document.period_start is not None and document.report_type != "type1":
        period = f"period {document.period_start} to {document.period_end}"
    else:
        period = f"as of {document.period_end}"
    auditor = f" ({document.auditor})" if document.auditor else ""
    return f"{label} report, {period}{auditor}"


def worsened_row(ref: VendorRef, v: EvaluatedVendor, *, as_of: date) -> StatusRow | None:
    """The vendor's latest run of worsening changes in the past 7 days, if its last change
    was one: approved → conditional → blocked reads "approved → blocked"."""
    since = as_of - timedelta(days=WORSENED_DAYS)
    start = last = None
    for change in v.changes:
        if not since <= change.changed_on <= as_of:
            continue
        last = change
        start = (start or change) if _worse(change) else None
    if start is None:
        return None
    reasons = tuple(
        dict.fromkeys(
            f.code for f in v.assessment.flags if not f.waived and f.severity in ("block", "high")
        )
    )
    return StatusRow(ref, start.before, last.after, last.changed_on, reasons)


def _worse(change: StatusChangeFact) -> bool:
    # A vendor's first status (before is None) is news of a new vendor, not of a worse one.
    if change.before not in STATUS_RANK or change.after not in STATUS_RANK:
        return False
    return STATUS_RANK[change.after] > STATUS_RANK[change.before]


def waiver_rows(ref: VendorRef, v: EvaluatedVendor, *, as_of: date) -> Iterator[WaiverRow]:
    """Waivers counting on `as_of` that end within 30 days and that no other waiver continues."""
    live = [w for w in v.case.waivers if not w.revoked]
    severities = {f.waiver_id: f.severity for f in v.assessment.flags if f.waived}
    for w in live:
        days_left = (w.expires_on - as_of).days
        if w.granted_on <= as_of and 0 <= days_left <= WAIVER_DAYS and not _renewed(w, live):
            severity = severities.get(w.id)
            yield WaiverRow(ref, w.id, w.code, w.expires_on, days_left, severity, w.evidence_id)


def _renewed(waiver: Waiver, waivers: list[Waiver]) -> bool:
    next_day = waiver.expires_on + timedelta(days=1)
    return any(
        o.id != waiver.id
        and o.code == waiver.code
        and _covers_as_much(o, waiver)
        and o.granted_on <= next_day <= o.expires_on
        for o in waivers
    )


def _covers_as_much(other: Waiver, waiver: Waiver) -> bool:
    # A waiver bound to one document does not continue one bound to another (SPEC §5 v2);
    # an unbound one (recorded before v2) covers every document.
    return other.evidence_id is None or other.evidence_id == waiver.evidence_id


def request_row(ref: VendorRef, request: OverdueRequest, *, as_of: date) -> RequestRow:
    """An overdue evidence request as the digest lists it."""
    days = (as_of - request.due_on).days
    return RequestRow(ref, request.id, request.documents, request.due_on, days, request.contact)


def review_row(ref: VendorRef, v: EvaluatedVendor, *, as_of: date) -> ReviewRow | None:
    """The vendor's review, when it is overdue or due within 30 days of `as_of`."""
    if v.review_due_on is None:
        return None
    days_left = (v.review_due_on - as_of).days
    if days_left > REVIEW_DAYS:
        return None
    return ReviewRow(ref, v.review_due_on, abs(days_left), overdue=days_left < 0)


def decision_row(ref: VendorRef, v: EvaluatedVendor, *, as_of: date) -> DecisionRow | None:
    """The vendor's renewal decision, when it falls within 90 days of `as_of` or its notice
    has passed while the contract still runs."""
    d = v.decision
    if d is None or d.contract_end_on < as_of:
        return None
    days_left = (d.on - as_of).days
    if days_left > DECISION_DAYS:
        return None
    return DecisionRow(
        ref, d.on, d.contract_end_on, abs(days_left), days_left < 0, d.status, d.reasons
    )
