"""`vetted request create|list|cancel`: evidence requests from the command line (SPEC §11)."""

from datetime import date
from enum import StrEnum
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app import clock
from app.cli_options import iso_date, today
from app.db import session_scope
from app.errors import DomainError, Invalid, NotFound
from app.evidence.kinds import KINDS
from app.models import EvidenceRequest, Vendor
from app.records import get_vendor

from . import links, service
from .mail import EmailOutcome, send_request_email
from .schemas import Cancellation, RequestCreate

request_app = typer.Typer(help="Evidence requests to vendors.", no_args_is_help=True)

CLI_ACTOR = "cli"
Kind = StrEnum("Kind", {name: name for name in KINDS})
Status = StrEnum("Status", {s: s for s in ("open", "submitted", "closed", "expired", "cancelled")})
COLUMNS = f"{'id':>6}  {'vendor':<28} {'status':<10} {'due':<10} {'expires':<10}  kinds"


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


def _refused(exc: DomainError | ValidationError) -> NoReturn:
    """A refusal as one line per field (nothing was written: the transaction rolled back)."""
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
    if isinstance(exc, Invalid):
        _fail(f"{exc.field}: {exc.message}")
    _fail(str(exc.detail))


def find_vendor(session: Session, ref: str) -> Vendor:
    """The vendor named by id or by its exact name."""
    vendor = session.exec(select(Vendor).where(Vendor.name == ref)).first()
    if vendor is None and ref.isdigit() and int(ref) < 2**31:
        return get_vendor(session=session, vendor_id=int(ref))
    if vendor is None:
        raise NotFound(f"no vendor has the id or the exact name {ref!r}")
    return vendor


def _ask(vendor_ref: str, kinds: list[Kind], contact: str | None, due: date, message: str):
    """Save the request (committed when the block ends); its id, status and link."""
    with session_scope() as session:
        vendor = find_vendor(session, vendor_ref)
        contact = contact or vendor.security_contact_email
        if not contact:
            raise Invalid("contact", f"{vendor.name} has no security contact: give --contact")
        asked = [k.value for k in kinds]
        data = RequestCreate(kinds=asked, contact_email=contact, due_on=due, message=message)
        request = service.create_request(
            session=session,
            vendor_id=vendor.id,
            data=data,
            actor=CLI_ACTOR,
            today=today(),
            now=clock.utc_now(),
        )
        return request.id, request.contact_email, links.portal_url(request)


def _emailed(outcome: EmailOutcome, contact: str) -> str:
    if outcome.sent:
        return f"the link was e-mailed to {contact}"
    if not outcome.configured:
        return "not e-mailed (no SMTP host configured): send the link to the vendor yourself"
    return f"not e-mailed ({outcome.error}): send the link to the vendor yourself"


@request_app.command("create")
def create(
    vendor: Annotated[str, typer.Option(help="The vendor's id or exact name")],
    kind: Annotated[list[Kind], typer.Option(help="An evidence kind to ask for (repeatable)")],
    due: Annotated[
        date, typer.Option(parser=iso_date, metavar="YYYY-MM-DD", help="When it is due")
    ],
    contact: Annotated[
        str | None, typer.Option(help="Whom to ask; default the vendor's security contact")
    ] = None,
    message: Annotated[str, typer.Option(help="A message shown on the portal page")] = "",
) -> None:
    """Ask a vendor for evidence: prints the request's id, status and portal link."""
    try:
        request_id, contact_email, url = _ask(vendor, kind, contact, due, message)
    except (DomainError, ValidationError) as exc:
        _refused(exc)
    outcome = send_request_email(request_id=request_id)  # after the commit, never before
    typer.echo(f"request {request_id} open, due {due.isoformat()}")
    typer.echo(f"portal link: {url}")
    typer.echo(_emailed(outcome, contact_email))


@request_app.command("list")
def list_requests(
    vendor: Annotated[str | None, typer.Option(help="Only this vendor's (id or name)")] = None,
    status: Annotated[Status | None, typer.Option(help="Only requests in this status")] = None,
) -> None:
    """Print the requests, newest first, with their status today."""
    try:
        with session_scope(writes=False) as session:
            vendor_id = find_vendor(session, vendor).id if vendor else None
            found = service.find_requests(
                session=session,
                today=today(),
                vendor_id=vendor_id,
                status=status.value if status else None,
            )
            names = _vendor_names(session, {r.vendor_id for r, _ in found})
    except DomainError as exc:
        _refused(exc)
    typer.echo(COLUMNS)
    for request, state in found:
        typer.echo(_line(request, state, names[request.vendor_id]))


def _vendor_names(session: Session, ids: set[int]) -> dict[int, str]:
    query = select(Vendor.id, Vendor.name).where(col(Vendor.id).in_(ids))
    return dict(session.exec(query).all()) if ids else {}


def _line(request: EvidenceRequest, status: str, vendor: str) -> str:
    return (
        f"{request.id:>6}  {vendor[:28]:<28} {status:<10} {request.due_on.isoformat():<10} "
        f"{request.expires_on.isoformat():<10}  {', '.join(request.kinds)}"
    )


@request_app.command("cancel")
def cancel(
    request_id: Annotated[int, typer.Argument(help="The request's id", min=1, max=2**31 - 1)],
    reason: Annotated[str, typer.Option(help="Why (shown with the rejected submissions)")] = "",
) -> None:
    """Withdraw a request: its link stops working and pending submissions are rejected."""
    try:
        why = Cancellation(reason=reason).reason
        with session_scope() as session:
            service.cancel_request(
                session=session,
                request_id=request_id,
                reason=why,
                actor=CLI_ACTOR,
                now=clock.utc_now(),
                today=today(),
            )
    except (DomainError, ValidationError) as exc:
        _refused(exc)
    typer.echo(f"cancelled request {request_id}")
