"""The weekly digest's content: a pure function of the evaluated vendors and `as_of`.

No database, no web, no clock: the job streams vendors in, this keeps only the rows that go
into the digest (SPEC §8), and the same inputs always give the same digest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from app.rules.checks import relied_on
from app.rules.engine import Assessment
from app.rules.facts import IsoCertificate, SocReport, VendorCase, Waiver
from app.rules.policy import Policy
from app.rules.snapshot import take_snapshot

WINDOWS = (30, 60, 90)  # expiring within 30 days, in 31–60, in 61–90
WORSENED_DAYS = 7
WAIVER_DAYS = 30
STATUS_RANK: Mapping[str, int] = {"approved": 0, "conditional": 1, "blocked": 2}
EXPIRED_CODES = {"report": ("SOC2_STALE",), "certificate": ("ISO_EXPIRED", "ISO_2013_VERSION")}
TEAM = "team"


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
class EvaluatedVendor:
    """A vendor, its case, its assessment on `as_of` and its status changes, oldest first."""

    info: VendorInfo
    case: VendorCase
    assessment: Assessment
    changes: tuple[StatusChangeFact, ...] = ()


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
    base_url: str = ""  # the links' root; the web page of the whole digest is {base_url}/digest
    # Each owner's totals, so an owner's digest needs no second pass over the vendors.
    owner_totals: Mapping[str, Totals] = field(default_factory=dict, compare=False, repr=False)


SECTIONS = ("expired", "expiring_30", "expiring_60", "expiring_90", "worsened", "waivers_ending")


def iso_week(day: date) -> str:
    """The ISO week a day falls in, as 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def rows_of(digest: Digest) -> Iterator[EvidenceRow | StatusRow | WaiverRow]:
    """Every row of every section."""
    for name in SECTIONS:
        yield from getattr(digest, name)


def is_empty(digest: Digest) -> bool:
    """True when no section has a row (totals alone are not news)."""
    return next(rows_of(digest), None) is None


def subject(digest: Digest) -> str:
    """The e-mail subject: the week and the counts that matter most."""
    return (
        f"Vendor evidence — week {digest.week}: {len(digest.expired)} expired, "
        f"{len(digest.expiring_30)} expiring within 30 days"
    )


def owner_key(email: str | None) -> str | None:
    """Owners are matched case-insensitively."""
    return email.strip().lower() if email and email.strip() else None


def owners(digest: Digest) -> list[str]:
    """The owners with at least one row, sorted."""
    return sorted({k for row in rows_of(digest) if (k := owner_key(row.vendor.owner))})


def for_owner(digest: Digest, email: str) -> Digest:
    """The digest restricted to the vendors `email` owns."""
    key = owner_key(email)

    def mine(rows: tuple) -> tuple:
        return tuple(r for r in rows if owner_key(r.vendor.owner) == key)

    sections = {name: mine(getattr(digest, name)) for name in SECTIONS}
    totals = digest.owner_totals.get(key, Totals())
    return replace(digest, scope=email, totals=totals, owner_totals={}, **sections)


# --- building ----------------------------------------------------------------------------------


def build_digest(
    vendors: Iterable[EvaluatedVendor], *, as_of: date, policy: Policy, base_url: str
) -> Digest:
    """The team's digest for the week of `as_of`; keeps only the rows it shows."""
    builder = _Builder(as_of=as_of, policy=policy, base_url=base_url.rstrip("/"))
    for vendor in vendors:
        builder.add(vendor)
    return builder.result()


class _Builder:
    """Accumulates the digest's rows and counts, one vendor at a time."""

    def __init__(self, *, as_of: date, policy: Policy, base_url: str) -> None:
        self.as_of, self.policy, self.base_url = as_of, policy, base_url
        self.sections: dict[str, list] = {name: [] for name in SECTIONS}
        self.counts: Counter[str] = Counter()
        self.owner_counts: dict[str, Counter[str]] = {}

    def add(self, v: EvaluatedVendor) -> None:
        ref = VendorRef(
            id=v.info.id,
            name=v.info.name,
            tier=v.info.tier,
            owner=v.info.owner_email,
            url=f"{self.base_url}/vendors/{v.info.id}",
        )
        for section, row in evidence_rows(ref, v, as_of=self.as_of, policy=self.policy):
            self.sections[section].append(row)
        if (row := worsened_row(ref, v, as_of=self.as_of)) is not None:
            self.sections["worsened"].append(row)
        self.sections["waivers_ending"].extend(waiver_rows(ref, v, as_of=self.as_of))
        self._count(v.info.owner_email, v.assessment.status)

    def _count(self, owner: str | None, status: str) -> None:
        self.counts[status] += 1
        if (key := owner_key(owner)) is not None:
            self.owner_counts.setdefault(key, Counter())[status] += 1

    def result(self) -> Digest:
        s = self.sections
        return Digest(
            as_of=self.as_of,
            week=iso_week(self.as_of),
            scope=TEAM,
            totals=_totals(self.counts),
            expired=tuple(sorted(s["expired"], key=_by_date)),
            expiring_30=tuple(sorted(s["expiring_30"], key=_by_date)),
            expiring_60=tuple(sorted(s["expiring_60"], key=_by_date)),
            expiring_90=tuple(sorted(s["expiring_90"], key=_by_date)),
            worsened=tuple(sorted(s["worsened"], key=_by_severity)),
            waivers_ending=tuple(sorted(s["waivers_ending"], key=_by_expiry)),
            base_url=self.base_url,
            owner_totals={k: _totals(c) for k, c in self.owner_counts.items()},
        )


def _totals(counts: Counter[str]) -> Totals:
    return Totals(
        tracked=sum(counts.values()),
        approved=counts["approved"],
        conditional=counts["conditional"],
        blocked=counts["blocked"],
    )


def _by_date(row: EvidenceRow) -> tuple:
    return row.valid_until, row.vendor.name.casefold(), row.evidence_id


def _by_severity(row: StatusRow) -> tuple:
    return -STATUS_RANK[row.after], row.vendor.name.casefold(), row.vendor.id


def _by_expiry(row: WaiverRow) -> tuple:
    return row.expires_on, row.vendor.name.casefold(), row.waiver_id


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
    severities = {f.code: f.severity for f in v.assessment.flags if f.waived}
    for w in live:
        days_left = (w.expires_on - as_of).days
        if w.granted_on <= as_of and 0 <= days_left <= WAIVER_DAYS and not _renewed(w, live):
            yield WaiverRow(ref, w.id, w.code, w.expires_on, days_left, severities.get(w.code))


def _renewed(waiver: Waiver, waivers: list[Waiver]) -> bool:
    next_day = waiver.expires_on + timedelta(days=1)
    return any(
        o.id != waiver.id and o.code == waiver.code and o.granted_on <= next_day <= o.expires_on
        for o in waivers
    )
