"""What the analysts' pages show of evidence requests: a vendor's requests with their status and
e-mails, the submissions waiting for review, and a submission as its kind's evidence form."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.evidence.kinds import KINDS
from app.evidence.web import schema_input
from app.models import AuditEntry, EvidenceRequest, EvidenceSubmission, Vendor
from app.web import labels
from app.web.forms import FormState

from . import service

OVER = ("closed", "cancelled")
RECENTLY_OVER = 5  # the closed or cancelled requests the vendor page still lists
# What the analyst decides on accepting, not a correction of what the vendor sent.
ANALYSTS_OWN = ("kind", "received_on", "scope_covers_services", "soc2_report_id")


@dataclass(frozen=True)
class RequestRow:
    """One request as the vendor page lists it: its status and the e-mails that went out."""

    request: EvidenceRequest
    status: str
    emailed: bool  # the e-mail with the link went out (else the analyst copied the link)
    reminders: int

    @property
    def may_cancel(self) -> bool:
        """A request not over yet can be withdrawn."""
        return self.status not in OVER

    @property
    def may_relink(self) -> bool:
        """A new link helps only while the portal takes documents."""
        return self.status in service.LIVE


@dataclass(frozen=True)
class VendorRequests:
    """The vendor page's requests (live and expired ones, the latest few over) and the
    submissions waiting for review."""

    rows: list[RequestRow]
    older: int  # closed or cancelled requests left off
    pending: list[EvidenceSubmission]


def vendor_requests(*, session: Session, vendor_id: int, today: date) -> VendorRequests:
    """What the vendor page shows of the vendor's evidence requests, newest first."""
    found = service.find_requests(session=session, today=today, vendor_id=vendor_id)
    over = [request.id for request, status in found if status in OVER]
    shown = [(r, s) for r, s in found if s not in OVER or r.id in over[:RECENTLY_OVER]]
    sent = service.emails_sent(session, [r.id for r, _ in shown])
    rows = [
        RequestRow(r, s, emailed=_link_emailed(r, sent[r.id]), reminders=sent[r.id]["reminder"])
        for r, s in shown
    ]
    pending = service.find_submissions(session=session, vendor_id=vendor_id, status="pending")
    return VendorRequests(rows, older=max(0, len(over) - RECENTLY_OVER), pending=pending)


def _link_emailed(request: EvidenceRequest, sent: dict[str, int]) -> bool:
    """Whether the request's current link went out (not only an earlier, replaced one)."""
    return sent.get(service.current_link_email(request), 0) > 0


def pending_submissions(*, session: Session) -> list[tuple[EvidenceSubmission, str]]:
    """Every submission waiting for review with its vendor's name, the oldest first."""
    query = (
        select(EvidenceSubmission, Vendor.name)
        .join(Vendor, col(Vendor.id) == col(EvidenceSubmission.vendor_id))
        .where(EvidenceSubmission.status == "pending")
        .order_by(col(EvidenceSubmission.submitted_at), col(EvidenceSubmission.id))
    )
    return [(submission, name) for submission, name in session.exec(query)]


def _form_value(value: Any) -> Any:
    """A value the vendor sent as the evidence form holds it (lists stay lists)."""
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    return value if isinstance(value, list) else str(value)


def submission_form(submission: EvidenceSubmission) -> FormState:
    """The kind's evidence form filled in with what the vendor sent, scope not judged yet."""
    fields = KINDS[submission.kind].fields
    sent = {k: _form_value(v) for k, v in submission.fields.items() if k in fields}
    return FormState({**sent, **{name: "" for name in ANALYSTS_OWN[2:] if name in fields}})


def corrections(form: FormState, kind: str) -> dict[str, Any]:
    """The form as the analyst left it, as corrections of what the vendor sent: a field
    emptied takes the kind's default (a required one stays empty and is refused)."""
    data = schema_input(form, kind)
    for name, field in KINDS[kind].schema.model_fields.items():
        if name not in data:
            data[name] = "" if field.is_required() else field.get_default(call_default_factory=True)
    return {name: value for name, value in data.items() if name not in ANALYSTS_OWN}


def acceptance_fields(kind: str) -> tuple[str, ...]:
    """The inputs of a submission's review form: the kind's form but the day received."""
    return tuple(name for name in KINDS[kind].form_fields if name != "received_on")


# The vendor page's history of requests and submissions, in words ({ref}: `#id`, {kind}: what
# the submission is, {kinds}: what was asked for, {notes}: a rejection's reason).
HISTORY_WORDS = {
    ("evidence_request", "create"): "Asked for {kinds} through the portal: request {ref}",
    ("evidence_request", "cancel"): "Cancelled evidence request {ref}",
    ("evidence_request", "new_link"): "Replaced the link of evidence request {ref}",
    ("evidence_submission", "create"): "Handed in {kind} through the portal: submission {ref}",
    ("evidence_submission", "accepted"): "Accepted submission {ref} as evidence",
    ("evidence_submission", "rejected"): "Rejected submission {ref}: {notes}",
    ("evidence_submission", "superseded"): "Submission {ref} was replaced by a newer one",
}


def history_words(entry: AuditEntry) -> str | None:
    """An audit entry about a request or a submission in words; None for any other."""
    words = HISTORY_WORDS.get((entry.entity, entry.action))
    if words is None:
        return None
    after = entry.after or {}
    kinds = ", ".join(labels.label(k, "kind") for k in after.get("kinds") or ())
    kind = KINDS[after["kind"]].words if after.get("kind") in KINDS else "a document"
    notes = after.get("review_notes") or ""
    return words.format(ref=f"#{entry.entity_id}", kind=kind, kinds=kinds, notes=notes)
