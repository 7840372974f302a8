"""What the portal page shows a vendor's contact: the organisation's request, what has been
received of each kind, and a form per kind; and the pages that say a link opens nothing.

Rendered without the analysts' common context (no session, no user, no navigation): the
portal page is a page of its own, and it neither reads nor writes the session cookie.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.config import get_settings
from app.documents.web_uploads import KeptDocument
from app.evidence.kinds import FORM_INPUTS, KINDS
from app.models import EvidenceRequest, EvidenceSubmission
from app.records import get_vendor
from app.security import PAGE_CSP
from app.web.forms import FormState
from app.web.templating import templates

from . import links, service
from .schemas import portal_fields

PAGE = "portal/page.html"
CLOSED = "portal/closed.html"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": PAGE_CSP,  # frame-ancestors 'none' among the rest
    "X-Frame-Options": "DENY",
}
# A submission's status in the vendor's words.
VENDOR_WORDS = {
    "pending": "Received, under review",
    "accepted": "Accepted",
    "rejected": "Not accepted",
    "superseded": "Replaced by a later document",
}


def portal_render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A portal page: never cached, never framed, no referrer sent from it."""
    values = {"request": request, "organisation": get_settings().organisation_name, **context}
    html = templates.env.get_template(name).render(values)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def form_inputs(kind: str) -> tuple[str, ...]:
    """The inputs of a kind's portal form (a subservice row is two inputs)."""
    return tuple(i for name in portal_fields(kind) for i in FORM_INPUTS.get(name, (name,)))


def list_inputs(kind: str) -> tuple[str, ...]:
    """The inputs of a kind's portal form that post several values."""
    return tuple(i for i in KINDS[kind].form_lists if i in form_inputs(kind))


def starting_form(kind: str) -> FormState:
    """A kind's empty form: the kind's defaults, those the vendor sets only."""
    inputs = form_inputs(kind)
    return FormState({k: v for k, v in KINDS[kind].form_defaults.items() if k in inputs})


@dataclass
class KindForm:
    """One kind's form on the page: what is typed, the PDF going with it, what a reading of
    the PDF gave."""

    form: FormState
    document: KeptDocument | None = None
    prefill: Any = None  # app.evidence.prefill_web.PrefillView


@dataclass
class PageState:
    """What the page shows besides the request: the forms as typed, a notice, a problem."""

    forms: dict[str, KindForm] = field(default_factory=dict)
    notice: str | None = None
    problem: str | None = None


def _received(submissions: list[EvidenceSubmission]) -> dict[str, list[dict]]:
    by_kind: dict[str, list[dict]] = {}
    for s in reversed(submissions):  # newest first
        words = VENDOR_WORDS.get(s.status, s.status)
        reason = s.review_notes if s.status == "rejected" else None
        row = {"name": s.document_name, "day": s.submitted_on, "words": words, "reason": reason}
        by_kind.setdefault(s.kind, []).append(row)
    return by_kind


def page_context(
    *, session: Session, ask: EvidenceRequest, today: date, state: PageState
) -> dict[str, Any]:
    """Everything the portal page shows: nothing about the vendor but its name."""
    vendor = get_vendor(session=session, vendor_id=ask.vendor_id)
    submissions = service.find_submissions(session=session, request_id=ask.id)
    status = service.request_status(ask, submissions, today)
    forms = {k: state.forms.get(k) or KindForm(starting_form(k)) for k in ask.kinds}
    return {
        "vendor_name": vendor.name,
        "ask": ask,
        "kinds": [(k, KINDS[k]) for k in ask.kinds],
        "received": _received(submissions),
        "forms": forms,
        "taking": status in service.LIVE,  # closed: every kind accepted, nothing more to send
        "fields": {k: portal_fields(k) for k in ask.kinds},
        "action": f"/portal/{links.token_for(ask)}",
        "csrf": links.csrf_token(ask),
        "today": today,
        "notice": state.notice,
        "problem": state.problem,
        "max_upload_mb": get_settings().max_upload_mb,
    }
