"""Forms to log each kind of evidence, and to retract a record."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import clock
from app.api_common import EvidenceId, VendorId
from app.config import get_settings
from app.db import SessionDep
from app.deps import Today
from app.documents.service import attach_document
from app.documents.web_uploads import (
    KeptDocument,
    Posted,
    carried_document,
    carry,
    keep_document,
    posted_form,
    refusal_message,
)
from app.errors import Invalid
from app.evidence import service
from app.evidence.kinds import FORM_INPUTS, KINDS
from app.evidence.schemas import EvidenceUpdate, Retraction
from app.models import Evidence, Vendor
from app.records import get_vendor
from app.rules.policy import Policy
from app.status.service import current_policy
from app.web import labels
from app.web.deps import CsrfForm, WebAnalyst
from app.web.forms import FormState, submit
from app.web.respond import archived_refusal, invalid, saved, status_words
from app.web.templating import render

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
Kind = Annotated[Literal[tuple(KINDS)], Path(description="What kind of document")]
JUDGE_SCOPE = "evidence/judge_scope.html"
RETRACT = "evidence/retract.html"
SUBSERVICE = FORM_INPUTS["subservice_orgs"]


def _subservice_rows(form: FormState) -> list[dict]:
    names, methods = (
        form.values.get("subservice_name", []),
        form.values.get("subservice_method", []),
    )
    methods = [*methods, *[""] * (len(names) - len(methods))]
    return [{"name": n, "method": m} for n, m in zip(names, methods, strict=False) if n.strip()]


def schema_input(form: FormState, kind: str) -> dict:
    """The kind's schema input from its form: the subservice rows gathered into one list."""
    data = {**form.data(), "kind": kind}
    if "subservice_name" in form.values:
        for key in SUBSERVICE:
            data.pop(key, None)
        data["subservice_orgs"] = form.values["subservice_orgs"] = _subservice_rows(form)
    return data


def soc2_reports(*, session: Session, vendor_id: int) -> list[Evidence]:
    """The vendor's SOC 2 reports a bridge letter may vouch for (not retracted)."""
    records = service.list_evidence(session=session, vendor_id=vendor_id)
    return [r for r in records if r.kind == "soc2_report" and r.retracted_at is None]


def form_context(
    *,
    session: Session,
    vendor: Vendor,
    kind: str,
    form: FormState,
    document: KeptDocument | None = None,
    prefill: object = None,
) -> dict:
    """What an evidence form's template needs (`document`: the PDF going with the form)."""
    evidence_kind = KINDS[kind]
    names_a_report = "soc2_report_id" in evidence_kind.fields  # a bridge letter
    reports = soc2_reports(session=session, vendor_id=vendor.id) if names_a_report else []
    policy: Policy = current_policy()
    return {
        "vendor": vendor,
        "kind": kind,
        "evidence_kind": evidence_kind,
        "form": form,
        "reports": reports,
        "bodies": sorted(b.acronym or b.name for b in policy.accreditation.bodies),
        "document": document,
        "prefill": prefill,
        "max_upload_mb": get_settings().max_upload_mb,
    }


def starting_form(kind: str, today: date) -> FormState:
    """A new record's form: the kind's defaults, received today."""
    return FormState({**KINDS[kind].form_defaults, "received_on": today.isoformat()})


@dataclass
class KindRequest:
    """A request to one kind's form of one vendor, by an analyst, on a day."""

    request: Request
    vendor_id: VendorId
    kind: Kind
    principal: WebAnalyst
    session: SessionDep
    today: Today

    def vendor(self) -> Vendor:
        """The vendor the form is for (NotFound: a 404 page)."""
        return get_vendor(session=self.session, vendor_id=self.vendor_id)

    def page(self, vendor: Vendor, form: FormState, *, status: int = 200, **extra) -> Response:
        """The kind's form (`extra`: its PDF, what a prefill read); with an error status, shown
        again after a failed post, whatever the attempt wrote discarded."""
        context = form_context(
            session=self.session, vendor=vendor, kind=self.kind, form=form, **extra
        )
        template = KINDS[self.kind].template
        if status >= 400:
            return invalid(self.request, self.session, template, context, status)
        return render(self.request, template, context)


AboutKind = Annotated[KindRequest, Depends()]


@router.get("/vendors/{vendor_id}/evidence/{kind}/new")
def new_evidence(ask: AboutKind):
    """The form to log a document of `kind`."""
    vendor = ask.vendor()
    if refused := archived_refusal(ask.request, vendor, "evidence"):
        return refused
    return ask.page(vendor, starting_form(ask.kind, ask.today))


@router.post("/vendors/{vendor_id}/evidence/{kind}/new")
async def create_evidence(ask: AboutKind):
    """Log the document, with its PDF when one is attached; the vendor is re-evaluated at once.

    `async`, reading the form itself: the PDF streams in under the cap (see uploads.py)."""
    async with posted_form(ask.request) as posted:
        return await run_in_threadpool(_create, ask, posted)


def _create(ask: KindRequest, posted: Posted) -> Response:
    session, owner, vendor = ask.session, ask.principal.name, ask.vendor()
    if refused := archived_refusal(ask.request, vendor, "evidence"):
        return refused
    session.commit()  # the PDF sent is stored outside any transaction
    document = keep_document(posted) or _carried(session, posted, owner)
    spec = KINDS[ask.kind]
    form = FormState.read(posted.data, spec.form_fields, lists=spec.form_lists)
    created = None
    if posted.refusal is None:
        created = submit(
            form,
            spec.schema,
            schema_input(form, ask.kind),
            lambda data: service.create_evidence(
                session=session, vendor_id=vendor.id, data=data, actor=owner, today=ask.today
            ),
        )
    if created is None:
        return _refused(ask, vendor, form, _kept(session, document, owner), posted)
    evidence, _ = created
    words = _attach(session, evidence, document, owner)
    notice = f"Logged the {labels.title_of(evidence)}{words}. "
    notice += status_words(vendor.name, vendor.status)
    return saved(ask.request, f"/vendors/{vendor.id}", notice)


