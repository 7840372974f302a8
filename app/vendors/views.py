"""What the vendor page shows, worked out from the rows and a live evaluation as of a date."""

import re
from dataclasses import dataclass
from datetime import date

from app.models import AuditEntry, Evidence, Vendor, VendorReview, Waiver
from app.portal.review_views import history_words
from app.rules.catalog import FINDING_CODES
from app.rules.facts import VendorCase
from app.rules.policy import Policy
from app.rules.snapshot import Snapshot, required_tsc_of, take_snapshot
from app.status.schemas import FlagRead, StatusRead
from app.status.service import (
    build_case,
    current_policy,
    evaluated_status,
    is_fresh,
    stored_status,
)
from app.vendors.queries import VendorFile
from app.vendors.schemas import VENDOR_FIELDS
from app.web import labels

HISTORY_LIMIT = 50
_ACTION = re.compile(r"(?:^|\.\s+)((?:Ask|Check|Review|Read)\b.*)$", re.S)
HEADLINES = {
    "blocked": "Blocked: do not sign or renew with {name}.",
    "conditional": "Conditional: close these gaps, or record the accepted risk as a waiver, "
    "before you sign or renew with {name}.",
    "approved": "Approved: nothing stands in the way of signing or renewing with {name}.",
    "approved_findings": "Approved: the requirement is met, but read the auditor's and "
    "certification body's findings below before you sign or renew with {name}.",
    "approved_waived": "Approved with accepted risk: you may sign or renew with {name} while "
    "the waivers below run.",
}
COUNTING = ("block", "high")  # the severities that decide the status
SHOWN_FIELDS = (*VENDOR_FIELDS, "status")  # what the history shows of a vendor's changes


def next_step(message: str) -> str:
    """The part of a flag's message that says what to do ('Ask for …'), else all of it."""
    match = _ACTION.search(message)
    return match.group(1) if match else message


@dataclass(frozen=True)
class Banner:
    """The status in words and what the analyst must do next."""

    status: str
    headline: str
    severity: str | None  # of the flags the actions come from
    actions: tuple[str, ...]


def banner(status: StatusRead, name: str) -> Banner:
    """Derived from the worst unwaived flags: their messages say what to ask for."""
    unwaived = [f for f in status.flags if not f.waived]
    severity = next(
        (s for s in ("block", "high", "medium") if any(f.severity == s for f in unwaived)), None
    )
    steps = (next_step(f.message) for f in unwaived if f.severity == severity)
    key = status.status
    if key == "approved" and any(f.waived and f.severity in COUNTING for f in status.flags):
        key = "approved_waived"
    elif key == "approved" and any(f.code in FINDING_CODES for f in status.flags):
        key = "approved_findings"
    return Banner(
        status=status.status,
        headline=HEADLINES[key].format(name=name),
        severity=severity,
        actions=tuple(dict.fromkeys(steps)),
    )


def evidence_title(record: Evidence) -> str:
    """`SOC 2 Type II report`, `ISO/IEC 27001:2022 certificate`, `Bridge letter`."""
    return labels.evidence_title(record.kind, record.report_type, record.standard_version)


def _last_days(snap: Snapshot) -> dict[int, tuple[date, str]]:
    """The newest document of each kind: the last day it counts, and what it is after."""
    newest = (
        (snap.report, snap.currency_end, "stale"),
        (snap.certificate, snap.effective_expiry, "expired"),
        (snap.soc1, snap.soc1_current_until, "stale"),
        (snap.soc3, snap.soc3_current_until, "stale"),
    )
    return {doc.id: (last, lapsed) for doc, last, lapsed in newest if doc is not None}


def standing(record: Evidence, snap: Snapshot, as_of: date) -> str:
    """current, stale, expired, superseded, retracted, or later (received after `as_of`)."""
    if record.retracted_at is not None:
        return "retracted"
    if record.received_on > as_of:
        return "later"
    # A bridge letter stands as its report does; only the newest of each kind counts.
    document_id = record.soc2_report_id if record.kind == "bridge_letter" else record.id
    newest = _last_days(snap).get(document_id)
    if newest is None:
        return "superseded"
    last_day, lapsed = newest
    return "current" if as_of <= last_day else lapsed


@dataclass(frozen=True)
class EvidenceRow:
    """One evidence record with its standing on the as-of date and the flags about it."""

    record: Evidence
    title: str
    standing: str
    flags: tuple[FlagRead, ...]


def waiver_state(waiver: Waiver, as_of: date) -> str:
    """in force, not started, ended, or revoked, on `as_of`."""
    if waiver.revoked_at is not None:
        return "revoked"
    if as_of < waiver.granted_on:
        return "not started"
    return "ended" if as_of > waiver.expires_on else "in force"


@dataclass(frozen=True)
class FlagView:
    """A flag with its rule's title, the evidence it concerns and its waiver."""

    flag: FlagRead
    title: str
    explanation: str  # the rule's, from the catalogue
    evidence: EvidenceRow | None
    waiver: Waiver | None


@dataclass(frozen=True)
class HistoryRow:
    """One audit entry in words, with the fields it changed (field, before, after)."""

    entry: AuditEntry
    summary: str
    changes: tuple[tuple[str, str, str], ...]


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return "—" if value in (None, "") else str(value)


def _changes(entry: AuditEntry) -> tuple[tuple[str, str, str], ...]:
    if entry.entity != "vendor" or not entry.before or not entry.after:
        return ()
    before, after = entry.before, entry.after
    return tuple(
        (field, _shown(before.get(field)), _shown(after.get(field)))
        for field in SHOWN_FIELDS
        if before.get(field) != after.get(field)
    )


