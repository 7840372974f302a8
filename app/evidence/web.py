"""Forms to log each kind of evidence, and to retract a record."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import clock
from app.api_common import EvidenceId, VendorId
from app.auth.tokens import Principal
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
from app.rules.policy import Policy
from app.status.service import current_policy
from app.vendors.service import get_vendor
from app.vendors.views import evidence_title
from app.web import labels
from app.web.deps import CsrfForm, WebAnalyst
from app.web.forms import FormState, submit
from app.web.respond import invalid, saved, status_words
from app.web.templating import render

router = APIRouter(include_in_schema=False)
Kind = Annotated[Literal[tuple(KINDS)], Path(description="What kind of document")]
JUDGE_SCOPE = "evidence/judge_scope.html"
SUBSERVICE = FORM_INPUTS["subservice_orgs"]


def _subservice_rows(form: FormState) -> list[dict]:
    names, methods = (
        form.values.get("subservice_name", []),
        form.values.get("subservice_method", []),
    )
    methods = [*methods, *[""] * (len(names) - len(methods))]
    return [{"name": n, "method": m} for n, m in zip(names, methods, strict=False) if n.strip()]


def _schema_input(form: FormState, kind: str) -> dict:
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


@router.get("/vendors/{vendor_id}/evidence/{kind}/new")
def new_evidence(
    request: Request,
    vendor_id: VendorId,
    kind: Kind,
    _: WebAnalyst,
    session: SessionDep,
    today: Today,
):
    """The form to log a document of `kind`."""
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    form = starting_form(kind, today)
    context = form_context(session=session, vendor=vendor, kind=kind, form=form)
    return render(request, KINDS[kind].template, context)


@router.post("/vendors/{vendor_id}/evidence/{kind}/new")
async def create_evidence(
    request: Request,
    vendor_id: VendorId,
    kind: Kind,
    principal: WebAnalyst,
    session: SessionDep,
    today: Today,
):
    """Log the document, with its PDF when one is attached; the vendor is re-evaluated at once.

    `async`, reading the form itself: the PDF streams in under the cap (see uploads.py)."""
    async with posted_form(request) as posted:
        return await run_in_threadpool(
            _create, request, session, vendor_id, kind, principal, today, posted
        )


def _create(
    request: Request,
    session: Session,
    vendor_id: int,
    kind: str,
    principal: Principal,
    today: date,
    posted: Posted,
) -> Response:
    vendor = get_vendor(session=session, vendor_id=vendor_id)
    session.commit()  # the PDF sent is stored outside any transaction
    document = keep_document(posted) or _carried(session, posted, principal.name)
    spec = KINDS[kind]
    form = FormState.read(posted.data, spec.form_fields, lists=spec.form_lists)
    created = None
    if posted.refusal is None:
        created = submit(
            form,
            spec.schema,
            _schema_input(form, kind),
            lambda data: service.create_evidence(
                session=session, vendor_id=vendor_id, data=data, actor=principal.name, today=today
            ),
        )
    if created is None:
        document = _kept(session, document, principal.name)
        return _refused(request, session, vendor, kind, form, document, posted)
    evidence, _ = created
    words = _attach(session, evidence, document, principal.name)
    notice = f"Logged the {evidence_title(evidence)}{words}. "
    notice += status_words(vendor.name, vendor.status)
    return saved(request, session, f"/vendors/{vendor_id}", notice)


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
    request: Request,
    session: Session,
    vendor: Vendor,
    kind: str,
    form: FormState,
    document: KeptDocument | None,
    posted: Posted,
) -> Response:
    """The form again, as typed: with the upload's refusal beside its field, or the errors."""
    status = 422
    if posted.refusal is not None:
        _schema_input(form, kind)  # the subservice rows as typed
        form.errors[posted.refusal_field] = refusal_message(posted.refusal)
        status = posted.refusal.status_code
    context = form_context(session=session, vendor=vendor, kind=kind, form=form, document=document)
    return invalid(request, session, KINDS[kind].template, context, status)


@router.get("/evidence/{evidence_id}/retract")
def retract_form(
    request: Request, evidence_id: EvidenceId, _: WebAnalyst, session: SessionDep, today: Today
):
    """Confirm a retraction and say why."""
    evidence = service.get_evidence(session=session, evidence_id=evidence_id)
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    form = FormState({"reason": ""})
    context = {"evidence": evidence, "vendor": vendor, "form": form, "today": today}
    return render(request, "evidence/retract.html", context)


@router.post("/evidence/{evidence_id}/retract")
def retract(
    request: Request,
    evidence_id: EvidenceId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Retract the record: it stays on file, struck through, and counts on no date."""
    evidence = service.get_evidence(session=session, evidence_id=evidence_id)
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    form = FormState.read(posted, ("reason",))
    done = submit(
        form,
        Retraction,
        form.data(),
        lambda data: service.retract_evidence(
            session=session, evidence_id=evidence_id, data=data, actor=principal.name, today=today
        ),
    )
    if done is None:
        context = {"evidence": evidence, "vendor": vendor, "form": form, "today": today}
        return invalid(request, session, "evidence/retract.html", context)
    notice = f"Retracted the {evidence_title(done)}. " + status_words(vendor.name, vendor.status)
    return saved(request, session, f"/vendors/{vendor.id}", notice)


def _scope_context(evidence: Evidence, vendor: Vendor, form: FormState, today: date) -> dict:
    evidence_kind, words = KINDS[evidence.kind], service.SCOPE_WORDS
    context = {"evidence": evidence, "vendor": vendor, "form": form, "today": today}
    return {**context, "evidence_kind": evidence_kind, "scope_words": words}


@router.get("/evidence/{evidence_id}/scope")
def scope_form(
    request: Request, evidence_id: EvidenceId, _: WebAnalyst, session: SessionDep, today: Today
):
    """Judge whether a document on file covers what is bought from the vendor."""
    evidence = service.get_evidence(session=session, evidence_id=evidence_id)
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    form = FormState({"scope_covers_services": evidence.scope_covers_services or ""})
    return render(request, JUDGE_SCOPE, _scope_context(evidence, vendor, form, today))


@router.post("/evidence/{evidence_id}/scope")
def judge_scope(
    request: Request,
    evidence_id: EvidenceId,
    principal: WebAnalyst,
    posted: CsrfForm,
    session: SessionDep,
    today: Today,
):
    """Record the judgement (audited) and re-evaluate the vendor."""
    evidence = service.get_evidence(session=session, evidence_id=evidence_id)
    vendor = get_vendor(session=session, vendor_id=evidence.vendor_id)
    form = FormState.read(posted, ("scope_covers_services",))
    done = submit(
        form,
        EvidenceUpdate,
        {"scope_covers_services": form.value("scope_covers_services") or None},
        lambda data: service.judge_scope(
            session=session,
            evidence_id=evidence_id,
            value=data.scope_covers_services,
            actor=principal.name,
            today=today,
        ),
    )
    if done is None:
        return invalid(request, session, JUDGE_SCOPE, _scope_context(evidence, vendor, form, today))
    answer = labels.label(done[0].scope_covers_services or "unjudged", "scope_covers_services")
    notice = f"Scope of the {evidence_title(done[0])} judged: {answer}. " + status_words(
        vendor.name, vendor.status
    )
    return saved(request, session, f"/vendors/{vendor.id}", notice)