def _carried(session: Session, posted: Posted, owner: str) -> KeptDocument | None:
    """The PDF a prefill kept for this user (even when the upload was refused); a handle that
    names none of theirs refuses the form."""
    try:
        return carried_document(session=session, posted=posted, owner=owner, now=clock.utc_now())
    except Invalid as exc:
        posted.refusal = posted.refusal or exc
        return None


def _kept(session: Session, document: KeptDocument | None, owner: str) -> KeptDocument | None:
    """The PDF going with a refused form, remembered so that the form can carry it (whatever
    the failed attempt wrote is discarded first)."""
    session.rollback()
    if document is None:
        return None
    return carry(session=session, document=document, owner=owner, now=clock.utc_now())


def _attach(session: Session, evidence: Evidence, document: KeptDocument | None, actor: str) -> str:
    """Attach the PDF that came with the form, if any; the words saying so."""
    if document is None:
        return ""
    attach_document(
        session=session,
        evidence_id=evidence.id,
        stored=document.stored,
        filename=document.name,
        actor=actor,
    )
    return f" with its PDF ({document.name})"


def _refused(
    ask: KindRequest, vendor: Vendor, form: FormState, document: KeptDocument | None, posted: Posted
) -> Response:
    """The form again, as typed: with the upload's refusal beside its field, or the errors."""
    status = 422
    if posted.refusal is not None:
        schema_input(form, ask.kind)  # the subservice rows as typed
        form.errors[posted.refusal_field] = refusal_message(posted.refusal)
        status = posted.refusal.status_code
    return ask.page(vendor, form, status=status, document=document)


@dataclass
class RecordRequest:
    """A request about one record, by an analyst, on a day."""

    request: Request
    evidence_id: EvidenceId
    principal: WebAnalyst
    session: SessionDep
    today: Today

    def evidence(self) -> Evidence:
        """The record (NotFound: a 404 page)."""
        return service.get_evidence(session=self.session, evidence_id=self.evidence_id)

    def context(self, evidence: Evidence, form: FormState) -> dict:
        """What a page about the record shows: the record, its kind, its vendor, the form."""
        vendor = get_vendor(session=self.session, vendor_id=evidence.vendor_id)
        kind, words = KINDS[evidence.kind], service.SCOPE_WORDS
        context = {"evidence": evidence, "vendor": vendor, "form": form, "today": self.today}
        return {**context, "evidence_kind": kind, "scope_words": words}

    def act(self, action: Callable[..., T], **values: object) -> T:
        """`action` (a service) on the record, by this analyst, today."""
        actor, today = self.principal.name, self.today
        return action(
            session=self.session, evidence_id=self.evidence_id, actor=actor, today=today, **values
        )

    def answer(self, template: str, context: dict, done: str | None) -> Response:
        """Back to the vendor, saying what was `done` and its status now; or, when nothing was
        done, the page again with the errors."""
        if done is None:
            return invalid(self.request, self.session, template, context)
        vendor = context["vendor"]
        notice = f"{done} {status_words(vendor.name, vendor.status)}"
        return saved(self.request, f"/vendors/{vendor.id}", notice)


@dataclass
class RecordPost(RecordRequest):
    """A form an analyst posted about one record."""

    posted: CsrfForm

    def read(self, *fields: str) -> tuple[FormState, dict]:
        """The posted `fields` and the page's context (an unknown record is a 404)."""
        form = FormState.read(self.posted, fields)
        return form, self.context(self.evidence(), form)


AboutRecord = Annotated[RecordRequest, Depends()]
PostOnRecord = Annotated[RecordPost, Depends()]


@router.get("/evidence/{evidence_id}/retract")
def retract_form(ask: AboutRecord):
    """Confirm a retraction and say why."""
    return render(ask.request, RETRACT, ask.context(ask.evidence(), FormState({"reason": ""})))


@router.post("/evidence/{evidence_id}/retract")
def retract(post: PostOnRecord):
    """Retract the record: it stays on file, struck through, and counts on no date."""
    form, context = post.read("reason")
    done = submit(
        form,
        Retraction,
        form.data(),
        lambda data: post.act(service.retract_evidence, data=data),
    )
    words = None if done is None else f"Retracted the {labels.title_of(done)}."
    return post.answer(RETRACT, context, words)


@router.get("/evidence/{evidence_id}/scope")
def scope_form(ask: AboutRecord):
    """Judge whether a document on file covers what is bought from the vendor."""
    evidence = ask.evidence()
    form = FormState({"scope_covers_services": evidence.scope_covers_services or ""})
    return render(ask.request, JUDGE_SCOPE, ask.context(evidence, form))


@router.post("/evidence/{evidence_id}/scope")
def judge_scope(post: PostOnRecord):
    """Record the judgement (audited) and re-evaluate the vendor."""
    form, context = post.read("scope_covers_services")
    done = submit(
        form,
        EvidenceUpdate,
        {"scope_covers_services": form.value("scope_covers_services") or None},
        lambda data: post.act(service.judge_scope, value=data.scope_covers_services),
    )
    if done is None:
        return post.answer(JUDGE_SCOPE, context, None)
    answer = labels.label(done[0].scope_covers_services or "unjudged", "scope_covers_services")
    return post.answer(
        JUDGE_SCOPE, context, f"Scope of the {labels.title_of(done[0])} judged: {answer}."
    )