def _evidence_words(values: dict) -> str:
    kind = values.get("kind", "")
    return labels.evidence_title(kind, values.get("report_type"), values.get("standard_version"))


SCOPE_ACTIONS = ("judge_scope", "scope_reset")


def _scope_words(entry: AuditEntry, after: dict, ref: str) -> str:
    words = f"{_evidence_words(after)} {ref}"
    if entry.action == "scope_reset":
        return f"Cleared the scope judgement of {words}: the vendor's services changed"
    judged = after.get("scope_covers_services")
    if judged is None:
        return f"Cleared the scope judgement of {words}"
    answer = labels.label(judged, "scope_covers_services")
    return f"Judged whether {words} covers the vendor's services: {answer}"


def summary(entry: AuditEntry) -> str:
    """What an audit entry did, in words."""
    after = entry.after or {}
    ref = f"#{entry.entity_id}"
    if entry.entity == "vendor":
        return _vendor_words(entry.action, after)
    if entry.entity == "vendor_review":
        outcome = labels.label(after.get("outcome", ""), "review_outcome")
        return f"Recorded a review on {after.get('reviewed_on')}: {outcome}"
    if entry.entity == "evidence" and entry.action == "create":
        return f"Logged {_evidence_words(after)} {ref}"
    if entry.entity == "evidence" and entry.action == "attach_document":
        return f"Attached the PDF {after.get('document_name')} to evidence {ref}"
    if entry.entity == "evidence" and entry.action == "retract":
        return f"Retracted {_evidence_words(after)} {ref}: {after.get('retraction_reason', '')}"
    if entry.entity == "evidence" and entry.action in SCOPE_ACTIONS:
        return _scope_words(entry, after, ref)
    if entry.entity == "waiver" and entry.action == "create":
        title = labels.rule_title(after.get("code", ""))
        return f"Granted waiver {ref} for “{title}” until {after.get('expires_on')}"
    if entry.entity == "waiver" and entry.action == "revoke":
        reason = after.get("revoke_reason")
        return f"Revoked waiver {ref}" + (f": {reason}" if reason else "")
    portal = history_words(entry)  # evidence requests and what the vendor handed in
    if portal is not None:
        return portal
    return f"{entry.action.capitalize()} {entry.entity.replace('_', ' ')} {ref}"


def _vendor_words(action: str, after: dict) -> str:
    if action == "archive":
        return f"Archived the vendor: {after.get('archive_reason', '')}"
    if action == "reactivate":
        return "Reactivated the vendor"
    return "Created the vendor" if action == "create" else "Edited the vendor"


@dataclass(frozen=True)
class VendorView:
    """Everything the vendor page shows."""

    vendor: Vendor
    as_of: date
    status: StatusRead
    required_tsc: tuple[str, ...]  # what a SOC 2 report must cover, when one is required
    banner: Banner
    flags: list[FlagView]
    evidence: list[EvidenceRow]
    waivers: list[tuple[Waiver, str]]
    history: list[HistoryRow]
    reviews: list[VendorReview]  # the latest, newest first

    @property
    def accepted_risks(self) -> list[FlagView]:
        """Waived flags that would otherwise decide the status."""
        return [v for v in self.flags if v.flag.waived and v.flag.severity in COUNTING]


def _flag_views(
    status: StatusRead, rows: list[EvidenceRow], waivers: list[Waiver], policy: Policy
) -> list[FlagView]:
    by_id = {row.record.id: row for row in rows}
    waiver_by_id = {w.id: w for w in waivers}
    return [
        FlagView(
            flag=f,
            title=labels.rule_title(f.code),
            explanation=labels.rule_explanation(f.code, policy),
            evidence=by_id.get(f.evidence_id) if f.evidence_id is not None else None,
            waiver=waiver_by_id.get(f.waiver_id) if f.waiver_id is not None else None,
        )
        for f in status.flags
    ]


def _evidence_rows(
    records: list[Evidence], snap: Snapshot, status: StatusRead
) -> list[EvidenceRow]:
    return [
        EvidenceRow(
            record=r,
            title=evidence_title(r),
            standing=standing(r, snap, status.as_of),
            flags=tuple(f for f in status.flags if f.evidence_id == r.id),
        )
        for r in records
    ]


def _required_tsc(case: VendorCase, policy: Policy, requirement: str) -> tuple[str, ...]:
    if requirement in ("none", "iso27001"):
        return ()
    return required_tsc_of(case.vendor, policy)


def vendor_view(found: VendorFile, *, as_of: date) -> VendorView:
    """The vendor's status on `as_of` (stored while it holds, else evaluated), with its
    evidence and where each stands, waivers and history."""
    vendor, records, waivers = found.vendor, found.evidence, found.waivers
    case = build_case(vendor, records, waivers)
    policy = current_policy()
    if is_fresh(vendor, as_of):  # the stored assessment holds: what evaluating would give
        status = stored_status(vendor, as_of=as_of)
    else:
        status = evaluated_status(vendor, case, as_of=as_of)
    rows = _evidence_rows(records, take_snapshot(case, policy, as_of=as_of), status)
    return VendorView(
        vendor=vendor,
        as_of=as_of,
        status=status,
        required_tsc=_required_tsc(case, policy, status.requirement),
        banner=banner(status, vendor.name),
        flags=_flag_views(status, rows, waivers, policy),
        evidence=rows,
        waivers=[(w, waiver_state(w, as_of)) for w in waivers],
        history=[
            HistoryRow(entry=e, summary=summary(e), changes=_changes(e)) for e in found.history
        ],
        reviews=found.reviews,
    )
